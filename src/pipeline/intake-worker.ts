import { parentPort, workerData } from 'node:worker_threads';
import { validationContextFrom, type ValidationContextSource } from '../config/validation-context.js';
import { runBatchIntake } from './batch-intake.js';

// An intake thread: reads the rule settings and reference data once, then maps and validates
// the batches it is sent. Messages: { id, vendor, json } in, { id, outcome } or { id, error } out.

const { validation, maxRecords } = workerData as { validation: ValidationContextSource; maxRecords: number };
const ctx = validationContextFrom(validation);
parentPort!.postMessage({ ready: true });
parentPort!.on('message', (m: { id: number; vendor: string; json: string }) => {
  try {
    parentPort!.postMessage({ id: m.id, outcome: runBatchIntake(m.vendor, m.json, ctx, maxRecords) });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: (e as Error).message });
  }
});
