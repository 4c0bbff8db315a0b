import { parentPort, workerData } from 'node:worker_threads';
import { loadRecordValidator, PacketRefused, readPacket } from './packet-check.js';

// A packet-reading thread of the simulator: signature, structure, each record's checks.
// Messages: { id, body, rejectRecordKeys } in; { id, packet } or { id, refused } or { id, error } out.

const { provinceCertPem } = workerData as { provinceCertPem: string };
const validateRecord = loadRecordValidator();
parentPort!.postMessage({ ready: true });
parentPort!.on('message', (m: { id: number; body: string; rejectRecordKeys?: string[] }) => {
  try {
    parentPort!.postMessage({ id: m.id, packet: readPacket(m.body, { provinceCertPem, validateRecord, rejectRecordKeys: m.rejectRecordKeys }) });
  } catch (e) {
    if (e instanceof PacketRefused) parentPort!.postMessage({ id: m.id, refused: { status: e.status, code: e.code, message: e.message } });
    else parentPort!.postMessage({ id: m.id, error: (e as Error).message });
  }
});
