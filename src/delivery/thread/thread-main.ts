import { Writable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { openStore } from '../../storage/open-store.js';
import { idleCurrentThread, niceCurrentThread } from '../../threads/thread-priority.js';
import { createTransport } from '../../transport/create-transport.js';
import { deliveryWorkerFromSettings } from '../from-settings.js';
import type { DeliveryThreadData, FromThread, ToThread } from './protocol.js';

// The delivery thread (delivery-thread.ts starts it): the same DeliveryWorker as in the event
// loop, with its own store connection and transport, so that claiming 200 records, building
// the packet, reading the receipt and recording 200 outcomes never hold up a vendor's request.

const port = parentPort!;
const { settings, ministryUrl, logLevel } = workerData as DeliveryThreadData;
const post = (m: FromThread) => port.postMessage(m);

// Each line goes to the event loop, which logs it through the gateway's logger (redaction,
// destination and all); no time or pid here, that logger adds its own.
const lines = new Writable({
  write(chunk, _encoding, done) {
    post({ type: 'log', line: String(chunk) });
    done();
  },
});
const logger = pino({ level: logLevel, base: undefined, timestamp: false }, lines);

const pending = new Map<number, { resolve: (xml: string) => void; reject: (e: Error) => void }>();
let nextId = 0;
const signer = {
  sign: (xml: string) =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      post({ type: 'sign', id, xml });
    }),
};

// Vendors' requests first: this thread takes the CPU the event loop and the intake threads leave.
try {
  niceCurrentThread(settings.delivery.threadNice ?? 0);
} catch (e) {
  logger.warn({ err: e }, 'delivery thread: its priority could not be lowered; it competes with requests for the CPU');
}
if (settings.delivery.threadIdle) {
  try {
    idleCurrentThread();
  } catch (e) {
    logger.warn({ err: e }, `delivery thread: SCHED_IDLE could not be set; it runs at niceness ${settings.delivery.threadNice}`);
  }
}

const store = await openStore(settings.databaseUrl, { checkpoints: false });
await store.migrate(); // already done by the gateway: this only prepares the statements
const transport = createTransport(settings.ministry, ministryUrl);
// The circuit's state as /readyz shows it: sent as it changes state, and its other fields
// (failures counted, next probe) checked a few times a second.
const worker = deliveryWorkerFromSettings(settings, { store, transport, signer, logger, onCircuitChange: () => sendCircuit(), onSend: (seconds, outcome) => post({ type: 'sent', seconds, outcome }) });
let lastCircuit = '';
const sendCircuit = () => {
  const snapshot = worker.circuit.snapshot();
  const text = JSON.stringify(snapshot);
  if (text !== lastCircuit) post({ type: 'circuit', snapshot });
  lastCircuit = text;
};
const circuitTimer = setInterval(sendCircuit, 100);

port.on('message', async (m: ToThread) => {
  switch (m.type) {
    case 'nudge':
      worker.nudge();
      break;
    case 'signed':
      pending.get(m.id)?.resolve(m.xml);
      pending.delete(m.id);
      break;
    case 'sign-failed':
      pending.get(m.id)?.reject(new Error(m.message));
      pending.delete(m.id);
      break;
    case 'stop':
      const { forced } = await worker.stop();
      clearInterval(circuitTimer);
      sendCircuit();
      await transport.close({ force: forced });
      await store.close();
      post({ type: 'stopped' });
      port.close();
      break;
  }
});

worker.start();
