import { parentPort, workerData } from 'node:worker_threads';
import { validationContextFrom, type ValidationContextSource } from '../config/validation-context.js';
import { niceCurrentThread } from '../threads/thread-priority.js';
import { runBatchIntake, type EnvelopeTask, type IntakeTask } from './batch-intake.js';

// An intake thread: reads the rule settings and reference data once, then maps and validates
// the batches it is sent (threads/task-pool.ts protocol; a task is an IntakeTask).

const { validation, maxRecords, spare } = workerData as { validation: ValidationContextSource; maxRecords: number; spare?: boolean };
// A spare-time thread (intakeSpareWorkers) runs at niceness 10: on an idle core it maps at full
// speed, and while every core is busy it keeps about a tenth of a core's share beside a thread at
// 0. Not SCHED_IDLE, as the delivery thread is: a batch it holds is waited for by a vendor, and
// under SCHED_IDLE such a batch starved while the cores were busy (a 180 s saturation with
// delivery on and the clients on the same 2 cores: batches answered in 4.4 s at most, against
// 1.5 s without a spare thread and 2.0 s with it at niceness 10).
const SPARE_NICE = 10;
if (spare) niceCurrentThread(SPARE_NICE);
const ctx = validationContextFrom(validation);
parentPort!.postMessage({ ready: true });
parentPort!.on('message', ({ id, task }: { id: number; task: IntakeTask | EnvelopeTask }) => {
  runBatchIntake(task, ctx, maxRecords).then(
    (result) => parentPort!.postMessage({ id, result }),
    (e) => parentPort!.postMessage({ id, error: (e as Error).message }),
  );
});
