import { join } from 'node:path';
import t from 'tap';
import { eventually } from './helpers/gateway.js';
import {
  credentials,
  dataDir,
  distinctBatch,
  getJson,
  postBatch,
  startGatewayProcess,
  startSimulatorProcess,
  simUnique,
  type SimDeliveries,
  waitForDrain,
} from './helpers/processes.js';

// kill -9 the gateway while it drains 5,000 records, start it again on the same data, and the
// Ministry (a separate simulator process that survives the crash) holds each record exactly
// once. What the gateway answered 202 for was committed; what was in flight at the kill is
// taken over when its lease expires and re-sent with the same record key and content hash.

t.setTimeout(240_000); // bounded; typically well under two minutes

const BATCHES = 10;
const SIZE = 500;
const TOTAL = BATCHES * SIZE;

t.test('kill -9 mid-drain, restart, and the Ministry holds exactly 5,000 records', async (t) => {
  const dir = dataDir(t);
  const sim = await startSimulatorProcess(t, dir);
  const settings = {
    logLevel: 'warn',
    delivery: { packetSize: 250, concurrency: 2, pollIntervalMs: 100, leaseMs: 3000 },
    ministry: { timeoutMs: 60_000 },
  };
  const env = { MINISTRY_URL: sim.url, DATABASE_URL: join(dir, 'gateway.db') };
  const first = await startGatewayProcess(t, dir, settings, env);
  const key = credentials(dir).vendors.vnedu;

  const ids: string[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const accepted = await postBatch(first.url, key, distinctBatch(b, SIZE));
    t.equal(accepted.queued, SIZE, `batch ${b}: 202 with ${SIZE} queued`);
    ids.push(accepted.submissionId);
  }

  const before = await eventually('the first records to reach the Ministry', async () => {
    const n = await simUnique(sim.url);
    return n >= 500 ? n : null;
  }, 120_000, 100);
  await first.kill9();
  const atKill = await simUnique(sim.url);
  t.ok(atKill < TOTAL, `killed mid-drain: ${atKill} of ${TOTAL} delivered (${before} seen just before)`);

  const second = await startGatewayProcess(t, dir, settings, env, 'restarted');
  const counts = await waitForDrain('after the restart', sim.url, TOTAL, second.url, key, ids, 200_000);
  t.same(counts, { acknowledged: TOTAL }, 'all 5,000 acknowledged, none dead, none left behind');

  const records = await getJson<{ unique: number; duplicates: number; records: { recordKey: string; contentHash: string }[] }>(sim.url + '/_sim/records');
  t.equal(records.unique, TOTAL, 'the Ministry holds exactly 5,000 unique records');
  const deliveries = await getJson<SimDeliveries>(sim.url + '/_sim/deliveries');
  const all = Object.values(deliveries.byKey).flat();
  t.equal(all.filter((d) => d.status === 'accepted').length, TOTAL, 'each record accepted once');
  t.equal(all.filter((d) => d.status === 'rejected').length, 0, 'no re-send was refused (same key, same content hash)');
  t.equal(records.duplicates, all.length - TOTAL, 'every re-send after the crash was counted as a duplicate');
  t.comment(`re-sent after the crash and answered duplicate: ${records.duplicates}`);

  // The gateway's record keys and hashes are the Ministry's.
  const byKey = new Map(records.records.map((r) => [r.recordKey, r.contentHash]));
  let same = 0;
  for (const id of ids) {
    const s = await getJson<{ records: { recordKey: string; contentHash: string }[] }>(`${second.url}/v1/submissions/${id}`, key);
    same += s.records.filter((r) => byKey.get(r.recordKey) === r.contentHash).length;
  }
  t.equal(same, TOTAL, 'every record the gateway holds is at the Ministry under its key with its content hash');
  await second.stop();
});
