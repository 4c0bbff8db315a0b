import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import type { NewRecord } from '../src/storage/store.js';
import { EventLoopLoad } from '../src/threads/loop-load.js';

// Group commit of the SQLite outbox (sqlite-store.ts insertSubmission): submissions that arrive
// in one turn of the event loop share a transaction, each in a savepoint of its own; a lock held
// by another connection is waited for in the event loop, not in SQLite's busy handler.

const policy = { maxAttempts: 3, baseDelayMs: 10, capDelayMs: 100 };
const row = (id: string, key: string): NewRecord => ({
  id,
  index: 0,
  recordKey: key,
  version: 1,
  contentHash: `h-${id}`,
  recordXml: `<hocba xmlns="urn:moet:hocba:record:v1"><recordId>${id}</recordId><version>1</version></hocba>`,
  state: 'queued',
  errors: null,
});
const sub = (id: string, idempotencyKey: string | null = null) => ({ id, vendor: 'v', idempotencyKey, requestHash: id, response: {}, createdAt: Date.now() });

function scratch(t: { teardown(f: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'hocba-group-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'gw.db');
}

t.test('submissions of one turn commit together; one that fails rejects only its own caller', async (t) => {
  const store = new SqliteStore(scratch(t));
  await store.migrate();
  t.teardown(() => store.close());
  const results = await Promise.allSettled([
    store.insertSubmission(sub('s1', 'k'), [row('r1', 'A/2024-2025')], policy),
    // The same Idempotency-Key as s1 (UNIQUE per vendor): its savepoint fails, the others commit.
    store.insertSubmission(sub('s2', 'k'), [row('r2', 'B/2024-2025')], policy),
    store.insertSubmission(sub('s3'), [row('r3', 'C/2024-2025')], policy),
  ]);
  t.same(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  t.match((results[1] as PromiseRejectedResult).reason, { code: /SQLITE_CONSTRAINT/ });
  t.ok(await store.getRecord('r1'));
  t.equal(await store.getRecord('r2'), null, 'nothing of the failed submission is stored');
  t.ok(await store.getRecord('r3'));
  t.same(await store.countByState(), { queued: 2 });
});

t.test('a write lock held by another connection is waited for without stopping the event loop', async (t) => {
  const path = scratch(t);
  const store = new SqliteStore(path);
  await store.migrate();
  t.teardown(() => store.close());
  const other = new Database(path);
  t.teardown(() => other.close());
  other.exec('BEGIN IMMEDIATE');
  let settled = false;
  const insert = store.insertSubmission(sub('s1'), [row('r1', 'A/2024-2025')], policy).finally(() => (settled = true));
  // Timers keep firing while the submission waits: SQLite's busy handler would have slept the
  // whole thread (and these timers with it) until the lock was let go.
  let ticks = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      ticks++;
      if (ticks === 20) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  t.equal(settled, false, 'the submission waits for the lock');
  other.exec('COMMIT');
  await insert;
  t.ok(await store.getRecord('r1'), 'and commits once it is let go');
});

t.test('EventLoopLoad reads the share of the last window the loop was busy', async (t) => {
  let clock = 0;
  let busy = 0;
  let idle = 0;
  // Readings as performance.eventLoopUtilization gives them: cumulative, or the difference to `last`.
  const read = (last?: { active: number; idle: number }) => {
    const now = { active: busy, idle, utilization: busy / (busy + idle || 1) };
    if (!last) return now;
    const a = busy - last.active;
    const i = idle - last.idle;
    return { active: a, idle: i, utilization: a / (a + i || 1) };
  };
  const load = new EventLoopLoad(read as never, () => clock);
  t.equal(load.busierThan(0.5), false, 'nothing measured yet');
  busy += 40;
  idle += 10;
  clock += 50;
  t.equal(load.busierThan(0.5), true, '80% busy');
  busy += 5;
  idle += 20;
  clock += 20;
  t.equal(load.busierThan(0.5), true, 'the window has not rolled over: still the last one');
  idle += 25;
  clock += 30;
  t.equal(load.busierThan(0.5), false, '10% busy over the next window');
});
