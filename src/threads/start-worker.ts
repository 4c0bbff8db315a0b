import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { workerExecArgv } from './worker-exec-argv.js';

// Every worker thread of the gateway starts here. Built, a thread runs its compiled script.
//
// Under the test runner the main thread runs the TypeScript sources through tsx (package.json
// "tap"). A thread then runs the compiled script of the same source when dist/ was built after
// the last change to src/ (`npm test` builds first): the same code, in the form the gateway runs
// it. Loading a thread's modules through tsx instead cost 0.3-2.8 s of CPU per thread (tsx
// registers a module-hooks thread of its own beside each worker and transforms every module
// again), and a test gateway starts four threads: on the 2-core machine most of the suite's time
// went to starting them. Only when dist/ is missing or older than src/ (a test run straight after
// an edit, without a build) does a thread go through tsx: Node 20 does not apply `--import` hooks
// to a worker's own modules, so such a thread starts from a small JavaScript file that registers
// tsx first and then imports the script (tsx-worker.mjs).

const TSX_WORKER = new URL('./tsx-worker.mjs', import.meta.url);
const TSX_FLAG = /(^|[=/])tsx(\/|$)/;

export function startWorker(script: URL, options: WorkerOptions = {}): Worker {
  const execArgv = workerExecArgv();
  if (script.pathname.endsWith('.ts') && execArgv.some((a) => TSX_FLAG.test(a))) {
    const compiled = compiledScriptOf(script);
    if (compiled) return new Worker(compiled, { ...options, execArgv: execArgv.filter((a) => !TSX_FLAG.test(a)) });
    return new Worker(TSX_WORKER, { ...options, execArgv, argv: [script.href] });
  }
  return new Worker(script, { ...options, execArgv });
}

/** dist/…/x.js for src/…/x.ts when dist/ is newer than every source file; otherwise null. */
export function compiledScriptOf(script: URL): URL | null {
  const path = fileURLToPath(script);
  const at = path.lastIndexOf('/src/');
  if (at < 0) return null;
  const root = path.slice(0, at);
  const compiled = join(root, 'dist', path.slice(at + 5).replace(/\.ts$/, '.js'));
  if (!existsSync(compiled)) return null;
  return statSync(compiled).mtimeMs >= newestSource(join(root, 'src')) ? pathToFileURL(compiled) : null;
}

const newestByRoot = new Map<string, number>();
/** newestFileUnder(src/), once per process (about 300 files). */
function newestSource(dir: string): number {
  let newest = newestByRoot.get(dir);
  if (newest === undefined) newestByRoot.set(dir, (newest = newestFileUnder(dir)));
  return newest;
}

/**
 * The latest modification time of any file under `dir`: whether dist/ was built after the last
 * change to the sources. Every file counts, not only .ts, so that an edit to anything the build
 * or a thread reads is never taken for fresh. One function for the threads here and for the
 * tests' `ensureBuilt` (test/helpers/processes.ts).
 */
export function newestFileUnder(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}
