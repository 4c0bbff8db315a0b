import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import t from 'tap';
import { distinctBatch } from '../src/bench/data.js';
import { storageFaultOf } from '../src/storage/faults.js';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { api, eventually, startTestGateway } from './helpers/gateway.js';
import { freshSchema, PG_URL } from './helpers/postgres.js';

// Faults of the gateway's own storage (issue 14 items 14 and 15): a database that goes away
// or a disk that fills answers 503 DATABASE_UNAVAILABLE or 507 STORAGE_FULL with Retry-After,
// never 500; the process carries on and takes requests again once the fault is gone.

t.test('which errors are storage faults', async (t) => {
  const sqlite = (code: string) => Object.assign(new Error(code), { name: 'SqliteError', code });
  t.match(storageFaultOf(sqlite('SQLITE_FULL')), { code: 'STORAGE_FULL' });
  t.match(storageFaultOf(sqlite('SQLITE_IOERR_WRITE')), { code: 'DATABASE_UNAVAILABLE' });
  t.match(storageFaultOf(sqlite('SQLITE_BUSY')), { code: 'DATABASE_UNAVAILABLE' });
  t.equal(storageFaultOf(sqlite('SQLITE_CONSTRAINT_UNIQUE')), null, 'a constraint is a bug or a race, not a fault of the disk');
  t.match(storageFaultOf(Object.assign(new Error('write'), { code: 'ENOSPC', syscall: 'write' })), { code: 'STORAGE_FULL' });
  t.match(storageFaultOf(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })), { code: 'DATABASE_UNAVAILABLE', retryAfterSeconds: 5 });
  t.match(storageFaultOf(Object.assign(new Error('disk full'), { code: '53100' })), { code: 'STORAGE_FULL', retryAfterSeconds: 60 });
  t.match(storageFaultOf(Object.assign(new Error('terminating'), { code: '57P01' })), { code: 'DATABASE_UNAVAILABLE' });
  t.match(storageFaultOf(new Error('Connection terminated unexpectedly')), { code: 'DATABASE_UNAVAILABLE' });
  t.equal(storageFaultOf(Object.assign(new Error('syntax'), { code: '42601' })), null, 'an SQL error is ours: 500');
  t.equal(storageFaultOf(new TypeError('x is undefined')), null);
});

t.test('PostgreSQL connections cut while vendors post: 202 or 503 with Retry-After, never 500; the replica carries on', async (t) => {
  const app = `hocba-cut-${process.pid}`;
  const url = `${await freshSchema(t)}&application_name=${app}`;
  const gw = await startTestGateway(t, { databaseUrl: url });
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  t.teardown(() => admin.end());
  const cut = async () => (await admin.query('SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = $1', [app])).rows[0].n as string;
  const statuses = new Map<number, number>();
  let cuts = 0;
  let retryAfterMissing = 0;
  for (let b = 0; b < 24; b++) {
    const body = distinctBatch(b, 500, 7000 + b);
    body.DanhSachHocSinh = body.DanhSachHocSinh.slice(0, 20);
    const [res] = await Promise.all([
      api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body }),
      b % 3 === 0 ? cut().then((n) => (cuts += Number(n))) : Promise.resolve(),
    ]);
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status === 503) {
      t.equal(res.json?.code, 'DATABASE_UNAVAILABLE', 'the code says what');
      if (!res.headers.get('retry-after')) retryAfterMissing++;
    }
  }
  t.comment(`answers ${JSON.stringify(Object.fromEntries(statuses))}; ${cuts} connections cut`);
  t.ok(cuts > 0, 'connections were cut');
  t.notOk(statuses.has(500), 'never 500');
  t.same([...statuses.keys()].filter((s) => s !== 202 && s !== 503), [], 'only 202 or 503');
  t.equal(retryAfterMissing, 0, 'every 503 says when to retry');
  const after = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: { ...distinctBatch(99, 500, 7999), DanhSachHocSinh: distinctBatch(99, 500, 7999).DanhSachHocSinh.slice(0, 5) } });
  t.equal(after.status, 202, 'the replica takes requests again');
});

function mountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

