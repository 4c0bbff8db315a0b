import { randomInt } from 'node:crypto';
import pg from 'pg';
import { countInserted } from '../storage/outbox/record-counts.js';
import { purgePayloads } from '../admin/retention.js';
import { validationContextFrom } from '../config/validation-context.js';
import { loadSettings } from '../config/settings.js';
import { runBatchIntake } from '../pipeline/batch-intake.js';
import type { Store } from '../storage/store.js';
import { distinctBatch, singleRecordBodies } from './data.js';

const benchSettingsFor = () => loadSettings({}, { dataDir: '/tmp/hocba-bench-q', databaseUrl: ':memory:' });
import { benchGateway, benchSettings, scratch, type Scratch } from './gateway-fixture.js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { pacedLoad, quantile } from './paced-load.js';
import { makeRow, type BenchRow } from './report.js';

// (q) The province's queries at year-end scale (issue 16 item 3): an outbox of 2,000,000 records
// across 1,000 schools, filled with set-based SQL (not through HTTP: intake is section a; the
// records' own indexes dropped for the fill and built again from their own SQL after it, as a
// bulk load does, while the triggers write the timeline and the counts row by row), then
// the dashboard's progress table, the search by student ID and a filtered dead-record listing,
// each through the store's own method and timed 200 times (the progress table 20), p99 beside the
// p99 of a primary-key lookup of one record in the same run. Then the retention purge of the
// payloads of 1,000,000 acknowledged records: its rate, and the p99 of single submissions
// arriving evenly at 100/s while it runs, beside the same load just before it.
//
// The rows: 95% acknowledged, 2% queued, 2% dead (RECORD_REFUSED), 1% rejected; learner IDs of
// 15 digits (school + number), grades 1-12; the newest acknowledged records, half the records in
// all, keep a payload (one real record packed, 570 bytes); the older ones' were purged by an
// earlier run, and the purge's cursor stands after them.

const SCHOOLS = 1000;
const PURGE_BATCH = 500; // retention.batchSize as configured by default
const LOAD_RATE = 100;

interface Filled {
  store: Store;
  close(): Promise<void>;
}

const schoolId = (k: number) => String(1_000_000 + k).padStart(8, '0');
const learnerId = (i: number) => `${schoolId(i % SCHOOLS)}${String(Math.floor(i / SCHOOLS)).padStart(7, '0')}`;

const progress = (what: string) => process.stderr.write(`bench q: ${what}\n`);

/** The columns every filled row gets; `i` is the row number (SQLite: the CTE's, PostgreSQL: generate_series'). */
function rowSql(i: string, fmt: (pattern: string, ...args: string[]) => string, t0: number) {
  const m = `(${i}) % 100`;
  return `${fmt('00000000-0000-7000-8000-%s', `lpad12(${i})`)}, 'bench-fill', (${i}) % 500,
    ${fmt('%s%s/2024-2025', `lpad8(1000000 + (${i}) % ${SCHOOLS})`, `lpad7((${i}) / ${SCHOOLS})`)}, 'h' || (${i}),
    CASE WHEN ${m} < 99 THEN 1 END,
    CASE WHEN ${m} < 95 THEN 'acknowledged' WHEN ${m} < 97 THEN 'queued' WHEN ${m} < 99 THEN 'dead' ELSE 'rejected' END,
    12, 2000, 600000, 259200000, ${t0} + (${i}), ${t0} + (${i}),
    CASE WHEN ${m} < 95 THEN 'accepted' WHEN ${m} < 97 THEN NULL WHEN ${m} < 99 THEN 'RECORD_REFUSED' ELSE 'VALIDATION' END,
    'bench fill', ${t0} + (${i}), ${t0} + (${i}), 1, lpad8(1000000 + (${i}) % ${SCHOOLS}),
    ${fmt('%s%s', `lpad8(1000000 + (${i}) % ${SCHOOLS})`, `lpad7((${i}) / ${SCHOOLS})`)}, 1 + (${i}) % 12, '1A', '2024-2025', 'vnedu', 1`;
}

const COLUMNS = `id, submission_id, idx, record_key, content_hash, payload_kept, state, max_attempts, base_delay_ms, cap_delay_ms,
  total_time_ms, window_started_at, next_attempt_at, last_code, last_reason, created_at, updated_at, record_version, school_id,
  learner_id, grade, class_name, school_year, vendor, attempts`;

const CHUNK = 250_000;
// SQLite's fill runs on the event loop, which the PostgreSQL client needs between its chunks: a
// turn every 50,000 rows (about 3 s) keeps both going.
const SQLITE_CHUNK = 50_000;

