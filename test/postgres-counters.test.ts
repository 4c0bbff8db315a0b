import { randomUUID } from 'node:crypto';
import pg from 'pg';
import t from 'tap';
import { uuidv7 } from '../src/ids/uuid-v7.js';
import { PostgresStore } from '../src/storage/postgres/postgres-store.js';
import type { NewRecord, RetryPolicy } from '../src/storage/store.js';
import { freshSchema } from './helpers/postgres.js';

// PostgreSQL's progress counters (migrations 8 and 11): transactions that add records of one
// vendor, school and grade do not wait for each other's commit on a counter row, and the counts
// stay exact while the appended changes are folded into the counters, by two replicas at once.

const POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, capDelayMs: 1000, totalTimeMs: 60_000 };

function queued(n: number): NewRecord[] {
  const prefix = randomUUID().slice(0, 8);
  return Array.from({ length: n }, (_, i) => ({
    id: randomUUID(), index: i, recordKey: `${prefix}${i}/2024-2025`, contentHash: `h-${prefix}-${i}`, recordXml: '<hocba/>', version: 1,
    state: 'queued', errors: null, schoolId: '01001234', grade: 3,
  }));
}

const submit = (store: PostgresStore, n: number) => {
  const id = uuidv7();
  return store.insertSubmission({ id, vendor: 'vnedu', idempotencyKey: null, requestHash: id, response: {}, createdAt: Date.now() }, queued(n), POLICY);
};

/** Inserts one queued record of vendor vnedu, school 01001234, grade 3 on `c`, in whatever transaction `c` is in. */
async function insertRecord(c: pg.Client, submissionId: string): Promise<void> {
  await c.query(
    `INSERT INTO records (id, submission_id, idx, state, max_attempts, base_delay_ms, cap_delay_ms, window_started_at, next_attempt_at, created_at, updated_at, vendor, school_id, grade)
     VALUES ($1, $2, 0, 'queued', 5, 100, 1000, 0, 0, 0, 0, 'vnedu', '01001234', 3)`,
    [randomUUID(), submissionId],
  );
}

t.test('two open transactions add records of one vendor, school and grade without waiting for each other', async (t) => {
  const url = await freshSchema(t);
  const store = new PostgresStore(url);
  t.teardown(() => store.close());
  await store.migrate();
  await submit(store, 1); // the counter rows exist, as they do in service
  const a = new pg.Client({ connectionString: url });
  const b = new pg.Client({ connectionString: url });
  await a.connect();
  await b.connect();
  t.teardown(() => Promise.all([a.end(), b.end()]));
  for (const c of [a, b]) {
    await c.query("INSERT INTO submissions (id, vendor, request_hash, response, created_at) VALUES ($1, 'vnedu', 'x', '{}', 0)", [`s-${c === a ? 'a' : 'b'}`]);
  }
  await a.query('BEGIN');
  await insertRecord(a, 's-a');
  // With the counters updated in place, b waited here for a's row lock until a committed.
  await b.query("SET lock_timeout = '2s'");
  await b.query('BEGIN');
  await t.resolves(insertRecord(b, 's-b'), 'the second transaction is not blocked by the first');
  await b.query('COMMIT');
  await a.query('COMMIT');
  t.same(await store.countByState(), { queued: 3 });
  const school = (await store.progress('school')).find((r) => r.key === '01001234');
  t.equal(school?.counts.queued, 3);
});

t.test('counts stay exact while two replicas fold the changes during concurrent submissions', async (t) => {
  const url = await freshSchema(t);
  const one = new PostgresStore(url);
  const two = new PostgresStore(url);
  t.teardown(() => Promise.all([one.close(), two.close()]));
  await one.migrate();
  const folder = new pg.Client({ connectionString: url });
  const other = new pg.Client({ connectionString: url });
  await folder.connect();
  await other.connect();
  t.teardown(() => Promise.all([folder.end(), other.end()]));

  let stop = false;
  const folds = [folder, other].map(async (c) => {
    let n = 0;
    while (!stop) {
      await c.query('SELECT record_counts_fold()');
      n++;
    }
    return n;
  });
  const writes: Promise<void>[] = [];
  for (let i = 0; i < 40; i++) writes.push(submit(i % 2 ? one : two, 1 + (i % 7)));
  await Promise.all(writes);
  // Some records move on, so that updates fold as well as inserts.
  const claimed = await one.claim('w', 30, Date.now(), 60_000);
  await one.acknowledge('w', 'p', claimed.slice(0, 20).map((r) => ({ id: r.id, ministryRecordId: `m-${r.id}`, code: 'accepted' })), Date.now());
  stop = true;
  const rounds = await Promise.all(folds);
  t.ok(rounds.every((n) => n > 0), `both replicas folded (${rounds.join(' and ')} times)`);

  const truth = Object.fromEntries((await folder.query('SELECT state, count(*)::int AS n FROM records GROUP BY state')).rows.map((r) => [r.state, r.n]));
  t.same(await one.countByState(), truth, 'the counters and their pending changes add up to the records');
  await folder.query('SELECT record_counts_fold()');
  t.equal((await folder.query('SELECT count(*)::int AS n FROM record_count_changes')).rows[0].n, 0, 'a fold leaves no change behind');
  t.same(await two.countByState(), truth, 'and the counters alone are exact');
});
