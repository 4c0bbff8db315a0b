import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { nextAttemptAt } from '../src/delivery/backoff.js';
import { CircuitBreaker, type CircuitState } from '../src/delivery/circuit-breaker.js';
import { RateLimiter } from '../src/delivery/rate-limiter.js';
import { api, eventually, setFaults, simRecords, startTestGateway, waitForStates, type TestGateway } from './helpers/gateway.js';

// The delivery policy: backoff and jitter, the circuit breaker, Retry-After, the retry window,
// pacing and concurrency towards the Ministry. The state machines on their own first, then
// through a real gateway and the real simulator.

const example = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, '..', 'examples', 'vnedu', name), 'utf8'));

t.test('backoff grows, stops at the cap, and jitter takes off at most its share', async (t) => {
  const base = 100;
  t.equal(nextAttemptAt(0, 1, base, 10_000, 0), 100);
  t.equal(nextAttemptAt(0, 4, base, 10_000, 0), 800);
  t.equal(nextAttemptAt(0, 30, base, 10_000, 0), 10_000, 'capped');
  t.equal(nextAttemptAt(0, 4, base, 10_000, 0.5, () => 1), 400, 'equal jitter: at least half');
  t.equal(nextAttemptAt(0, 4, base, 10_000, 1, () => 1), 0, 'full jitter: anywhere down to now');
  t.equal(nextAttemptAt(0, 4, base, 10_000, 0.5, () => 0), 800, 'never more than the ceiling');
});

t.test('the circuit opens after N failures, lets one probe through after the cool-down, and closes on success', async (t) => {
  const changes: [CircuitState, CircuitState][] = [];
  const c = new CircuitBreaker({ failureThreshold: 3, coolDownMs: 1000, maxCoolDownMs: 3000 }, (from, to) => changes.push([from, to]));
  t.same(c.permit(0), { kind: 'send' });
  c.onFailure(0, 'a');
  c.onFailure(1, 'b');
  t.equal(c.state, 'closed', 'below the threshold');
  c.onSuccess();
  c.onFailure(2, 'a');
  c.onFailure(3, 'b');
  t.equal(c.state, 'closed', 'a success in between resets the count');
  c.onFailure(4, 'c');
  t.equal(c.state, 'open');
  t.same(c.permit(500), { kind: 'wait', ms: 504 }, 'no sending while open');
  t.same(c.permit(1004), { kind: 'probe' }, 'after the cool-down, one probe');
  t.equal(c.state, 'half-open');
  t.equal(c.permit(1005).kind, 'wait', 'and only one');
  c.onFailure(1010, 'still down');
  t.equal(c.state, 'open');
  t.same(c.permit(1010), { kind: 'wait', ms: 2000 }, 'a failed probe doubles the cool-down');
  t.equal(c.permit(3010).kind, 'probe');
  c.onFailure(3010, 'still down');
  t.same(c.permit(3010), { kind: 'wait', ms: 3000 }, 'up to the maximum');
  t.equal(c.snapshot().lastFailure, 'still down');
  t.equal(c.permit(6010).kind, 'probe');
  c.onSuccess();
  t.equal(c.state, 'closed');
  t.same(c.permit(6011), { kind: 'send' });
  t.same(changes, [['closed', 'open'], ['open', 'half-open'], ['half-open', 'open'], ['open', 'half-open'], ['half-open', 'open'], ['open', 'half-open'], ['half-open', 'closed']]);
});

t.test('the rate limiter holds every caller while the Ministry asks it to', async (t) => {
  const l = new RateLimiter(0);
  const now = Date.now();
  t.equal(l.heldFor(now), 0);
  l.holdUntil(now + 5000);
  t.ok(l.heldFor(now) > 4000, 'held');
  t.equal(await l.take(now + 1000), false, 'a caller whose lease ends sooner gives up its slot');
  l.holdUntil(now + 100); // a shorter hold never shortens a longer one
  t.ok(l.heldFor(now) > 4000);
  const paced = new RateLimiter(4);
  t.same([paced.reserve(0, 10_000), paced.reserve(0, 10_000), paced.reserve(100, 10_000), paced.reserve(2000, 10_000)], [0, 250, 500, 2000], 'slots 1/rate apart');
  t.equal(paced.reserve(2000, 2100), null, 'a caller who cannot wait for the next slot books nothing');
  t.equal(paced.reserve(2000, 10_000), 2250);
  const free = new RateLimiter(0);
  t.same([free.reserve(7, 7), free.reserve(7, 7)], [7, 7], '0: no limit');
});

async function stats(gw: TestGateway) {
  return (await fetch(gw.simUrl + '/_sim/stats')).json() as Promise<{ packets: number; packetCalls: number; maxInFlight: number }>;
}