const ACKNOWLEDGED = (i: number) => i % 100 < 95; // as rowSql's states
const recordId = (i: number) => `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`;

/** The first row that keeps its payload: from it on, the acknowledged rows are half of all `n`. */
function firstKept(n: number): number {
  let i = n;
  for (let kept = 0; kept < n / 2 && i > 0; ) if (ACKNOWLEDGED(--i)) kept++;
  return i;
}

/** Where an earlier purge run stopped: at the row before the first kept payload. */
const cursorBefore = (kept: number, t0: number): [number, string] => [t0 + kept - 1, recordId(kept - 1)];

async function fillSqlite(s: Scratch, n: number, t0: number, payload: Buffer): Promise<Filled> {
  const { SqliteStore } = await import('../storage/sqlite/sqlite-store.js');
  const store = new SqliteStore(s.databaseUrl);
  await store.migrate();
  const db = (store as unknown as { db: import('better-sqlite3').Database }).db;
  db.function('lpad12', (x: number) => String(x).padStart(12, '0'));
  db.function('lpad8', (x: number) => String(x).padStart(8, '0'));
  db.function('lpad7', (x: number) => String(Math.floor(x)).padStart(7, '0'));
  db.prepare("INSERT INTO submissions (id, vendor, idempotency_key, request_hash, response, created_at) VALUES ('bench-fill', 'vnedu', NULL, 'x', '{}', 0)").run();
  const fmt = (pattern: string, ...args: string[]) => `printf('${pattern}', ${args.join(', ')})`;
  const insert = db.prepare(`WITH RECURSIVE n(i) AS (SELECT @from UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @to)
    INSERT INTO records (${COLUMNS}) SELECT ${rowSql('i', fmt, t0)} FROM n`);
  const payloads = db.prepare(`WITH RECURSIVE n(i) AS (SELECT @from UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @to)
    INSERT INTO record_payloads (record_id, record_xml) SELECT printf('00000000-0000-7000-8000-%s', lpad12(i)), @payload FROM n
    WHERE i >= @kept AND i % 100 < 95`);
  // The outbox's own indexes, built once after the rows instead of row by row (below).
  const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' AND sql IS NOT NULL").all() as { name: string; sql: string }[];
  for (const ix of indexes) db.exec(`DROP INDEX "${ix.name}"`);
  const kept = firstKept(n);
  for (let from = 0; from < n; from += SQLITE_CHUNK) {
    const to = Math.min(n, from + SQLITE_CHUNK);
    db.transaction(() => {
      insert.run({ from, to });
      payloads.run({ from, to, payload, kept });
    })();
    if (to % CHUNK === 0 || to === n) progress(`SQLite: ${to.toLocaleString('en')} of ${n.toLocaleString('en')} records`);
    // PostgreSQL fills at the same time (benchTwoMillion): let its client send the next chunk.
    await yieldToEventLoop();
  }
  for (const ix of indexes) {
    db.exec(ix.sql);
    await yieldToEventLoop();
  }
  progress(`SQLite: ${indexes.length} indexes of records built`);
  // The progress counters, as the outbox's insert adds a submission's (its migration 14).
  db.prepare(countInserted.sqlite).run({ submission: 'bench-fill' });
  db.prepare('INSERT INTO purge_cursor (one, updated_at, record_id) VALUES (1, ?, ?)').run(...cursorBefore(kept, t0));
  // Checkpointed and synced, as the store's checkpointer does (synchronous FULL while it runs),
  // and as a table that took months to fill stands: checkpointed with the store's synchronous =
  // OFF, the fill's gigabytes were left to the OS, whose writeback then ran under the measured
  // load (single submissions' p99 86.9 ms just before the purge, against 9.2 in a run where the
  // writeback had ended first). PostgreSQL's fill ends with its CHECKPOINT likewise.
  db.pragma('synchronous = FULL');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('synchronous = OFF');
  return { store, close: () => store.close() };
}

