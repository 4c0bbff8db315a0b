import t from 'tap';
import { freshSchema } from './helpers/postgres.js';
import {
  countsOf,
  credentials,
  dataDir,
  distinctBatch,
  getJson,
  postBatch,
  startGatewayProcess,
  startSimulatorProcess,
  type SimDeliveries,
  waitForDrain,
} from './helpers/processes.js';

// Two gateway replicas on one PostgreSQL share the outbox: vendors post to either, both drain
// it (FOR UPDATE SKIP LOCKED claims, renewed leases), and no record is ever sent by both.

t.setTimeout(240_000); // bounded; typically about two minutes on two cores

const BATCHES = 20;
const SIZE = 500;
const TOTAL = BATCHES * SIZE;

t.test('two replicas on PostgreSQL drain 10,000 records and no record is sent by both', async (t) => {
  const databaseUrl = await freshSchema(t);
  const dir = dataDir(t); // shared: the province's signing key and the demo credentials
  const sim = await startSimulatorProcess(t, dir);
  const settings = {
    logLevel: 'warn',
    delivery: { packetSize: 250, concurrency: 2, pollIntervalMs: 100, leaseMs: 5000 },
    ministry: { timeoutMs: 60_000 },
  };
  const env = { MINISTRY_URL: sim.url, DATABASE_URL: databaseUrl };
  const a = await startGatewayProcess(t, dir, settings, env, 'replica-a');
  const b = await startGatewayProcess(t, dir, settings, env, 'replica-b');
  const key = credentials(dir).vendors.vnedu;

  const ids: string[] = [];
  for (let i = 0; i < BATCHES; i++) {
    const gw = i % 2 === 0 ? a : b; // vendors reach either replica through the load balancer
    const accepted = await postBatch(gw.url, key, distinctBatch(100 + i, SIZE));
    ids.push(accepted.submissionId);
  }
  t.equal(ids.length, BATCHES, `${TOTAL} records accepted through both replicas`);

  const counts = await waitForDrain('two replicas', sim.url, TOTAL, a.url, key, ids, 220_000);
  t.same(counts, { acknowledged: TOTAL }, 'all acknowledged, read through replica A');
  t.same(await countsOf(b.url, key, ids), counts, 'replica B sees the same outbox');

  const records = await getJson<{ unique: number; duplicates: number }>(sim.url + '/_sim/records');
  t.equal(records.unique, TOTAL, 'the Ministry holds 10,000 unique records');
  t.equal(records.duplicates, 0, 'and received none twice');
  const d = await getJson<SimDeliveries>(sim.url + '/_sim/deliveries');
  t.equal(d.keys, TOTAL);
  const sentTwice = Object.entries(d.byKey).filter(([, list]) => list.length > 1);
  const bySeveral = Object.entries(d.byKey).filter(([, list]) => new Set(list.map((x) => x.session)).size > 1);
  t.same(sentTwice.map(([k]) => k), [], 'no record was sent twice');
  t.same(bySeveral.map(([k]) => k), [], 'no record was sent by both replicas');
  const shares = Object.values(d.sessions);
  t.equal(shares.length, 2, 'two senders (one login session per replica)');
  t.ok(shares.every((n) => n >= SIZE), `both replicas did real work (${shares.join(' + ')})`);
  await Promise.all([a.stop(), b.stop()]);
});