t.test('SQLite on a full disk: 507 STORAGE_FULL with Retry-After, and 202 again once space is freed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hocba-full-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // A file system of its own, 16 MB, so that the disk really fills (needs root: CI runs as root).
  if (!mountTmpfs(dir, '16m')) {
    t.skip('mount -t tmpfs is not permitted here (not root)');
    return;
  }
  const gw = await startTestGateway(t, {
    dataDir: dir,
    health: { minDiskFreeBytes: 0, minDiskFreePercent: 0 },
    delivery: { pollIntervalMs: 20, leaseMs: 10_000, retry: { inProcessAttempts: 2, inProcessMinDelayMs: 10, inProcessMaxDelayMs: 50, maxAttempts: 1000, baseDelayMs: 30, capDelayMs: 200 } },
  });
  t.teardown(async () => {
    await gw.close();
    execFileSync('umount', ['-l', dir]);
  });
  // Space that the test gives back later, as an operator would by moving a file away.
  const filler = join(dir, 'filler');
  writeFileSync(filler, Buffer.alloc(10 * 1024 * 1024, 1));
  let full: Awaited<ReturnType<typeof api>> | null = null;
  for (let b = 0; b < 40 && !full; b++) {
    const res = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: distinctBatch(b, 500, 8000) });
    if (res.status === 507) full = res;
    else t.equal(res.status, 202, `batch ${b} accepted while there is room`);
  }
  t.ok(full, 'the disk filled');
  t.equal(full!.json?.code, 'STORAGE_FULL');
  t.match(full!.json?.detail_vi, /Ổ đĩa/, 'in Vietnamese too');
  t.ok(Number(full!.headers.get('retry-after')) > 0, 'with Retry-After');
  const ready = await api(gw, 'GET', '/readyz');
  t.equal(ready.status, 200, '/readyz still answers');
  unlinkSync(filler);
  const small = distinctBatch(77, 500, 8100);
  small.DanhSachHocSinh = small.DanhSachHocSinh.slice(0, 20);
  const again = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: small });
  t.equal(again.status, 202, 'space freed: accepted again, without a restart');
  // And delivery carries on: every accepted record reaches the Ministry (the WAL did not refill the disk).
  const settled = await eventually('delivery to resume', async () => {
    const c = await gw.store.countByState();
    return !c.queued && !c.sending && !c.retry ? c : null;
  }, 60_000).catch(async (e) => {
    t.comment(JSON.stringify(await gw.store.countByState()));
    t.comment(execFileSync('ls', ['-la', dir]).toString() + execFileSync('df', ['-k', dir]).toString());
    t.comment(gw.logs.filter((l) => /"level":(40|50)/.test(l)).slice(-8).join('\n').slice(0, 3000));
    throw e;
  });
  t.same(Object.keys(settled).filter((s) => s !== 'acknowledged'), [], `every record acknowledged (${settled.acknowledged})`);
});

t.test('SQLite: a connection that never checkpoints on its own still gets going again once space is freed (the WAL is kept within the free space)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hocba-wal-room-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  if (!mountTmpfs(dir, '8m')) {
    t.skip('mount -t tmpfs is not permitted here (not root)');
    return;
  }
  // No checkpointer thread: the worst case, where only the writing connection can give the WAL's
  // space back. Without the room kept for the WAL (storage/sqlite/wal-room.ts) every record stayed
  // in the WAL until the disk was full, and the 3 MB freed afterwards were less than the database
  // file needed to take the WAL in: no checkpoint could finish, and delivery's updates, each a
  // few new WAL pages, filled the freed space again.
  const store = new SqliteStore(join(dir, 'gateway.db'), { checkpoints: false });
  t.teardown(async () => {
    await store.close();
    execFileSync('umount', ['-l', dir]);
  });
  await store.migrate();
  const filler = join(dir, 'filler');
  writeFileSync(filler, Buffer.alloc(3 * 1024 * 1024, 1));
  const policy = { maxAttempts: 20, baseDelayMs: 10, capDelayMs: 100, totalTimeMs: null };
  const isFull = (e: unknown) => (e as { code?: string }).code === 'SQLITE_FULL';
  let accepted = 0;
  for (let s = 0; s < 100; s++) {
    const recs = Array.from({ length: 100 }, (_, i) => ({
      id: `r-${s}-${i}`,
      index: i,
      recordKey: `K${s}-${i}/2024-2025`,
      version: 1,
      contentHash: `h${s}-${i}`,
      recordXml: `<hocba>${randomBytes(1500).toString('base64')}</hocba>`,
      state: 'queued' as const,
      errors: null,
    }));
    try {
      await store.insertSubmission({ id: `s-${s}`, vendor: 'vnedu', idempotencyKey: null, requestHash: 'h', response: {}, createdAt: Date.now() }, recs, policy);
      accepted += recs.length;
    } catch (e) {
      if (!isFull(e)) throw e;
      break;
    }
  }
  t.ok(accepted > 0 && accepted < 10_000, `the disk filled after ${accepted} records`);
  unlinkSync(filler);
  // Deliver every record, as the delivery thread would while the Ministry is unavailable for a
  // while: each record is refused three times (a retry each, due at once) and then acknowledged;
  // a write the store refuses (disk full) is tried again 200 ms later. The updates add up to
  // several times the space freed, so they only fit if the WAL can be checkpointed and reused.
  const tries = new Map<string, number>();
  const deadline = Date.now() + 30_000;
  let refusals = 0;
  for (;;) {
    const c = await store.countByState();
    if (!c.queued && !c.sending && !c.retry) break;
    if (Date.now() > deadline) break;
    try {
      const now = Date.now();
      const claimed = await store.claim('W', 50, now, 300);
      const fail = claimed.filter((r) => (tries.get(r.id) ?? 0) < 3);
      const ack = claimed.filter((r) => (tries.get(r.id) ?? 0) >= 3);
      if (fail.length) await store.scheduleRetry('W', fail.map((r) => ({ id: r.id, code: 'MINISTRY_UNAVAILABLE', reason: 'test', nextAttemptAt: now })), now);
      for (const r of fail) tries.set(r.id, (tries.get(r.id) ?? 0) + 1);
      if (ack.length) await store.acknowledge('W', 'PKT', ack.map((r) => ({ id: r.id, ministryRecordId: null, code: 'accepted' as const })), now);
      if (!claimed.length) await new Promise((r) => setTimeout(r, 50));
    } catch (e) {
      if (!isFull(e)) throw e;
      refusals++;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const counts = await store.countByState();
  t.comment(`${refusals} writes refused after space was freed; WAL ${statSync(join(dir, 'gateway.db-wal'), { throwIfNoEntry: false })?.size ?? 0} bytes`);
  t.same(counts, { acknowledged: accepted }, 'every record acknowledged once space was freed');
});