async function fillPostgres(s: Scratch, n: number, t0: number, payload: Buffer, filling: () => void = () => undefined): Promise<Filled> {
  const { PostgresStore } = await import('../storage/postgres/postgres-store.js');
  const store = new PostgresStore(s.databaseUrl, { poolSize: 4 });
  await store.migrate();
  const c = new pg.Client({ connectionString: s.databaseUrl });
  await c.connect();
  try {
    await c.query(`CREATE FUNCTION pg_temp.lpad12(x bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lpad(x::text, 12, '0') $$`);
    await c.query(`CREATE FUNCTION pg_temp.lpad8(x bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lpad(x::text, 8, '0') $$`);
    await c.query(`CREATE FUNCTION pg_temp.lpad7(x bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lpad(x::text, 7, '0') $$`);
    await c.query("INSERT INTO submissions (id, vendor, idempotency_key, request_hash, response, created_at) VALUES ('bench-fill', 'vnedu', NULL, 'x', '{}', 0)");
    const fmt = (pattern: string, ...args: string[]) => `format('${pattern}', ${args.join(', ')})`;
    const sql = rowSql('i', fmt, t0).replaceAll('lpad12(', 'pg_temp.lpad12(').replaceAll('lpad8(', 'pg_temp.lpad8(').replaceAll('lpad7(', 'pg_temp.lpad7(');
    // The outbox's own indexes (not those behind a key or constraint), built once after the rows.
    const { rows: indexes } = await c.query<{ indexdef: string; indexname: string }>(`SELECT indexname, indexdef FROM pg_indexes i
      WHERE schemaname = current_schema() AND tablename = 'records'
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)`);
    for (const ix of indexes) await c.query(`DROP INDEX ${JSON.stringify(ix.indexname)}`);
    filling();
    const kept = firstKept(n);
    for (let from = 0; from < n; from += CHUNK) {
      const to = Math.min(n, from + CHUNK);
      await c.query(`INSERT INTO records (${COLUMNS}) SELECT ${sql} FROM generate_series($1::bigint, $2::bigint - 1) AS i`, [from, to]);
      await c.query(`INSERT INTO record_payloads (record_id, record_xml)
        SELECT format('00000000-0000-7000-8000-%s', pg_temp.lpad12(i)), $3 FROM generate_series($1::bigint, $2::bigint - 1) AS i
        WHERE i >= $4 AND i % 100 < 95`, [from, to, payload, kept]);
      progress(`PostgreSQL: ${to.toLocaleString('en')} of ${n.toLocaleString('en')} records`);
    }
    await c.query('INSERT INTO purge_cursor (one, updated_at, record_id) VALUES (1, $1, $2)', cursorBefore(kept, t0));
    await c.query(`SET maintenance_work_mem = '256MB'`);
    for (const ix of indexes) await c.query(ix.indexdef);
    progress(`PostgreSQL: ${indexes.length} indexes of records built`);
    // What autovacuum does after a bulk load: statistics for the planner, and the visibility map.
    await c.query('VACUUM ANALYZE');
    // And what the checkpointer does in the months such a table takes to fill: without it the
    // fill's gigabytes of dirty pages were written out under the measured load (single
    // submissions' commits waited on them: p99 163 ms before the purge had started). SQLite's
    // fill ends with its checkpoint likewise.
    await c.query('CHECKPOINT');
  } finally {
    await c.end();
  }
  return { store, close: () => store.close() };
}

async function p99Of(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return quantile(times.sort((a, b) => a - b), 0.99);
}