t.test('while the Ministry is down the circuit opens, nothing is claimed or burnt, and delivery resumes after', async (t) => {
  const gw = await startTestGateway(t, {
    delivery: {
      retry: { inProcessAttempts: 2, inProcessMinDelayMs: 10, inProcessMaxDelayMs: 50, maxAttempts: 3, baseDelayMs: 20, capDelayMs: 50 },
      circuit: { failureThreshold: 2, coolDownMs: 300, maxCoolDownMs: 600 },
    },
  });
  await setFaults(gw, { errorRates: { 503: 1 } });
  const res = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: example('batch-small.json') });
  t.equal(res.status, 202);
  const open = await eventually('the circuit to open', async () => {
    const r = await api(gw, 'GET', '/readyz');
    return r.json.checks.ministry.circuit === 'open' ? r.json : null;
  });
  t.equal(open.checks.ministry.consecutiveFailures >= 2, true);
  t.match(open.checks.ministry.lastFailure, /UNAVAILABLE/);
  t.ok(open.checks.ministry.nextProbeAt, 'readiness says when the next probe is due');

  // Now a full outage for longer than the records' three attempts would last without a breaker.
  await setFaults(gw, { outage: true });
  const before = await stats(gw);
  await sleep(1500);
  const during = await stats(gw);
  t.equal(during.packetCalls, before.packetCalls, 'no packet is sent while the Ministry is down (probes only)');
  const rows = await gw.store.listRecords({ submissionId: res.json.submissionId });
  t.notOk(rows.some((r) => r.state === 'dead'), 'no record burnt its attempts during the outage');
  t.ok(gw.logs.some((l) => l.includes('Ministry circuit open')), 'the circuit opening is logged');

  await setFaults(gw, null);
  await waitForStates(gw, res.json.submissionId, (c) => c.acknowledged === 3);
  t.equal((await api(gw, 'GET', '/readyz')).json.checks.ministry.circuit, 'closed', 'closed again');
  const sim = await simRecords(gw);
  t.equal(sim.unique, 3);
  t.equal(sim.duplicates, 0);
});

t.test('Retry-After longer than the in-process wait moves the records\' next attempt past it', async (t) => {
  const gw = await startTestGateway(t);
  await setFaults(gw, { rateLimitRetryAfterSeconds: 2, rateLimitCount: 1 });
  const res = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: example('batch-small.json') });
  const waiting = await waitForStates(gw, res.json.submissionId, (c) => c.retry === 3);
  for (const r of waiting.records) {
    t.equal(r.lastCode, 'RATE_LIMITED', 'the Ministry\'s code');
    t.ok(Date.parse(r.nextAttemptAt) - Date.parse(r.updatedAt) >= 2000, 'not before Retry-After');
  }
  await waitForStates(gw, res.json.submissionId, (c) => c.acknowledged === 3);
  t.equal((await simRecords(gw)).unique, 3);
});

t.test('records that keep failing past the retry window go dead with the reason', async (t) => {
  const gw = await startTestGateway(t, {
    delivery: { retry: { maxAttempts: 1000, totalTimeMs: 300 }, circuit: { failureThreshold: 1000, coolDownMs: 100, maxCoolDownMs: 100 } },
  });
  await setFaults(gw, { errorRates: { 500: 1 } });
  const res = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: example('batch-small.json') });
  const settled = await waitForStates(gw, res.json.submissionId, (c) => c.dead === 3);
  for (const r of settled.records) {
    t.match(r.lastReason, /retry window of 0 s used up/);
    t.equal(r.lastCode, 'INTERNAL');
    t.ok(r.attempts < 1000, 'well before the attempts ran out');
  }
});

t.test('concurrency and packets per second towards the Ministry are settings', async (t) => {
  const batch = example('batch-grades-1-5.json'); // 35 records
  for (const concurrency of [1, 3]) {
    const gw = await startTestGateway(t, { delivery: { packetSize: 5, concurrency } });
    await setFaults(gw, { latencyMs: 150 });
    const res = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: batch });
    await waitForStates(gw, res.json.submissionId, (c) => c.acknowledged === 35);
    const s = await stats(gw);
    t.equal(s.packets, 7);
    if (concurrency === 1) t.equal(s.maxInFlight, 1, 'one packet at a time');
    else t.ok(s.maxInFlight > 1 && s.maxInFlight <= 3, `up to three at a time (${s.maxInFlight})`);
  }

  // One packet every two seconds: right after the first arrives, the second cannot have.
  const gw = await startTestGateway(t, { delivery: { packetSize: 18, concurrency: 3, packetsPerSecond: 0.5 } });
  const res = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: batch });
  await eventually('the first packet', async () => (await stats(gw)).packets >= 1);
  await sleep(300);
  t.equal((await stats(gw)).packetCalls, 1, 'the next packet waits for its slot although three loops are free');
  await waitForStates(gw, res.json.submissionId, (c) => c.acknowledged === 35);
  t.equal((await stats(gw)).packets, 2);
});

