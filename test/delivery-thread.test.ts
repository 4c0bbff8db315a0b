import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
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
    const outcome = await Promise.race([gw.worker!.stop().then(() => 'stopped'), sleep(20_000).then(() => 'still waiting for the cool-down')]);
    t.equal(outcome, 'stopped');
  });
}
