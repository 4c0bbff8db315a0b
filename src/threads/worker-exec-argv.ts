// Worker threads inherit the process's Node flags, which is how they get the test runner's
// TypeScript loader; a few flags make a worker fail to start: `--input-type` (given to `node -e`
// scripts) and the V8 heap sizes (a worker's heap is set through resourceLimits, and the import
// caps its own process's heap). Those are dropped, the rest kept.

const NOT_FOR_WORKERS = ['--input-type', '--eval', '-e', '--print', '-p', '--max-old-space-size', '--max-semi-space-size', '--stack-size'];

export function workerExecArgv(): string[] {
  return process.execArgv.filter((a) => !NOT_FOR_WORKERS.some((f) => a === f || a.startsWith(`${f}=`)));
}