export async function benchTwoMillion(records: number, backends: readonly ('sqlite' | 'postgres')[]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const sample = await runBatchIntake({ vendor: 'vnedu', mediaType: 'application/json', body: JSON.stringify(distinctBatch(0, 500, 9300)) }, validationContextFrom(benchSettingsFor()), 500);
  if (sample.kind !== 'ok') throw new Error(sample.kind);
  // One real upper-secondary record, packed as the outbox stores it.
  const payload = Buffer.from(sample.result.records.find((r) => (r.grade ?? 0) >= 10)!.payload!);
  // Both outboxes are filled at once (SQLite's in this process, PostgreSQL's in its server: one
  // core each), then measured one at a time. 2,000,000 records on 2 cores: 116 and 108 s one
  // after the other, 171 s at once, 93 s at once with the indexes built after the rows.
  const t0 = Date.now() - records - 90 * 86_400_000; // every record older than the retention cutoff
  const scratches = new Map<'sqlite' | 'postgres', Scratch>();
  for (const backend of backends) scratches.set(backend, await scratch(backend));
  const start = performance.now();
  // PostgreSQL's first: its setup takes a few round trips, which SQLite's fill would hold up.
  const fills = new Map<'sqlite' | 'postgres', Promise<Filled>>();
  if (scratches.has('postgres')) {
    let filling!: () => void;
    const started = new Promise<void>((resolve) => (filling = resolve));
    const fill = fillPostgres(scratches.get('postgres')!, records, t0, payload, filling);
    fill.catch(() => undefined); // awaited below, in turn
    fills.set('postgres', fill);
    await Promise.race([started, fill.catch(() => undefined)]);
  }
  if (scratches.has('sqlite')) {
    const fill = fillSqlite(scratches.get('sqlite')!, records, t0, payload);
    fill.catch(() => undefined);
    fills.set('sqlite', fill);
  }
  try {
    await Promise.allSettled(fills.values());
    progress(`filled in ${Math.round((performance.now() - start) / 1000)} s; querying`);
    for (const backend of backends) {
      const db = backend === 'sqlite' ? 'SQLite' : 'PostgreSQL';
      const s = scratches.get(backend)!;
      try {
        const filled = await fills.get(backend)!;
        const store = filled.store;
        const scale = `${records.toLocaleString('en')} records, ${SCHOOLS.toLocaleString('en')} schools, ${db}`;
        const anyId = () => recordId(randomInt(records));
        const floor = await p99Of(200, () => store.getRecord(anyId()));
        const floorIs = 'one record by primary key (getRecord), p99, same run';
        const query = (name: string, value: number, boundBy: string) =>
          makeRow({ section: backend === 'sqlite' ? 'q' : 'q-pg', name: `${name} (${scale})`, value, unit: 'ms', floor: Math.max(floor, 0.01), floorIs, better: 'lower', target: 50, boundBy });
        const byIndex = 'its index: the rows it returns and their pages';
        // 100 runs: with 20, the p99 was the first run alone, the one that reads the pages from disk.
        rows.push(query('dashboard progress by school, p99: counts by state for every school', await p99Of(100, () => store.progress('school')),
          'record_counts (a row per school and state) and the oldest waiting record of each school (the partial index of waiting records)'));
        rows.push(query('search by student ID (learner ID), p99', await p99Of(200, () => store.listRecords({ learnerId: learnerId(randomInt(records)), limit: 50 })), byIndex));
        rows.push(query('dead records of one school, newest first, a page of 100, p99', await p99Of(200, () => store.listRecords({ state: 'dead', school: schoolId(randomInt(SCHOOLS)), limit: 100 })), byIndex));
        rows.push(query('dead records refused with one code, newest first, a page of 100, p99', await p99Of(200, () => store.listRecords({ state: 'dead', code: 'RECORD_REFUSED', limit: 100 })), byIndex));
        await filled.close();
        progress(`${db}: the purge of ${(records / 2).toLocaleString('en')} payloads, with submissions arriving`);
        rows.push(...(await benchPurge(s, backend, records)));
      } finally {
        scratches.delete(backend);
        await s.drop();
      }
    }
  } finally {
    // A fill or a measurement that failed: the other outbox's scratch goes as well.
    for (const s of scratches.values()) await s.drop().catch(() => undefined);
  }
  return rows;
}

/** The retention purge in a running gateway, with vendors' single submissions arriving evenly. */
async function benchPurge(s: Scratch, backend: 'sqlite' | 'postgres', records: number): Promise<BenchRow[]> {
  const db = backend === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const settings = benchSettings(s, { retention: { payloadDays: 30, batchSize: PURGE_BATCH, intervalMs: 0 } });
  const gw = await benchGateway(settings, false);
  try {
    const key = gw.demoCredentials!.vendors.vnedu!;
    const bodies = singleRecordBodies(6000, 9100);
    let next = 0;
    const load = (seconds: number) =>
      pacedLoad({ url: gw.url, path: '/v1/submissions', method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: () => bodies[next++ % bodies.length]!, rate: LOAD_RATE, seconds });
    // Warm-up: the first seconds of a new gateway (its connections, threads and compiled code) gave
    // PostgreSQL a p99 of 230 ms over 5 s, then 10 ms.
    await load(5);
    const quiet = await load(6);
    let purged = 0;
    let purgeSeconds = 0;
    let busy: Awaited<ReturnType<typeof load>> | null = null;
    const purging = (async () => {
      const t = performance.now();
      const r = await purgePayloads(gw.store, settings.retention!, {});
      purged = r.purged;
      purgeSeconds = (performance.now() - t) / 1000;
    })();
    busy = await load(10);
    await purging;
    if (purged < records / 2) throw new Error(`the purge cleared ${purged} payloads, expected ${records / 2}`);
    const section = backend === 'sqlite' ? 'q' : 'q-pg';
    return [
      makeRow({ section, name: `retention purge of ${purged.toLocaleString('en')} acknowledged records' payloads, batches of ${PURGE_BATCH} (${db})`, value: purged / purgeSeconds, unit: 'records/s', floor: purged / purgeSeconds, floorIs: 'itself: no floor for a purge (the rate is the figure)' }),
      makeRow({ section, name: `single-submission latency p99 at ${LOAD_RATE}/s while the purge runs (${db})`, value: busy.p99, unit: 'ms', floor: Math.max(quiet.p99, 0.1), floorIs: 'the same load just before the purge, p99', better: 'lower', target: 50, boundBy: 'the purge\'s write transactions between the submissions\' own' }),
    ];
  } finally {
    await gw.close();
  }
}
