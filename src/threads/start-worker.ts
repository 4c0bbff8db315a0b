import { Worker, type WorkerOptions } from 'node:worker_threads';
import { workerExecArgv } from './worker-exec-argv.js';

// Every worker thread of the gateway starts here. Built, a thread runs its compiled script. Under
// the test runner the scripts are TypeScript, loaded through tsx (package.json "tap"); Node 20
// does not apply `--import` hooks to a worker's own modules, so such a thread starts from a small
// JavaScript file that registers tsx first and then imports the script (tsx-worker.mjs).

const TSX_WORKER = new URL('./tsx-worker.mjs', import.meta.url);

export function startWorker(script: URL, options: WorkerOptions = {}): Worker {
  const execArgv = workerExecArgv();
  if (script.pathname.endsWith('.ts') && execArgv.some((a) => /(^|[=/])tsx(\/|$)/.test(a))) {
    return new Worker(TSX_WORKER, { ...options, execArgv, argv: [script.href] });
  }
  return new Worker(script, { ...options, execArgv });
}
