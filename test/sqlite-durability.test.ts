import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { WalSync } from '../src/storage/sqlite/wal-sync.js';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'hocba-sqlite-durability-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const policy = { maxAttempts: 3, baseDelayMs: 10, capDelayMs: 100, totalTimeMs: null };

function records(n: number, from: number) {
  return Array.from({ length: n }, (_, i) => ({
    id: `r-${from + i}`,
    index: i,
    recordKey: `K${from + i}/2024-2025`,
    version: 1,
    contentHash: `h${from + i}`,
    // Random text: the outbox packs payloads, and these must stay 2 kB once packed.
    recordXml: `<hocba>${randomBytes(2000).toString('base64')}</hocba>`,
    state: 'queued' as const,
    errors: null,
  }));
}

t.test('group commit: concurrent waiters share fsyncs, and one that arrives mid-sync waits for the next', async (t) => {
  const path = join(dir, 'wal-sync-file');
  writeFileSync(path, 'data');
  const ws = new WalSync(path);
  t.teardown(() => ws.close());
  await Promise.all(Array.from({ length: 100 }, () => ws.sync()));
  t.ok(ws.fsyncs >= 1 && ws.fsyncs <= 2, `100 waiters, ${ws.fsyncs} fsyncs`);
  const before = ws.fsyncs;
  const first = ws.sync();
  const second = ws.sync(); // arrives while the first is running: needs a sync that starts after it
  await Promise.all([first, second]);
  t.equal(ws.fsyncs, before + 2);
});

t.test('the checkpointer copies the WAL into the database file, and close leaves one self-contained file', async (t) => {
  const path = join(dir, 'outbox.db');
  const store = new SqliteStore(path);
  await store.migrate();
  for (let i = 0; i < 10; i++) {
    await store.insertSubmission({ id: `s-${i}`, vendor: 'vnedu', idempotencyKey: null, requestHash: 'h', response: {}, createdAt: Date.now() }, records(100, i * 100), policy);
  }
  // The gateway's own connection never checkpoints (wal_autocheckpoint = 0): growth of the main
  // file can only come from the checkpointer thread.
  // 1,000 records of 2 kB each: 2 MB that must reach the main file.
  let copied = false;
  for (let i = 0; i < 200 && !copied; i++) {
    await new Promise((r) => setTimeout(r, 50));
    copied = statSync(path).size > 2_000_000;
  }
  t.ok(copied, `the database file holds the records before close (${statSync(path).size} bytes)`);
  await store.close();
  t.notOk(existsSync(`${path}-wal`), 'no WAL left after close');
  const db = new Database(path, { readonly: true });
  t.teardown(() => db.close());
  t.equal((db.prepare("SELECT count(*) AS n FROM records WHERE state = 'queued'").get() as { n: number }).n, 1000);
});
