import { parentPort, workerData } from 'node:worker_threads';
import { validationContextFrom, type ValidationContextSource } from '../config/validation-context.js';
import { idleCurrentThread, niceCurrentThread } from '../threads/thread-priority.js';
import { runBatchIntake, type IntakeTask } from './batch-intake.js';

// An intake thread: reads the rule settings and reference data once, then maps and validates
// the batches it is sent (threads/task-pool.ts protocol; a task is an IntakeTask).

const { validation, maxRecords, spare } = workerData as { validation: ValidationContextSource; maxRecords: number; spare?: boolean };
// A spare-time thread (intakeSpareWorkers) maps only on a core that nothing else wants.
if (spare) {
  try {
    idleCurrentThread();
  } catch {
    // chrt missing or refused: the lowest niceness instead, which still yields most of the CPU.
    niceCurrentThread(19);
  }
}
const ctx = validationContextFrom(validation);
parentPort!.postMessage({ ready: true });
parentPort!.on('message', ({ id, task }: { id: number; task: IntakeTask }) => {
  runBatchIntake(task, ctx, maxRecords).then(
    (result) => parentPort!.postMessage({ id, result }),
    (e) => parentPort!.postMessage({ id, error: (e as Error).message }),
  );
});
