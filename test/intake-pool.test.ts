import { sampleVneduBatch } from '../src/adapters/vnedu/sample.js';
import t from 'tap';
import { getAdapter } from '../src/adapters/registry.js';
import { loadSettings } from '../src/config/settings.js';
import { requestHashOf } from '../src/pipeline/batch-intake.js';
import { createBatchIntake } from '../src/pipeline/intake-pool.js';
import { uuidv7 } from '../src/ids/uuid-v7.js';

const settings = loadSettings({});
const validation = { rules: settings.rules, referenceData: settings.referenceData, provinceCode: settings.provinceCode };

/** The outcome with the per-call record IDs taken out, so two runs of one batch compare equal. */
function withoutIds(o: unknown): unknown {
  return JSON.parse(JSON.stringify(o, (k, v) => (k === 'recordId' || k === 'id' ? undefined : v)));
}

t.test('worker threads and the calling thread give the same outcome for one batch', async (t) => {
  // 40 records: large enough (over 32 kB) to be handed to a worker thread.
  const batch = sampleVneduBatch(40, 11) as { DanhSachHocSinh: Record<string, unknown>[] };
  batch.DanhSachHocSinh[3]!.NgaySinh = '31/02/2015'; // one invalid record among valid ones
  const json = JSON.stringify(batch);
  const local = createBatchIntake({ workers: 0, maxRecords: 5000, validation });
  const pool = createBatchIntake({ workers: 2, maxRecords: 5000, validation });
  t.teardown(() => pool.close());
  const [a, b] = await Promise.all([local.run({ vendor: 'vnedu', mediaType: 'application/json', body: json }), pool.run({ vendor: 'vnedu', mediaType: 'application/json', body: json })]);
  t.ok(json.length > 32 * 1024, 'the batch goes to a thread');
  t.equal(a.kind, 'ok');
  t.same(withoutIds(b), withoutIds(a));
  t.equal(a.requestHash, requestHashOf(batch), 'the request hash is the hash of the batch, not of its whitespace');
  t.equal((await pool.run({ vendor: 'vnedu', mediaType: 'application/json', body: JSON.stringify(batch, null, 2) })).requestHash, a.requestHash);
  if (a.kind !== 'ok') return;
  t.equal(a.result.outcomes.filter((o) => o.status === 'rejected').length, 1);
  t.equal(a.result.outcomes[3]!.status, 'rejected');
});

t.test('a small submission never waits behind a large batch: with every thread holding one it maps in the calling thread', async (t) => {
  // The event loop reported busy, so small submissions would go to a thread, were one free of large batches.
  const pool = createBatchIntake({ workers: 1, spareWorkers: 0, maxRecords: 5000, validation }, { busierThan: () => true });
  t.teardown(() => pool.close());
  const small = { vendor: 'vnedu', mediaType: 'application/json', body: JSON.stringify(sampleVneduBatch(1, 12)) };
  await pool.run(small); // starts the thread
  const large = { vendor: 'vnedu', mediaType: 'application/json', body: JSON.stringify(sampleVneduBatch(1500, 13)) };
  const order: string[] = [];
  const big = pool.run(large).then((o) => (order.push('large'), o));
  const one = pool.run(small).then((o) => (order.push('small'), o));
  const [b, s] = await Promise.all([big, one]);
  t.same([b.kind, s.kind], ['ok', 'ok']);
  t.same(order, ['small', 'large'], 'the small one was answered while the only thread read the large one');
});

t.test('a text body posted as bytes is decoded by the intake: the outcome of its text', async (t) => {
  const local = createBatchIntake({ workers: 0, maxRecords: 5000, validation });
  const json = JSON.stringify(sampleVneduBatch(5, 14));
  t.match(json, /[^\x00-\x7f]/, 'Vietnamese text, so UTF-8 of more than one byte');
  const [fromText, fromBytes] = await Promise.all([local.run({ vendor: 'vnedu', mediaType: 'application/json', body: json }), local.run({ vendor: 'vnedu', mediaType: 'application/json', body: Buffer.from(json) })]);
  t.equal(fromBytes.kind, 'ok');
  t.same(withoutIds(fromBytes), withoutIds(fromText));
  // Not JSON once decoded: the same answer as the text's.
  t.same(await local.run({ vendor: 'vnedu', mediaType: 'application/json', body: Buffer.from('{"a": ') }), await local.run({ vendor: 'vnedu', mediaType: 'application/json', body: '{"a": ' }));
});

t.test('an unreadable envelope, too many records and an unknown vendor are told apart', async (t) => {
  const pool = createBatchIntake({ workers: 1, maxRecords: 5, validation });
  t.teardown(() => pool.close());
  t.equal((await pool.run({ vendor: 'vnedu', mediaType: 'application/json', body: JSON.stringify({ DanhSachHocSinh: 'none' }) })).kind, 'format');
  const six = sampleVneduBatch(6, 2);
  t.match(await pool.run({ vendor: 'vnedu', mediaType: 'application/json', body: JSON.stringify(six) }), { kind: 'too-many', count: 6 });
  t.equal((await pool.run({ vendor: 'no-such-vendor', mediaType: 'application/json', body: '{}' })).kind, 'no-adapter');
});

t.test('record IDs are UUIDv7: version 7, variant 10, in the order they were made', async (t) => {
  const ids = Array.from({ length: 5000 }, () => uuidv7());
  for (const id of ids.slice(0, 50)) t.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.same([...ids].sort(), ids, 'sorted as made, also within one millisecond');
  t.equal(new Set(ids).size, ids.length, 'no two alike');
  const at = Date.now() + 60_000;
  t.equal(parseInt(uuidv7(at).replace(/-/g, '').slice(0, 12), 16), at, 'the first 48 bits are the time');
});
