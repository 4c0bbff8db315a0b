import { parentPort, workerData } from 'node:worker_threads';
import { validationContextFrom, type ValidationContextSource } from '../config/validation-context.js';
import { runBatchIntake } from './batch-intake.js';

// An intake thread: reads the rule settings and reference data once, then maps and validates
// the batches it is sent (threads/task-pool.ts protocol; a task is { vendor, json }).

const { validation, maxRecords } = workerData as { validation: ValidationContextSource; maxRecords: number };
const ctx = validationContextFrom(validation);
parentPort!.postMessage({ ready: true });
parentPort!.on('message', ({ id, task }: { id: number; task: { vendor: string; json: string } }) => {
  try {
    parentPort!.postMessage({ id, result: runBatchIntake(task.vendor, task.json, ctx, maxRecords) });
  } catch (e) {
    parentPort!.postMessage({ id, error: (e as Error).message });
  }
});
