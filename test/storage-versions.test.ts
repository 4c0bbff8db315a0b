import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { MIGRATIONS } from '../src/storage/sqlite/migrations.js';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import type { NewRecord } from '../src/storage/store.js';

// Store.latestVersions and migration 2: the highest accepted version per record key, including
// for rows written before the migration (their version is read from their XML).

const policy = { maxAttempts: 3, baseDelayMs: 10, capDelayMs: 100 };
const row = (id: string, key: string | null, version: number | null, state: 'queued' | 'rejected', hash = `h-${id}`): NewRecord => ({
  id,
  index: 0,
  recordKey: key,
  version,
  contentHash: state === 'queued' ? hash : null,
  recordXml: state === 'queued' ? `<hocba xmlns="urn:moet:hocba:record:v1"><recordId>${id}</recordId><lookupCode>x</lookupCode><effectiveDate>2025-05-31</effectiveDate><version>${version}</version></hocba>` : null,
  state,
  errors: state === 'rejected' ? [] : null,
});

t.test('latestVersions: the highest accepted version per key, rejected rows ignored', async (t) => {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  t.teardown(() => store.close());
  const sub = (id: string) => ({ id, vendor: 'v', idempotencyKey: null, requestHash: id, response: {}, createdAt: Date.now() });
  await store.insertSubmission(sub('s1'), [row('a1', 'A/2024-2025', 1, 'queued'), row('b1', 'B/2024-2025', 3, 'queued')], policy);
  await store.insertSubmission(sub('s2'), [row('a2', 'A/2024-2025', 2, 'queued', 'hash-a2'), row('b2', 'B/2024-2025', 9, 'rejected')], policy);
  const latest = await store.latestVersions(['A/2024-2025', 'B/2024-2025', 'C/2024-2025']);
  t.same([...latest.entries()].sort(), [
    ['A/2024-2025', { version: 2, contentHash: 'hash-a2', held: false, heldForSignatures: false }],
    ['B/2024-2025', { version: 3, contentHash: 'h-b1', held: false, heldForSignatures: false }],
  ]);
  t.same(await store.latestVersions([]), new Map());
  const many = Array.from({ length: 1200 }, (_, i) => `K${i}/2024-2025`);
  t.equal((await store.latestVersions([...many, 'A/2024-2025'])).get('A/2024-2025')?.version, 2, 'more keys than one statement binds');
});

t.test('migration 2 gives rows written before it their version, read from the XML', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hocba-mig-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'gw.db');
  // A database as the walking skeleton left it: migration 1 only, one queued v0 record.
  const db = new Database(path);
  db.exec('CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  db.exec(MIGRATIONS[0]!.sql);
  db.prepare('INSERT INTO schema_migrations VALUES (1, ?, 0)').run(MIGRATIONS[0]!.name);
  db.prepare("INSERT INTO submissions VALUES ('s0', 'vnedu', NULL, 'h', '{}', 0)").run();
  const insert = db.prepare(`INSERT INTO records (id, submission_id, idx, record_key, content_hash, record_xml, state, max_attempts, base_delay_ms, cap_delay_ms, next_attempt_at, created_at, updated_at)
    VALUES (?, 's0', 0, ?, ?, ?, ?, 3, 10, 100, 0, 0, 0)`);
  insert.run('old', 'L1/2023-2024', 'hash-old', '<hocba xmlns="urn:moet:hocba:record:v0"><recordId>HB-1</recordId><lookupCode>TC</lookupCode><effectiveDate>2024-05-31</effectiveDate><version>7</version><student></student></hocba>', 'acknowledged');
  insert.run('bad', null, null, null, 'rejected');
  insert.run('waiting', 'L2/2023-2024', 'hash-w', '<hocba xmlns="urn:moet:hocba:record:v0"><version>2</version></hocba>', 'queued');
  db.close();

  const store = new SqliteStore(path);
  await store.migrate();
  t.teardown(() => store.close());
  t.same([...(await store.latestVersions(['L1/2023-2024'])).entries()], [['L1/2023-2024', { version: 7, contentHash: 'hash-old', held: false, heldForSignatures: false }]]);
  t.same(await store.countByState(), { acknowledged: 1, rejected: 1, queued: 1 }, 'migration 8 counted the rows written before it');
  // Migration 7 moved the payloads, stored as text then, out of the records rows: they read as they were.
  const claimed = await store.claim('w', 10, Date.now(), 60_000);
  t.same(claimed.map((c) => [c.id, c.recordXml]), [['waiting', '<hocba xmlns="urn:moet:hocba:record:v0"><version>2</version></hocba>']], 'an older text payload is claimed as it was');
  await store.migrate();
  t.pass('migrating again changes nothing');
  const ids = MIGRATIONS.map((m) => m.id);
    t.same(ids, [...new Set(ids)].sort((a, b) => a - b), 'migrations are numbered in order, each once');
    t.ok(ids.includes(2), 'migration 2 is there');
});