t.test('a lease is renewed while its packet is in flight: a slow Ministry never makes two replicas send one record', async (t) => {
  // Two gateways on one SQLite file and one Ministry that takes longer than a lease to answer.
  const fast = { retry: { inProcessAttempts: 1 }, leaseMs: 1000, packetSize: 2, concurrency: 1 };
  const a = await startTestGateway(t, { delivery: fast });
  const b = await startTestGateway(t, { dataDir: a.dir, databaseUrl: join(a.dir, 'gateway.db'), ministry: { url: a.simUrl }, delivery: fast });
  // Both delivery threads are up and delivering before the slow part begins: on a loaded machine
  // a thread that is still loading would leave every packet to the other replica.
  const warm = await api(a, 'POST', '/v1/submissions', { token: a.vendorKey, body: example('batch-grades-1-12.json') });
  b.worker!.nudge();
  await waitForStates(a, warm.json.submissionId, (c) => c.acknowledged === warm.json.queued, 60_000);
  await setFaults(a, { latencyMs: 2500 });
  const res = await api(a, 'POST', '/v1/submissions', { token: a.vendorKey, body: example('batch-small.json') });
  b.worker!.nudge();
  await waitForStates(a, res.json.submissionId, (c) => c.acknowledged === 3, 60_000);
  const deliveries = (await (await fetch(a.simUrl + '/_sim/deliveries')).json()) as { byKey: Record<string, { session: string }[]> };
  const ours = res.json.records.map((r: { recordKey: string }) => deliveries.byKey[r.recordKey] ?? []);
  t.same(ours.map((d: unknown[]) => d.length), [1, 1, 1], 'each record was sent once');
  t.equal(new Set(ours.flat().map((d: { session: string }) => d.session)).size, 2, 'by both replicas');
  for (const r of (await api(a, 'GET', `/v1/submissions/${res.json.submissionId}`, { token: a.vendorKey })).json.records) {
    const timeline = (await api(a, 'GET', `/admin/v1/records/${r.recordId}`, { token: a.adminToken })).json.timeline;
    t.same(timeline.map((e: { to: string }) => e.to), ['queued', 'sending', 'acknowledged'], 'and no lease was taken over');
  }
});

t.test('admins cancel records that are waiting; they are never sent', async (t) => {
  const gw = await startTestGateway(t, { delivery: { retry: { maxAttempts: 1000 } } });
  await setFaults(gw, { outage: true });
  const res = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: example('batch-small.json') });
  const waiting = await waitForStates(gw, res.json.submissionId, (c) => c.retry === 3);
  const [one, two] = waiting.records.map((r: { recordId: string }) => r.recordId);
  const cancel = await api(gw, 'POST', '/admin/v1/cancel', { token: gw.adminToken, body: { ids: [one, two], reason: 'pupil left the school' } });
  t.equal(cancel.status, 200);
  t.equal(cancel.json.cancelled, 2);
  const bad = await api(gw, 'POST', '/admin/v1/cancel', { token: gw.adminToken, body: { ids: [] } });
  t.equal(bad.status, 400, 'an empty selection is a bad request');
  t.equal(bad.json.code, 'REQUEST_INVALID');
  await setFaults(gw, null);
  const done = await waitForStates(gw, res.json.submissionId, (c) => c.acknowledged === 1 && c.cancelled === 2);
  t.equal((await simRecords(gw)).unique, 1, 'only the record left in the queue reached the Ministry');
  const timeline = (await api(gw, 'GET', `/admin/v1/records/${one}`, { token: gw.adminToken })).json.timeline;
  t.same(timeline.at(-1), { ...timeline.at(-1), from: 'retry', to: 'cancelled', code: 'CANCELLED' });
  t.match(timeline.at(-1).reason, /pupil left the school/);
  t.equal(done.counts.cancelled, 2);
  t.equal((await api(gw, 'POST', '/admin/v1/cancel', { token: gw.adminToken, body: { ids: [one] } })).json.cancelled, 0, 'a settled record stays as it is');
});

t.test('the gateway leaves from the static IP in its settings', async (t) => {
  const gw = await startTestGateway(t, { simulator: { port: 0, allowlist: ['127.0.0.2'] }, ministry: { egress: { localAddress: '127.0.0.2' } } });
  const res = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: example('batch-small.json') });
  await waitForStates(gw, res.json.submissionId, (c) => c.acknowledged === 3);
  const d = (await (await fetch(gw.simUrl + '/_sim/deliveries')).json()) as { byKey: Record<string, { source: string }[]> };
  t.same([...new Set(Object.values(d.byKey).flat().map((x) => x.source))], ['127.0.0.2']);
});

t.test('the SOAP binding delivers through the gateway as REST does', async (t) => {
  const gw = await startTestGateway(t, { ministry: { binding: 'soap' } });
  const batch = example('batch-grades-1-5.json');
  const res = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: batch });
  const done = await waitForStates(gw, res.json.submissionId, (c) => c.acknowledged === batch.DanhSachHocSinh.length);
  t.ok(done.records.every((r: { ministryRecordId: string }) => r.ministryRecordId.startsWith('MOET-')));
  const deliveries = (await (await fetch(gw.simUrl + '/_sim/deliveries')).json()) as { byKey: Record<string, { binding: string }[]> };
  t.ok(Object.values(deliveries.byKey).flat().every((d) => d.binding === 'soap'), 'every record went over SOAP');
  const ready = await api(gw, 'GET', '/readyz');
  t.equal(ready.status, 200);
  t.equal(ready.json.checks.ministry.ok, true, 'the SOAP probe reaches the Ministry');
});
