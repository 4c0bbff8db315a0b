import { join } from 'node:path';
import t from 'tap';
import { eventually } from './helpers/gateway.js';
import {
  countsOf,
  credentials,
  dataDir,
  distinctBatch,
  getJson,
  postBatch,
  sendJson,
  startGatewayProcess,
  startSimulatorProcess,
  type SimDeliveries,
  waitForDrain,
} from './helpers/processes.js';

// The gateway and the simulator as separate processes, with faults injected into the simulator:
// 30% of packet calls fail in every way the simulator knows, yet every record ends acknowledged
// exactly once; a record the Ministry refuses ends dead with its reason and, once the fault is
// cleared, a replay delivers it.

t.setTimeout(180_000);

// 30% in all: 5xx, 429 with Retry-After, resets before an answer, hanging connections, and
// receipts lost after the Ministry kept the records.
const FAULTS = { errorRates: { 500: 0.06, 503: 0.06, 429: 0.04 }, retryAfterSeconds: 1, resetRate: 0.05, hangRate: 0.03, dropReceiptRate: 0.06 };

const settings = {
  logLevel: 'warn',
  ministry: { timeoutMs: 3000 },
  delivery: {
    packetSize: 50,
    concurrency: 2,
    pollIntervalMs: 50,
    leaseMs: 3000,
    // One try in process: every failed call sends its records through the stored retry state, so
    // that with about 24 packets at 30% faults the timeline's retry step is all but certain to occur.
    retry: { inProcessAttempts: 1, inProcessMinDelayMs: 50, inProcessMaxDelayMs: 1500, maxAttempts: 40, baseDelayMs: 100, capDelayMs: 1000 },
    circuit: { failureThreshold: 6, coolDownMs: 500, maxCoolDownMs: 2000 },
  },
};

t.test('with 30% injected faults every record still ends acknowledged, exactly once at the Ministry', async (t) => {
  const dir = dataDir(t);
  const sim = await startSimulatorProcess(t, dir, FAULTS);
  t.same(await getJson(sim.url + '/_sim/faults'), { ...FAULTS, errorRates: { 429: 0.04, 500: 0.06, 503: 0.06 } }, 'faults set from the command line');
  const gw = await startGatewayProcess(t, dir, settings, { MINISTRY_URL: sim.url, DATABASE_URL: join(dir, 'gateway.db') });
  const key = credentials(dir).vendors.vnedu;
  const ids: string[] = [];
  for (let b = 0; b < 4; b++) ids.push((await postBatch(gw.url, key, distinctBatch(200 + b, 300))).submissionId);

  const counts = await waitForDrain('with faults', sim.url, 1200, gw.url, key, ids, 150_000);
  t.same(counts, { acknowledged: 1200 }, 'all 1,200 acknowledged, none dead');

  const stats = await getJson<{ packets: number; packetCalls: number; receiptsDropped: number }>(sim.url + '/_sim/stats');
  t.ok(stats.packetCalls > stats.packets, `faults were met: ${stats.packetCalls - stats.packets} of ${stats.packetCalls} packet calls failed`);
  const records = await getJson<{ unique: number; duplicates: number }>(sim.url + '/_sim/records');
  t.equal(records.unique, 1200, 'the Ministry holds each record once');
  const d = await getJson<SimDeliveries>(sim.url + '/_sim/deliveries');
  const all = Object.values(d.byKey).flat();
  t.equal(all.filter((x) => x.status === 'accepted').length, 1200, 'accepted once each');
  // Whether any receipt was lost is chance; when one was, its records came again and the
  // Ministry counted them as duplicates, and otherwise nothing was re-sent.
  t.equal(records.duplicates > 0, stats.receiptsDropped > 0, `${stats.receiptsDropped} lost receipts, ${records.duplicates} re-sent records counted as duplicates`);
  t.equal(all.filter((x) => x.status === 'rejected').length, 0);

  // The attempt timeline of a record that needed more than one try tells the story.
  const retried = await getJson<{ records: { recordId: string; state: string }[] }>(`${gw.url}/admin/v1/records?state=acknowledged&limit=1000`, credentials(dir).admin);
  let withRetry = 0;
  for (const r of retried.records) {
    const one = await getJson<{ timeline: { to: string; code: string | null; reason: string | null }[] }>(`${gw.url}/admin/v1/records/${r.recordId}`, credentials(dir).admin);
    if (one.timeline.some((e) => e.to === 'retry')) {
      withRetry += 1;
      const step = one.timeline.find((e) => e.to === 'retry')!;
      t.ok(step.code && step.reason, 'a retry step carries the Ministry\'s code and the reason');
      if (withRetry >= 3) break;
    }
  }
  t.ok(withRetry > 0, 'some records went through retry');
  await gw.stop();
});

t.test('a permanent rejection ends dead with the Ministry\'s reason; after the fault is cleared a replay delivers it', async (t) => {
  const dir = dataDir(t);
  const sim = await startSimulatorProcess(t, dir);
  const gw = await startGatewayProcess(t, dir, settings, { MINISTRY_URL: sim.url, DATABASE_URL: join(dir, 'gateway.db') });
  const { vendors, admin } = credentials(dir);
  const batch = distinctBatch(300, 20);
  const refused = [batch.DanhSachHocSinh[3], batch.DanhSachHocSinh[11]].map((s) => `${s.MaHocSinh}/${batch.NamHoc}`);
  await sendJson('PUT', sim.url + '/_sim/faults', { rejectRecordKeys: refused });
  const { submissionId } = await postBatch(gw.url, vendors.vnedu, batch);
  await eventually('18 acknowledged and 2 dead', async () => {
    const c = await countsOf(gw.url, vendors.vnedu, [submissionId]);
    return c.acknowledged === 18 && c.dead === 2 ? c : null;
  }, 60_000);
  const dead = await getJson<{ records: { recordId: string; recordKey: string; lastCode: string; lastReason: string }[] }>(`${gw.url}/admin/v1/records?state=dead`, admin);
  t.same(dead.records.map((r) => r.recordKey).sort(), [...refused].sort(), 'the refused records are dead');
  for (const r of dead.records) {
    t.equal(r.lastCode, 'RECORD_REFUSED', 'with the Ministry\'s code');
    t.match(r.lastReason, /Ministry: refused by fault injection/, 'and its reason');
  }

  await sendJson('DELETE', sim.url + '/_sim/faults', {});
  const replay = await sendJson('POST', `${gw.url}/admin/v1/replay`, { filter: { code: 'RECORD_REFUSED' }, reason: 'fixed at the school' }, admin);
  t.equal(replay.replayed, 2);
  await eventually('the replayed records acknowledged', async () => {
    const c = await countsOf(gw.url, vendors.vnedu, [submissionId]);
    return c.acknowledged === 20 ? c : null;
  }, 60_000);
  const records = await getJson<{ unique: number; records: { recordKey: string }[] }>(sim.url + '/_sim/records');
  t.equal(records.unique, 20);
  t.ok(refused.every((k) => records.records.some((r) => r.recordKey === k)), 'under their own keys');
  const timeline = await getJson<{ timeline: { from: string; to: string }[] }>(`${gw.url}/admin/v1/records/${dead.records[0].recordId}`, admin);
  t.same(timeline.timeline.map((e) => e.to), ['queued', 'sending', 'dead', 'queued', 'sending', 'acknowledged'], 'the timeline shows death and replay');
  t.equal(timeline.timeline[0].from, 'received');
  await gw.stop();
});
