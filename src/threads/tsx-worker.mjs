// A worker thread's first module when its script is TypeScript (start-worker.ts, tests only):
// registers tsx in this thread, then runs the script named by the thread's first argument.
const { register } = await import('tsx/esm/api');
register();
await import(process.argv[2]);
