import { parentPort, workerData } from 'node:worker_threads';
import { loadRecordValidator, PacketRefused, readPacket } from './packet-check.js';

// A packet-reading thread of the simulator: signature, structure, each record's checks.
// threads/task-pool.ts protocol; a task is { body, rejectRecordKeys }, a refusal's status and code
// travel as the error's detail.

const { provinceCertPem } = workerData as { provinceCertPem: string };
const validateRecord = loadRecordValidator();
parentPort!.postMessage({ ready: true });
parentPort!.on('message', ({ id, task }: { id: number; task: { body: string; rejectRecordKeys?: string[]; malformedRecordKeys?: string[] } }) => {
  try {
    parentPort!.postMessage({ id, result: readPacket(task.body, { provinceCertPem, validateRecord, rejectRecordKeys: task.rejectRecordKeys, malformedRecordKeys: task.malformedRecordKeys }) });
  } catch (e) {
    if (e instanceof PacketRefused) parentPort!.postMessage({ id, error: e.message, detail: { status: e.status, code: e.code } });
    else parentPort!.postMessage({ id, error: (e as Error).message });
  }
});
