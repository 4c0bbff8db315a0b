import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import t from 'tap';
import { loadSettings } from '../src/config/settings.js';
import { DeliveryThread } from '../src/delivery/thread/delivery-thread.js';
import { api, eventually, setFaults, simRecords, startTestGateway, waitForStates } from './helpers/gateway.js';

// Where delivery runs: in a thread of its own by default (delivery.thread), or in the event loop.
// Either way the same records reach the Ministry once, the logs and /readyz read the same, and
// stopping never waits out a cool-down.

const example = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, '..', 'examples', 'vnedu', name), 'utf8'));

t.test('with delivery.thread false the event loop delivers, the same records the same way', async (t) => {
  const gw = await startTestGateway(t, { delivery: { thread: false, pollIntervalMs: 20 } });
  t.equal(gw.worker?.constructor.name, 'DeliveryWorker', 'delivering from the event loop');
  await setFaults(gw, { outage: true });
  const res = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: example('batch-small.json') });
  await eventually('the circuit opens', async () => (await api(gw, 'GET', '/readyz')).json.checks.ministry.circuit === 'open');
  await setFaults(gw, null);
  await waitForStates(gw, res.json.submissionId, (c) => c.acknowledged === 3);
  t.equal((await simRecords(gw)).unique, 3, 'each record reached the Ministry once');
  t.ok(gw.logs.some((l) => l.includes('"component":"delivery"') && l.includes('packet delivered')), 'delivery logs as before');
});

t.test('the delivery thread logs through the gateway logger and shows its circuit on /readyz', async (t) => {
  const gw = await startTestGateway(t, { delivery: { pollIntervalMs: 20, circuit: { failureThreshold: 1, coolDownMs: 60_000, maxCoolDownMs: 60_000 } } });
  t.equal(gw.worker?.constructor.name, 'DeliveryThread');
  await setFaults(gw, { outage: true });
  await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: example('batch-small.json') });
  await eventually('the circuit opens', async () => (await api(gw, 'GET', '/readyz')).json.checks.ministry.circuit === 'open');
  const line = gw.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'Ministry circuit open');
  t.ok(line, 'the thread\'s line reaches the gateway\'s log');
  t.equal(line.component, 'circuit');
  t.equal(line.level, 40, 'at its own level (warn)');
  t.type(line.time, 'number', 'with the gateway logger\'s time');
});

for (const thread of [false, true]) {
  t.test(`stopping while the circuit waits out a long cool-down does not wait for it (delivery.thread ${thread})`, async (t) => {
    // Two loops: one wakes from its poll first; the other's wake must not be lost with it.
    const gw = await startTestGateway(t, { delivery: { thread, concurrency: 2, pollIntervalMs: 20, circuit: { failureThreshold: 1, coolDownMs: 600_000, maxCoolDownMs: 600_000 } } });
    await setFaults(gw, { outage: true });
    await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: example('batch-small.json') });
    await eventually('the circuit opens', async () => (await api(gw, 'GET', '/readyz')).json.checks.ministry.circuit === 'open');
    await sleep(100); // both loops asleep on the cool-down
    const outcome = await Promise.race([gw.worker!.stop().then(() => 'stopped'), sleep(20_000, undefined, { ref: false }).then(() => 'still waiting for the cool-down')]);
    t.equal(outcome, 'stopped');
  });
}

t.test('a delivery thread that dies is started again, and a stopped one is not', async (t) => {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
  const settings = loadSettings({}, { dataDir: '/nonexistent' });
  const thread = new DeliveryThread({ settings, ministryUrl: 'http://127.0.0.1:9', signer: { sign: async (xml) => xml }, logger, script: new URL('./fixtures/dying-delivery-thread.ts', import.meta.url) });
  const ups = () => lines.filter((l) => l.includes('dying thread up')).length;
  thread.start();
  await eventually('started a second time', async () => ups() >= 2, 20_000);
  const restart = lines.map((l) => JSON.parse(l)).find((l) => /restarting/.test(l.msg));
  t.match(restart, { level: 50, code: 3 }, 'the exit is logged as an error, with its code');
  await thread.stop();
  const after = ups();
  await sleep(2500);
  t.equal(ups(), after, 'no restart after stop()');
});
