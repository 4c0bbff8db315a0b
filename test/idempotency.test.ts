import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { api, startTestGateway, waitForStates, type TestGateway } from './helpers/gateway.js';
import { freshSchema } from './helpers/postgres.js';

// A vendor retrying with the same Idempotency-Key gets the same answer and creates nothing, even
// when its retries race each other, on one gateway or on two replicas sharing PostgreSQL.

const batch = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'examples', 'vnedu', 'batch-small.json'), 'utf8'));

async function race(t: Test, gateways: TestGateway[], key: string) {
  const headers = { 'idempotency-key': key };
  const answers = await Promise.all(
    Array.from({ length: 8 }, (_, i) => api(gateways[i % gateways.length], 'POST', '/v1/submissions', { token: gateways[0].vendorKey, body: batch, headers })),
  );
  t.same(answers.map((a) => a.status), Array(8).fill(202), 'every racing request is answered 202');
  const ids = new Set(answers.map((a) => a.json.submissionId));
  t.equal(ids.size, 1, 'with one and the same submission');
  t.ok(answers.every((a) => JSON.stringify(a.json) === JSON.stringify(answers[0].json)), 'and the same body');
  t.equal(answers.filter((a) => a.headers.get('idempotent-replayed') !== 'true').length, 1, 'one created it, the others replayed it');
  const [id] = ids;
  await waitForStates(gateways[0], id, (c) => c.acknowledged === 3);
  t.same(await gateways[0].store.countByState(), { acknowledged: 3 }, 'three records in all: nothing was created twice');
}


t.test('racing retries on one gateway (SQLite)', async (t) => {
  const gw = await startTestGateway(t);
  await race(t, [gw], 'race-sqlite-1');
});

t.test('racing retries across two replicas on PostgreSQL', async (t) => {
  const databaseUrl = await freshSchema(t);
  const a = await startTestGateway(t, { databaseUrl });
  const b = await startTestGateway(t, { databaseUrl, dataDir: a.dir, ministry: { url: a.simUrl } });
  t.equal(a.store.backend, 'postgres');
  await race(t, [a, b], 'race-pg-1');
  const reused = await api(b, 'POST', '/v1/submissions', { token: a.vendorKey, body: { ...batch, HieuTruong: 'Khác' }, headers: { 'idempotency-key': 'race-pg-1' } });
  t.equal(reused.status, 409, 'the key with another body is a conflict on the other replica too');
  t.equal(reused.json.code, 'IDEMPOTENCY_KEY_REUSED');
});
