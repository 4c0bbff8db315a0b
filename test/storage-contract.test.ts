import { uuidv7 } from '../src/ids/uuid-v7.js';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { isAllowedTransition, RECORD_STATES, type RecordState } from '../src/delivery/states.js';
import { summarise } from '../src/admin/progress.js';
import { PostgresStore } from '../src/storage/postgres/postgres-store.js';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import type { NewRecord, RetryPolicy, Store } from '../src/storage/store.js';
import { freshSchema } from './helpers/postgres.js';

// One contract, every backend: whatever the delivery worker and the routes rely on is checked
// here against SQLite and PostgreSQL alike, on real databases.

interface Backend {
  name: string;
  /** Returns a function that opens a new connection (pool) to one fresh, shared database. */
  fresh(t: Test): Promise<() => Store>;
}

const backends: Backend[] = [
  {
    name: 'sqlite',
    async fresh(t) {
      const dir = mkdtempSync(join(tmpdir(), 'hocba-contract-'));
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      return () => new SqliteStore(join(dir, 'gateway.db'));
    },
  },
  {
    name: 'postgres',
    async fresh(t) {
      const url = await freshSchema(t);
      return () => new PostgresStore(url, { poolSize: 4 });
    },
  },
];

const POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, capDelayMs: 1000, totalTimeMs: 60_000 };
const T0 = 1_750_000_000_000;

function records(n: number, opts: { rejected?: number[]; prefix?: string } = {}): NewRecord[] {
  const prefix = opts.prefix ?? randomUUID().slice(0, 8);
  return Array.from({ length: n }, (_, i) => {
    const rejected = opts.rejected?.includes(i) ?? false;
    return {
      id: randomUUID(),
      index: i,
      recordKey: rejected ? null : `${prefix}${String(i).padStart(5, '0')}/2024-2025`,
      contentHash: rejected ? null : `hash-${prefix}-${i}`,
      recordXml: rejected ? null : `<hocba xmlns="urn:moet:hocba:record:v0"><n>${i}</n></hocba>`,
      version: rejected ? null : 1,
      state: rejected ? 'rejected' : 'queued',
      errors: rejected ? [{ code: 'SCHEMA_RANGE', index: i }] : null,
    };
  });
}

async function submit(store: Store, recs: NewRecord[], opts: { vendor?: string; key?: string | null; at?: number; policy?: RetryPolicy } = {}) {
  const id = uuidv7(); // ids sort in the order they were made, as the gateway's do (submissions page by id)
  const response = { submissionId: id, queued: recs.filter((r) => r.state === 'queued').length, note: 'ở đây' };
  await store.insertSubmission(
    { id, vendor: opts.vendor ?? 'vnedu', idempotencyKey: opts.key ?? null, requestHash: 'h-' + id, response, createdAt: opts.at ?? T0 },
    recs,
    opts.policy ?? POLICY,
  );
  return { id, response };
}

const states = (rows: { state: string }[]) => rows.map((r) => r.state);

for (const backend of backends) {
  t.test(backend.name, async (t) => {
    const open = await backend.fresh(t);
    const opened: Store[] = [];
    const connect = async () => {
      const s = open();
      opened.push(s);
      await s.migrate();
      return s;
    };
    t.teardown(async () => {
      for (const s of opened) await s.close();
    });

    // Two replicas starting together both run the migrations; each must apply once.
    const [store, second] = await Promise.all([connect(), connect()]);
    t.equal(store.backend, backend.name);

    t.test('migrations run again without effect, and the store answers', async (t) => {
      await store.migrate();
      await t.resolves(store.ping());
    });

    t.test('credentials are found by hash', async (t) => {
      const before = await store.countCredentials();
      await store.addCredential('hash-v-' + backend.name, { kind: 'vendor', vendor: 'vnedu', schools: ['01009876'] });
      await store.addCredential('hash-a-' + backend.name, { kind: 'admin', vendor: null, schools: null });
      t.match(await second.findCredential('hash-v-' + backend.name), { kind: 'vendor', vendor: 'vnedu', schools: ['01009876'], id: /^c_/, revokedAt: null });
      t.match(await store.findCredential('hash-a-' + backend.name), { kind: 'admin', vendor: null, schools: null });
      t.equal(await store.findCredential('nope'), null);
      t.equal(await store.countCredentials(), before + 2);
    });

    t.test('a submission and its records are stored together and read back in order', async (t) => {
      const recs = records(5, { rejected: [2] });
      const { id, response } = await submit(store, recs);
      const sub = await second.getSubmission(id);
      t.same(sub?.response, response, 'the answer is kept as given');
      t.equal(sub?.createdAt, T0);
      const rows = await second.listRecords({ submissionId: id });
      t.same(rows.map((r) => r.index), [0, 1, 2, 3, 4]);
      t.same(states(rows), ['queued', 'queued', 'rejected', 'queued', 'queued']);
      t.same(rows[2].errors, [{ code: 'SCHEMA_RANGE', index: 2 }]);
      t.equal(rows[2].lastCode, 'VALIDATION');
      t.equal(rows[0].recordKey, recs[0].recordKey);
      t.equal(rows[0].contentHash, recs[0].contentHash);
      t.equal(rows[0].maxAttempts, POLICY.maxAttempts);
      const events = await store.recordEvents(recs[0].id);
      t.same(events.map((e) => [e.fromState, e.toState, e.at]), [['received', 'queued', T0]]);
      t.match(events[0].reason, /accepted from vnedu/);
      t.same((await store.recordEvents(recs[2].id)).map((e) => [e.fromState, e.toState]), [['received', 'rejected']]);
      t.equal(await store.getSubmission('missing'), null);
      t.equal(await store.getRecord('missing'), null);
    });

    t.test('an Idempotency-Key is one submission per vendor; a second insert stores nothing', async (t) => {
      const key = 'idem-' + randomUUID();
      const first = await submit(store, records(3), { key });
      const found = await second.findSubmissionByIdempotencyKey('vnedu', key);
      t.equal(found?.id, first.id);
      t.same(found?.response, first.response);
      const dup = records(3);
      await t.rejects(submit(second, dup, { key }), 'the same key cannot be stored twice');
      t.equal(await store.getRecord(dup[0].id), null, 'the loser\'s records are rolled back');
      t.equal(await store.findSubmissionByIdempotencyKey('smas', key), null, 'keys are per vendor');
      await t.resolves(submit(store, records(1), { key, vendor: 'smas' }), 'another vendor may use the same key');
      await t.resolves(submit(store, records(1), { key: null }));
      await t.resolves(submit(store, records(1), { key: null }), 'submissions without a key do not collide');

      // Racing inserts with one key, from two connections: exactly one wins.
      const raceKey = 'race-' + randomUUID();
      const results = await Promise.allSettled([submit(store, records(50), { key: raceKey }), submit(second, records(50), { key: raceKey })]);
      t.equal(results.filter((r) => r.status === 'fulfilled').length, 1, 'one insert wins');
      const winner = await store.findSubmissionByIdempotencyKey('vnedu', raceKey);
      t.equal((await store.listRecords({ submissionId: winner!.id, limit: 1000 })).length, 50);
    });

    t.test('a packet that kills its sender uses an attempt each time, then its record goes dead; the longest waiting go first', async (t) => {
      const sweep = async (at: number) => {
        for (let c = await store.claim('sweeper', 1000, at, 1); c.length; c = await store.claim('sweeper', 1000, at, 1)) {
          await store.acknowledge('sweeper', 'PKT-sweep', c.map((r) => ({ id: r.id, ministryRecordId: null, code: 'accepted' })), at);
        }
      };
      const base = T0 + 100_000;
      await sweep(base);
      const [late] = records(1);
      const [early] = records(1);
      await submit(store, [late!], { at: base + 20, policy: { ...POLICY, maxAttempts: 2 } });
      await submit(store, [early!], { at: base + 10, policy: { ...POLICY, maxAttempts: 2 } });
      const first = await store.claim('K1', 1, base + 100, 1000);
      t.same(first.map((r) => r.id), [early!.id], 'the record due first is claimed first, whatever the order of insertion');
      t.equal(first[0]!.attempts, 1, 'the attempt is counted at the claim');
      // K1 dies with the packet; its lease expires; K2 takes the record over and dies too.
      const second_ = await second.claim('K2', 5, base + 1101, 1000);
      t.same(second_.map((r) => [r.id, r.attempts]), [[late!.id, 1], [early!.id, 2]], 'claimed again after the lease, the second attempt; behind a record due before its lease ended');
      // K2 dies with both.
      const third = await store.claim('K3', 5, base + 2102, 1000);
      t.notOk(third.some((r) => r.id === early!.id), 'no third claim: both attempts are used');
      t.match(await store.getRecord(early!.id), { state: 'dead', attempts: 2, lastCode: 'SENDER_LOST', lastReason: /lease of K2 expired during attempt 2 of 2/ });
      t.same((await store.recordEvents(early!.id)).map((e) => e.toState), ['queued', 'sending', 'sending', 'dead'], 'the timeline says so');
      t.same(third.map((r) => [r.id, r.attempts]), [[late!.id, 2]], 'the other record has an attempt left');
      await store.acknowledge('K3', 'PKT-K3', [{ id: late!.id, ministryRecordId: null, code: 'accepted' }], base + 2103);
    });

    t.test('claims, leases, guards and outcomes', async (t) => {
      // A clean queue first: settle whatever earlier subtests left queued.
      for (;;) {
        const c = await store.claim('sweeper', 1000, T0 + 5000, 1);
        if (c.length === 0) break;
        await store.acknowledge('sweeper', 'PKT-sweep', c.map((r) => ({ id: r.id, ministryRecordId: null, code: 'accepted' })), T0 + 5000);
      }
      const { id } = await submit(store, records(6, { rejected: [5] }), { at: T0 });
      const now = T0 + 10_000;
      const mine = await store.claim('A', 1000, now, 1000);
      t.equal(mine.length, 5, 'every queued record is claimed, the rejected one never');
      t.same(mine[0].recordXml.startsWith('<hocba'), true, 'the claim carries what the packet needs');
      t.same(
        { maxAttempts: mine[0].maxAttempts, baseDelayMs: mine[0].baseDelayMs, capDelayMs: mine[0].capDelayMs, totalTimeMs: mine[0].totalTimeMs, windowStartedAt: mine[0].windowStartedAt },
        { ...POLICY, windowStartedAt: T0 },
        'and the retry policy stored at acceptance',
      );
      t.same(states(await store.listRecords({ submissionId: id })).sort(), ['rejected', 'sending', 'sending', 'sending', 'sending', 'sending']);

      t.same(await second.claim('B', 1000, now + 500, 1000), [], 'a live lease keeps others out');
      // A renewed lease holds past its first end; only the holder can renew it.
      t.equal(await store.renewLease('A', mine.map((r) => r.id), now + 900, 1000), 5, 'the holder renews its lease');
      t.equal(await second.renewLease('B', mine.map((r) => r.id), now + 900, 1000), 0, 'nobody else can');
      t.same(await second.claim('B', 1000, now + 1500, 1000), [], 'the renewed lease holds past its first end');
      t.same((await store.recordEvents(mine[0].id)).map((e) => e.toState), ['queued', 'sending'], 'a renewal is not a state change');

      // A dies; its leases expire; B takes over. A's late answers must not count.
      const taken = await second.claim('B', 1000, now + 1901, 1000);
      t.same(taken.map((r) => r.id).sort(), mine.map((r) => r.id).sort(), 'expired leases are claimed by another worker');
      const [r0, r1, r2, r3, r4] = taken;
      await store.acknowledge('A', 'PKT-stale', [{ id: r0.id, ministryRecordId: 'MOET-X', code: 'accepted' }], now + 1002);
      await store.markDead('A', [{ id: r1.id, code: 'X', reason: 'stale' }], now + 1002);
      await store.scheduleRetry('A', [{ id: r2.id, code: 'X', reason: 'stale', nextAttemptAt: now }], now + 1002);
      await store.release('A', [r3.id], now + 1002);
      t.same(states(await Promise.all(taken.map((r) => store.getRecord(r.id).then((x) => x!)))), Array(5).fill('sending'), 'a stale owner changes nothing');
      const takeover = await store.recordEvents(r0.id);
      t.same(takeover.map((e) => [e.fromState, e.toState]), [['received', 'queued'], ['queued', 'sending'], ['sending', 'sending']]);
      t.match(takeover[2].reason, /lease of A expired; claimed by B/);

      // B's outcomes count.
      const t1 = now + 2000;
      await second.acknowledge('B', 'PKT-1', [{ id: r0.id, ministryRecordId: 'MOET-00000001', code: 'accepted' }, { id: r4.id, ministryRecordId: 'MOET-4', code: 'accepted' }], t1);
      await second.markDead('B', [{ id: r1.id, code: 'RECORD_REFUSED', reason: 'Ministry: refused' }], t1);
      await second.scheduleRetry('B', [{ id: r2.id, code: 'UNAVAILABLE', reason: 'HTTP 503', nextAttemptAt: t1 + 5000 }], t1);
      await second.release('B', [r3.id], t1);
      const ack = (await store.getRecord(r0.id))!;
      // Attempts are counted at each claim (issue 14 item 17): A's, which died with A, and B's.
      t.match(ack, { state: 'acknowledged', attempts: 2, ministryRecordId: 'MOET-00000001', packetId: 'PKT-1', lastCode: 'accepted', updatedAt: t1 });
      t.match(await store.getRecord(r1.id), { state: 'dead', attempts: 2, lastCode: 'RECORD_REFUSED', lastReason: 'Ministry: refused' });
      t.match(await store.getRecord(r2.id), { state: 'retry', attempts: 2, lastCode: 'UNAVAILABLE', nextAttemptAt: t1 + 5000 });
      t.match(await store.getRecord(r3.id), { state: 'queued', attempts: 1 }, 'released unsent: B\'s attempt is given back, A\'s is not');

      // Due times: the released one at once, the retry only when due.
      const again = await store.claim('C', 1000, t1 + 1, 10_000);
      t.same(again.map((r) => r.id), [r3.id], 'a released record is claimable at once; a retry waits');
      const due = await store.claim('C', 1000, t1 + 5000, 1000);
      t.same(due.map((r) => r.id), [r2.id]);
      t.equal(due[0].attempts, 3, 'the claim carries the attempts so far, this one included');
      await store.acknowledge('C', 'PKT-2', [{ id: r2.id, ministryRecordId: 'MOET-2', code: 'duplicate' }, { id: r3.id, ministryRecordId: 'MOET-3', code: 'accepted' }], t1 + 5001);
      t.match(await store.getRecord(r2.id), { state: 'acknowledged', attempts: 3, lastCode: 'duplicate' });

      // Replay a dead record: same key, attempts reset, retry window reopened.
      t.equal(await store.replay({ ids: [r0.id, r1.id] }, 'fixed at the school', t1 + 6000), 1, 'only dead records are replayed');
      const replayed = (await store.getRecord(r1.id))!;
      t.match(replayed, { state: 'queued', attempts: 0, lastCode: 'REPLAY', recordKey: r1.recordKey, contentHash: r1.contentHash });
      const back = await store.claim('D', 10, t1 + 6000, 1000);
      t.same(back.map((r) => r.id), [r1.id]);
      t.equal(back[0].windowStartedAt, t1 + 6000, 'replay opens a new retry window');
      await store.markDead('D', [{ id: r1.id, code: 'RECORD_REFUSED', reason: 'again' }], t1 + 6001);
      t.equal(await store.replay({ filter: { code: 'RECORD_REFUSED', submissionId: id } }, 'by filter', t1 + 7000), 1, 'replay by filter');

      // Cancel: queued, retry and dead records; never one in flight or settled.
      const c1 = await store.claim('E', 10, t1 + 7000, 1000);
      t.equal(await store.cancel([r1.id, r0.id], 'withdrawn', t1 + 7001), 0, 'neither a record in flight nor an acknowledged one');
      await store.release('E', c1.map((r) => r.id), t1 + 7002);
      t.equal(await store.cancel([r1.id], 'withdrawn by the school', t1 + 7003), 1);
      t.match(await store.getRecord(r1.id), { state: 'cancelled', lastCode: 'CANCELLED' });

      // The whole timeline of r1, and every step in it allowed by delivery/states.ts.
      const timeline = await store.recordEvents(r1.id);
      t.same(timeline.map((e) => e.toState), ['queued', 'sending', 'sending', 'dead', 'queued', 'sending', 'dead', 'queued', 'sending', 'queued', 'cancelled']);
      t.same(timeline.map((e) => e.at), [...timeline.map((e) => e.at)].sort((a, b) => a - b), 'in time order');
      for (const e of timeline) t.ok(isAllowedTransition(e.fromState as RecordState, e.toState), `${e.fromState} → ${e.toState} is allowed`);
      t.ok(timeline.every((e) => e.reason), 'every step has a reason');

      const counts = await store.countByState();
      t.ok(counts.acknowledged >= 3 && counts.cancelled >= 1 && counts.rejected >= 1, 'counts by state');
      t.same((await store.listRecords({ state: 'cancelled' })).map((r) => r.id), [r1.id], 'list by state');
      t.same((await store.listRecords({ code: 'duplicate' })).map((r) => r.id), [r2.id], 'list by code');
      t.equal((await store.listRecords({ limit: 2 })).length, 2, 'limit');
    });

    t.test('credentials: get by id, list, revoke, rotate with a grace', async (t) => {
      const tag = randomUUID().slice(0, 8);
      await store.addCredential(`cv-${tag}`, { kind: 'vendor', vendor: 'vnedu', schools: ['01009876'], name: 'Trường A', expiresAt: T0 + 1e12, createdAt: T0 });
      await store.addCredential(`ca-${tag}`, { kind: 'admin', vendor: null, schools: null, role: 'operator', name: 'Chị Lan' });
      const v = (await store.findCredential(`cv-${tag}`))!;
      const a = (await store.findCredential(`ca-${tag}`))!;
      t.match(v, { kind: 'vendor', name: 'Trường A', role: null, expiresAt: T0 + 1e12, createdAt: T0 });
      t.match(a, { kind: 'admin', role: 'operator', name: 'Chị Lan' });
      t.same(await second.getCredential(v.id!), v, 'by id, from another connection');
      t.equal(await store.getCredential('c_nope'), null);
      const admins = await store.listCredentials('admin');
      t.ok(admins.some((c) => c.id === a.id) && admins.every((c) => c.kind === 'admin'), 'list by kind');
      t.ok((await store.listCredentials()).some((c) => c.id === v.id), 'list all');
      t.notOk(JSON.stringify(await store.listCredentials()).includes(`cv-${tag}`), 'never the hash');

      const rotated = (await store.rotateCredential(v.id!, `cv2-${tag}`, T0 + 5000, T0 + 1000))!;
      t.match(rotated, { kind: 'vendor', vendor: 'vnedu', schools: ['01009876'], name: 'Trường A', expiresAt: T0 + 1e12, createdAt: T0 + 1000 });
      t.not(rotated.id, v.id, 'a new id');
      t.match(await store.getCredential(v.id!), { graceUntil: T0 + 5000, replacedBy: rotated.id, revokedAt: null });
      t.equal((await store.findCredential(`cv2-${tag}`))!.id, rotated.id, 'the new key is found');

      t.equal(await store.revokeCredential(a.id!, T0 + 2000), true);
      t.equal(await store.revokeCredential(a.id!, T0 + 3000), false, 'once');
      t.equal((await store.getCredential(a.id!))!.revokedAt, T0 + 2000);
      t.equal(await store.rotateCredential(a.id!, `ca2-${tag}`, T0, T0), null, 'a revoked one is not rotated');
      t.equal(await store.revokeCredential('c_nope', T0), false);
    });

    t.test('the audit log is append-only and pages newest first', async (t) => {
      const action = `test-${randomUUID().slice(0, 8)}`;
      for (let i = 0; i < 5; i++) {
        await store.appendAudit({ at: T0 + i, actorId: 'c_x', actorName: 'Anh Minh', role: 'operator', action, target: JSON.stringify({ ids: [String(i)] }), count: i, reason: 'lý do', source: '127.0.0.1', via: 'api' });
      }
      const page1 = await second.listAudit({ action, limit: 3 });
      t.same(page1.map((e) => e.count), [4, 3, 2]);
      t.match(page1[0], { actorName: 'Anh Minh', role: 'operator', action, reason: 'lý do', via: 'api', at: T0 + 4 });
      const page2 = await store.listAudit({ action, limit: 3, beforeId: page1[2].id });
      t.same(page2.map((e) => e.count), [1, 0]);
      t.same((await store.listAudit({ action, from: T0 + 1, to: T0 + 2, limit: 10 })).map((e) => e.count), [2, 1], 'time range');
      // No store method changes a row, and the database refuses it too.
      const raw = store as unknown as { db?: { exec(sql: string): void }; pool?: { query(sql: string): Promise<unknown> } };
      if (raw.db) {
        t.throws(() => raw.db!.exec(`UPDATE audit_log SET count = 99 WHERE action = '${action}'`), /append-only/);
        t.throws(() => raw.db!.exec(`DELETE FROM audit_log WHERE action = '${action}'`), /append-only/);
      } else {
        await t.rejects(raw.pool!.query(`UPDATE audit_log SET count = 99 WHERE action = '${action}'`), /append-only/);
        await t.rejects(raw.pool!.query(`DELETE FROM audit_log WHERE action = '${action}'`), /append-only/);
      }
      t.equal((await store.listAudit({ action, limit: 10 })).length, 5, 'all still there');
    });

    t.test('search filters, counts, pages by id; progress; submissions by vendor', async (t) => {
      const vendor = `v${randomUUID().slice(0, 6)}`;
      const recs = records(30).map((r, i) => ({ ...r, schoolId: i < 20 ? 'S1' : 'S2', learnerId: `L${i}`, grade: i < 10 ? 6 : 7, className: i % 2 ? '6A' : '6B' }));
      const sub = await submit(store, recs, { vendor });
      await submit(store, records(3), { vendor });
      const all: string[] = [];
      let beforeId: string | undefined;
      for (;;) {
        const page = await second.listRecords({ vendor, beforeId, limit: 7 });
        if (page.length === 0) break;
        all.push(...page.map((r) => r.id));
        beforeId = page[page.length - 1].id;
      }
      t.equal(all.length, 33, 'every record once across pages');
      t.equal(new Set(all).size, 33);
      t.same(all, [...all].sort().reverse(), 'newest id first');
      t.equal(await store.countRecords({ vendor }), 33);
      t.equal(await store.countRecords({ vendor, school: 'S1', grade: 6 }), 10);
      t.equal(await store.countRecords({ vendor, className: '6A', school: 'S2' }), 5);
      t.same((await store.listRecords({ learnerId: 'L25', vendor })).map((r) => r.schoolId), ['S2']);
      t.match((await store.listRecords({ learnerId: 'L3', vendor }))[0], { vendor, learnerId: 'L3', grade: 6, className: '6A', schoolId: 'S1' });
      t.equal(await store.countRecords({ vendor, states: ['queued', 'dead'] }), 33);
      t.equal(await store.countRecords({ vendor, states: [] }), 0);
      t.equal(await store.countRecords({ vendor, timeField: 'createdAt', from: T0, to: T0 }), 33);
      t.equal(await store.countRecords({ vendor, from: T0 + 1 }), 0);
      t.equal((await store.listRecords({ submissionId: sub.id }))[0].index, 0, 'one submission: in its order');

      const byVendor = (await store.progress('vendor')).find((g) => g.key === vendor)!;
      t.same(byVendor.counts, { queued: 33 });
      t.equal(byVendor.oldestQueuedAt, T0);
      const bySchool = await store.progress('school');
      t.ok((bySchool.find((g) => g.key === 'S1')?.counts.queued ?? 0) >= 20);
      t.ok((await store.progress('grade')).some((g) => g.key === '6'));
      t.ok(((await store.oldestQueuedAt()) ?? Infinity) <= T0);

      const subs = await store.listSubmissions(vendor, { limit: 1 });
      t.equal(subs.length, 1);
      const rest = await store.listSubmissions(vendor, { limit: 5, beforeId: subs[0].id });
      t.same(rest.map((s) => s.id), [sub.id], 'paged, newest first');
    });

    t.test('retention clears payloads of acknowledged records, keeping hashes and timeline', async (t) => {
      const vendor = `p${randomUUID().slice(0, 6)}`;
      const recs = records(4);
      await submit(store, recs, { vendor, at: T0 - 10_000 });
      const owner = `purge-${vendor}`;
      let claimed = await store.claim(owner, 1000, T0, 60_000);
      while (claimed.length) {
        await store.acknowledge(owner, 'PKT', claimed.map((r) => ({ id: r.id, ministryRecordId: 'M-' + r.id, code: 'accepted' })), T0 - 5000);
        claimed = await store.claim(owner, 1000, T0, 60_000);
      }
      const mine = new Set(recs.map((r) => r.id));
      t.ok((await store.countPurgeable(T0)) >= 4, 'dry run counts');
      let purged = 0;
      for (let walked = 2; walked === 2; ) {
        const batch = await store.purgePayloads(T0, 2);
        t.ok(batch.purged <= batch.walked && batch.walked <= 2, 'a batch walks at most its limit');
        purged += batch.purged;
        walked = batch.walked;
      }
      t.ok(purged >= 4);
      t.equal(await store.countPurgeable(T0), 0, 'nothing left to purge');
      t.same(await store.purgePayloads(T0, 2), { walked: 0, purged: 0 }, 'the next run starts where the last one stopped');
      await store.reclaimSpace();
      for (const id of mine) {
        const r = (await store.getRecord(id))!;
        t.match(r, { state: 'acknowledged', contentHash: /^hash-/, ministryRecordId: 'M-' + id });
        t.same((await store.recordEvents(id)).map((e) => e.toState), ['queued', 'sending', 'acknowledged'], 'timeline kept');
      }
      const raw = store as unknown as { db?: { prepare(sql: string): { all(...a: unknown[]): unknown[] } }; pool?: { query(sql: string, a: unknown[]): Promise<{ rows: unknown[] }> } };
      const sql = 'SELECT count(*) AS n FROM record_payloads WHERE record_id = ANY_IDS';
      const ids = [...mine];
      const left = raw.db
        ? (raw.db.prepare(sql.replace('ANY_IDS', ids.map(() => '?').join(',')).replace('= ', 'IN (') + ')').all(...ids)[0] as { n: number }).n
        : Number(((await raw.pool!.query(sql.replace('ANY_IDS', 'ANY($1)'), [ids])).rows[0] as { n: string }).n);
      t.equal(left, 0, 'the payloads are gone');

      // A record acknowledged after that run (its updated_at past where the run stopped) is purged
      // by a later run with a later cutoff; one acknowledged after that cutoff is not.
      const later = records(2);
      await submit(store, later, { vendor, at: T0 - 1000 });
      claimed = await store.claim(owner, 1000, T0, 60_000);
      t.equal(claimed.filter((r) => later.some((l) => l.id === r.id)).length, 2);
      await store.acknowledge(owner, 'PKT2', [{ id: later[0]!.id, ministryRecordId: 'M-a', code: 'accepted' }], T0 + 100);
      await store.acknowledge(owner, 'PKT2', [{ id: later[1]!.id, ministryRecordId: 'M-b', code: 'accepted' }], T0 + 300);
      t.ok((await store.countPurgeable(T0 + 200)) >= 1, 'the one acknowledged before the new cutoff');
      for (let walked = 2; walked === 2; ) walked = (await store.purgePayloads(T0 + 200, 2)).walked;
      t.equal(await store.recordPayloads(later[0]!.id).then((p) => p?.recordXml ?? null), null, 'purged by the later run');
      t.ok(await store.recordPayloads(later[1]!.id).then((p) => p?.recordXml), 'kept: acknowledged after its cutoff');
      t.equal(await store.countPurgeable(T0 + 200), 0);
    });

    // Raw SQL on either backend: the lean outbox's shape is part of the contract (issue 16).
    const rawQuery = async (sqliteSql: string, pgSql: string, args: unknown[]): Promise<Record<string, unknown>[]> => {
      const raw = store as unknown as { db?: { prepare(sql: string): { all(...a: unknown[]): unknown[]; run(...a: unknown[]): unknown } }; pool?: { query(sql: string, a: unknown[]): Promise<{ rows: unknown[] }> } };
      if (raw.db) {
        const st = raw.db.prepare(sqliteSql);
        return (/^\s*select/i.test(sqliteSql) ? st.all(...args) : (st.run(...args), [])) as Record<string, unknown>[];
      }
      return (await raw.pool!.query(pgSql, args)).rows as Record<string, unknown>[];
    };

    t.test('a payload is stored once, packed, and comes back as given when claimed', async (t) => {
      const vendor = `z${randomUUID().slice(0, 6)}`;
      const [rec] = records(1);
      // A record of realistic size: repetitive XML, as canonical records are.
      rec!.recordXml = `<hocba xmlns="urn:moet:hocba:record:v0">${Array.from({ length: 60 }, (_, i) => `<subject><code>S${i % 12}</code><score>${(i % 10) + 0.5}</score><comment>Chăm chỉ, tiến bộ rõ rệt</comment></subject>`).join('')}</hocba>`;
      await submit(store, [rec!], { vendor, at: T0 - 40_000 });
      const rows = await rawQuery('SELECT record_xml FROM record_payloads WHERE record_id = ?', 'SELECT record_xml FROM record_payloads WHERE record_id = $1', [rec!.id]);
      const stored = rows[0]!.record_xml as Buffer;
      t.equal(stored[0], 0x78, 'a zlib stream');
      t.ok(stored.length * 4 < Buffer.byteLength(rec!.recordXml), `packed: ${stored.length} of ${Buffer.byteLength(rec!.recordXml)} bytes`);
      const owner = `pay-${vendor}`;
      let mine: { id: string; recordXml: string }[] = [];
      for (let claimed = await store.claim(owner, 1000, T0, 60_000); claimed.length; claimed = await store.claim(owner, 1000, T0, 60_000)) {
        mine = mine.concat(claimed.filter((c) => c.id === rec!.id));
        await store.acknowledge(owner, 'PKT', claimed.map((r) => ({ id: r.id, ministryRecordId: 'M-' + r.id, code: 'accepted' })), T0 - 30_000);
      }
      t.equal(mine.length, 1);
      t.equal(mine[0]!.recordXml, rec!.recordXml, 'the XML as the intake step wrote it');
      const after = await rawQuery('SELECT record_xml FROM record_payloads WHERE record_id = ?', 'SELECT record_xml FROM record_payloads WHERE record_id = $1', [rec!.id]);
      t.same(after[0]!.record_xml, stored, 'state changes left the payload row as it was');
    });

    t.test('the schema knows the states the code names, and refuses any other', async (t) => {
      const [rec] = records(1);
      await submit(store, [rec!]);
      for (const state of RECORD_STATES) {
        await rawQuery('UPDATE records SET state = ? WHERE id = ?', 'UPDATE records SET state = $1 WHERE id = $2', [state, rec!.id]);
        t.equal((await store.getRecord(rec!.id))!.state, state, `${state} is allowed`);
      }
      await t.rejects(rawQuery('UPDATE records SET state = ? WHERE id = ?', 'UPDATE records SET state = $1 WHERE id = $2', ['lost', rec!.id]), 'an unknown state is refused');
      const bad = { ...records(1)[0]!, state: 'limbo' as NewRecord['state'] };
      await t.rejects(submit(store, [bad]), 'an insert with an unknown state is refused');
      await rawQuery('UPDATE records SET state = ? WHERE id = ?', 'UPDATE records SET state = $1 WHERE id = $2', ['cancelled', rec!.id]);
    });

    t.test('record versions, held signed records and their supersession', async (t) => {
      const key = `V${randomUUID().slice(0, 8)}/2024-2025`;
      const rec = (version: number | null, state: NewRecord['state'], hash: string): NewRecord => ({
        id: randomUUID(), index: 0, recordKey: key, version, contentHash: state === 'rejected' ? null : hash,
        recordXml: state === 'rejected' ? null : '<hocba/>', state, errors: state === 'rejected' ? [] : null,
        signatures: state === 'held' ? [{ role: 'principal', valid: false }] : null, signedXml: state === 'held' ? '<signed/>' : null,
      });
      const v1 = rec(1, 'queued', 'h1');
      const v3 = rec(3, 'queued', 'h3');
      await submit(store, [v1]);
      await submit(store, [v3]);
      await submit(store, [rec(9, 'rejected', 'h9')]);
      const many = Array.from({ length: 700 }, (_, i) => `none${i}/2024-2025`);
      const latest = await second.latestVersions([...many, key]);
      t.same([...latest.entries()], [[key, { version: 3, contentHash: 'h3', held: false, heldForSignatures: false }]], 'the highest accepted version; rejected ones do not count');
      t.same(await store.latestVersions([]), new Map());

      const held = rec(4, 'held', 'h4');
      const other = rec(4, 'held', 'h4b');
      await submit(store, [held]);
      await submit(store, [other], { vendor: 'smas' });
      // Two held rows tie at version 4: either content hash may come back (the contract says so).
      t.match((await second.latestVersions([key])).get(key), { version: 4, held: true, heldForSignatures: true }, 'a key with a held record says so (RECORD_HELD)');
      const h = (await store.getRecord(held.id))!;
      t.match(h, { state: 'held', lastCode: 'SIGNATURES_INCOMPLETE', signatures: [{ role: 'principal', valid: false }] });
      const claimed = await store.claim('X', 1000, T0 + 30_000, 1000);
      t.same(claimed.filter((r) => r.id === held.id), [], 'a held record is never claimed');
      await store.acknowledge('X', 'PKT-X', claimed.map((r) => ({ id: r.id, ministryRecordId: null, code: 'accepted' })), T0 + 30_000);
      const complete = rec(5, 'queued', 'h5');
      await submit(store, [complete]);
      t.equal(await second.supersedeHeld(key, 'vnedu', complete.id, T0 + 1), 1, 'the later document supersedes the held one of the same vendor');
      t.match(await store.getRecord(held.id), { state: 'superseded', lastCode: 'SUPERSEDED' });
      t.match(await store.getRecord(other.id), { state: 'held' }, 'another vendor\'s is left alone');
      t.equal(await store.cancel([other.id], 'withdrawn', T0 + 2), 1, 'a held record can be cancelled');
      t.same((await store.recordEvents(held.id)).map((e) => [e.fromState, e.toState]), [['received', 'held'], ['held', 'superseded']]);

      // Held for the student's personal ID: its row and timeline say so, and the key is held but not for signatures.
      const pendingKey = `P${randomUUID().slice(0, 8)}/2024-2025`;
      const pending: NewRecord = { ...rec(1, 'held', 'p1'), recordKey: pendingKey, holdCode: 'PERSONAL_ID_PENDING', errors: [{ code: 'PERSONAL_ID_PENDING' }], signatures: null, signedXml: null };
      await submit(store, [pending]);
      t.same((await second.latestVersions([pendingKey])).get(pendingKey), { version: 1, contentHash: 'p1', held: true, heldForSignatures: false }, 'held, not for signatures');
      t.match(await store.getRecord(pending.id), { state: 'held', lastCode: 'PERSONAL_ID_PENDING', errors: [{ code: 'PERSONAL_ID_PENDING' }] });
      t.match((await store.recordEvents(pending.id)).map((e) => [e.toState, e.code]), [['held', 'PERSONAL_ID_PENDING']], 'the timeline names what it waits for');
      const byVendor = (await second.progress('vendor')).find((g) => g.key === 'vnedu')!;
      t.equal(byVendor.heldForPersonalId, 1, 'progress tells a record held for its personal ID from one held for signatures');
      const summary = summarise(byVendor, T0);
      t.equal(summary.signaturesComplete, summary.valid - ((byVendor.counts.held ?? 0) - 1) - (byVendor.counts.superseded ?? 0), 'and counts it among the records whose signatures are complete');
      const claimedNow = await store.claim('Y', 1000, T0 + 60_000, 1000);
      t.same(claimedNow.filter((r) => r.id === pending.id), [], 'never claimed');
      await store.acknowledge('Y', 'PKT-Y', claimedNow.map((r) => ({ id: r.id, ministryRecordId: null, code: 'accepted' })), T0 + 60_000);
    });

    t.test('events: NEW, UPDATE and CANCEL chosen at the claim; later versions replace unsent ones; a withdrawal withdraws', async (t) => {
      const key = `E${randomUUID().slice(0, 8)}/2024-2025`;
      const rec = (version: number, hash: string): NewRecord => ({
        id: randomUUID(), index: 0, recordKey: key, version, contentHash: hash, recordXml: `<hocba v="${version}"/>`, state: 'queued', errors: null,
        schoolId: 'EV-SCHOOL', learnerId: key.slice(0, 9), grade: 7, schoolYear: '2024-2025',
      });
      // Everything due from earlier subtests is delivered first, so that only this book is claimed below.
      const drain = async (owner: string, at: number) => {
        const got = await store.claim(owner, 1000, at, 60_000);
        await store.acknowledge(owner, `PKT-${owner}`, got.map((r) => ({ id: r.id, ministryRecordId: 'M', code: 'accepted', withdrawal: r.event === 'CANCEL' })), at);
        return got.filter((r) => r.recordKey === key);
      };
      await drain('E0', T0 + 100_000);
      const withdrawReq = (recordId: string, at: number) => ({ recordId, reason: 'học sinh chuyển trường', now: at, submissionId: uuidv7(), withdrawalId: uuidv7(), policy: POLICY });

      const v1 = rec(1, 'e1');
      await submit(store, [v1]);
      t.same(await second.withdraw({ ...withdrawReq(randomUUID(), T0), recordId: 'no-such-record' }), { kind: 'not-found' });
      const before = await second.withdraw(withdrawReq(v1.id, T0 + 100_001));
      t.same(before, { kind: 'cancelled', recordKey: key, cancelled: 1 }, 'nothing reached the Ministry: the unsent version is cancelled, nothing is sent');
      t.match(await store.getRecord(v1.id), { state: 'cancelled', lastCode: 'WITHDRAWN' });
      t.same(await second.withdraw(withdrawReq(v1.id, T0 + 100_002)), { kind: 'nothing' }, 'and then there is nothing to withdraw');

      const v2 = rec(2, 'e2');
      await submit(store, [v2]);
      const first = await drain('E1', T0 + 100_010);
      t.same(first.map((r) => [r.id, r.event]), [[v2.id, 'NEW']], 'the Ministry holds no version: NEW');

      const v3 = rec(3, 'e3');
      const v4 = rec(4, 'e4');
      await submit(store, [v3]);
      await submit(store, [v4]);
      t.equal(await second.supersedeEarlier(key, 4, v4.id, T0 + 100_020), 1, 'a later version replaces the one not yet sent');
      t.match(await store.getRecord(v3.id), { state: 'superseded', lastCode: 'SUPERSEDED', lastReason: `replaced by version 4 (record ${v4.id})` });
      t.match(await store.getRecord(v2.id), { state: 'acknowledged' }, 'an acknowledged one stays');
      const inFlight = await store.claim('E2', 1000, T0 + 100_030, 60_000);
      t.same(inFlight.filter((r) => r.recordKey === key).map((r) => [r.id, r.event]), [[v4.id, 'UPDATE']], 'the Ministry holds version 2: UPDATE');
      t.same(await second.withdraw(withdrawReq(v4.id, T0 + 100_031)), { kind: 'in-flight' }, 'no withdrawal while a version is being sent');
      // A row given back with a later due time is not claimed before it (a second row of a key already in a packet).
      const extra = rec(4, 'e4'); // the same content again: a re-send, queued beside the one in flight
      await submit(store, [extra]);
      const again = (await store.claim('E2b', 1000, T0 + 100_031, 60_000)).filter((r) => r.recordKey === key);
      t.same(again.map((r) => r.id), [extra.id]);
      await store.release('E2b', [extra.id], T0 + 100_031, T0 + 100_045);
      t.same((await store.claim('E2c', 1000, T0 + 100_040, 60_000)).filter((r) => r.recordKey === key), [], 'not due before its time');
      t.match(await store.getRecord(extra.id), { state: 'queued', attempts: 0 }, 'its attempt given back');
      await store.cancel([extra.id], 'not needed', T0 + 100_041);
      await store.acknowledge('E2', 'PKT-E2', inFlight.map((r) => ({ id: r.id, ministryRecordId: 'M', code: 'accepted' })), T0 + 100_032);

      const v5 = rec(5, 'e5');
      await submit(store, [v5]);
      const w = await second.withdraw(withdrawReq(v2.id, T0 + 100_040));
      t.match(w, { kind: 'queued', recordKey: key, withdrawnVersion: 4, version: 6, cancelled: 1 }, 'by any version\'s id: the version the Ministry holds last is withdrawn; the unsent one cancelled');
      if (w.kind !== 'queued') return;
      t.match(await store.getRecord(v5.id), { state: 'cancelled' });
      t.match(await second.withdraw(withdrawReq(v2.id, T0 + 100_041)), { kind: 'pending', withdrawalId: w.withdrawalId });
      t.match(await store.getRecord(w.withdrawalId), { kind: 'withdrawal', state: 'queued', recordKey: key, lastCode: 'WITHDRAWAL', schoolId: 'EV-SCHOOL' });
      t.match((await store.latestVersions([key])).get(key), { version: 6 }, 'a later submission needs a version above the withdrawal');

      const cancel = (await store.claim('E3', 1000, T0 + 100_050, 60_000)).filter((r) => r.recordKey === key);
      t.same(cancel.map((r) => [r.id, r.event]), [[w.withdrawalId, 'CANCEL']], 'the withdrawal goes as a CANCEL');
      const payload = cancel[0]!.recordXml;
      t.match(payload, /^<withdrawal xmlns="urn:moet:hocba:event:v0"><recordKey>E[^<]+<\/recordKey><version>6<\/version><withdrawnContentHash>e4<\/withdrawnContentHash><reason>học sinh chuyển trường<\/reason>/);
      await store.acknowledge('E3', 'PKT-E3', cancel.map((r) => ({ id: r.id, ministryRecordId: 'M', code: 'accepted', withdrawal: true })), T0 + 100_051);
      t.match(await store.getRecord(v4.id), { state: 'withdrawn', lastCode: 'WITHDRAWN' }, 'acknowledged: the version the Ministry held is withdrawn');
      t.match(await store.getRecord(v2.id), { state: 'withdrawn' });
      t.same((await store.recordEvents(v4.id)).map((e) => e.toState), ['queued', 'sending', 'acknowledged', 'withdrawn']);

      const v7 = rec(7, 'e7');
      await submit(store, [v7]);
      t.same((await drain('E4', T0 + 100_060)).map((r) => [r.id, r.event]), [[v7.id, 'NEW']], 'after a withdrawal the book is sent again as NEW');
      t.notOk((await store.progress('school')).find((p) => p.key === 'EV-SCHOOL')?.counts.queued, 'a withdrawal is not a record book in the progress counters');
    });

    t.test('the public lookup finds the newest accepted version by its lookup code, with its payload', async (t) => {
      const code = `L${randomUUID().replace(/-/g, '').slice(0, 9).toUpperCase()}`;
      const key = `LK${randomUUID().slice(0, 8)}/2024-2025`;
      const rec = (version: number | null, state: NewRecord['state'], n: number): NewRecord => ({
        id: randomUUID(), index: 0, recordKey: key, version, contentHash: state === 'rejected' ? null : `lh${n}`,
        recordXml: state === 'rejected' ? null : `<hocba xmlns="urn:moet:hocba:record:v1"><n>${n} Nguyễn</n></hocba>`, state,
        errors: state === 'rejected' ? [] : null, signatures: [{ role: 'seal', valid: true }],
        schoolId: '01009876', schoolYear: '2024-2025', grade: 7, className: '7A', lookupCode: code,
      });
      t.equal(await store.lookup(code), null, 'nothing before it is accepted');
      const v1 = rec(1, 'queued', 1);
      const v2 = rec(2, 'queued', 2);
      await submit(store, [v1]);
      await submit(store, [v2]);
      await submit(store, [rec(7, 'rejected', 7)]);
      const found = await second.lookup(code);
      t.match(found, { id: v2.id, state: 'queued', schoolId: '01009876', schoolYear: '2024-2025', grade: 7, className: '7A', version: 2, vendor: 'vnedu', signatures: [{ role: 'seal', valid: true }] }, 'the newest accepted version; a rejected higher one is not found');
      t.equal(found!.recordXml, v2.recordXml, 'with its payload, unpacked');
      t.same(await store.recordPayloads(v1.id), { recordXml: v1.recordXml, signedXml: null });
      t.equal(await store.recordPayloads(randomUUID()), null);
      t.equal(await store.lookup('NOSUCHCODE'), null);
    });

    t.test('concurrent claimers never share a record', async (t) => {
      const n = 600;
      const recs = records(n);
      await submit(store, recs, { at: T0 });
      const ids = new Set(recs.map((r) => r.id));
      const now = T0 + 20_000;
      const seen = new Map<string, string>();
      let overlaps = 0;
      // Four workers over two connections (pools), claiming small batches as fast as they can.
      const worker = async (s: Store, owner: string) => {
        for (;;) {
          const batch = await s.claim(owner, 17, now, 60_000);
          if (batch.length === 0) return;
          for (const r of batch) {
            if (seen.has(r.id)) overlaps += 1;
            seen.set(r.id, owner);
          }
          await s.acknowledge(owner, `PKT-${owner}`, batch.map((r) => ({ id: r.id, ministryRecordId: null, code: 'accepted' })), now);
        }
      };
      await Promise.all([worker(store, 'w1'), worker(second, 'w2'), worker(store, 'w3'), worker(second, 'w4')]);
      t.equal(overlaps, 0, 'no record was claimed twice');
      t.equal([...ids].filter((id) => seen.has(id)).length, n, 'every record was claimed');
      const left = await store.listRecords({ state: 'sending' });
      t.equal(left.length, 0, 'nothing is left in flight');
      const owners = new Set([...ids].map((id) => seen.get(id)));
      t.ok(owners.size >= 2, `the work was shared (${owners.size} workers)`);
    });

    // Last: every subtest before changed states in its own way (claims, takeovers, outcomes,
    // replays, cancels, supersessions, raw updates), on two connections at once.
    t.test('progress counters agree with a count of the records themselves', async (t) => {
      const groups = { school: 'school_id', vendor: 'vendor', grade: 'grade' } as const;
      for (const [by, col] of Object.entries(groups)) {
        // Record books only: withdrawals (kind 'withdrawal') are not counted.
        const sql = `SELECT ${col} AS k, state, count(*) AS n FROM records WHERE kind = 'record' GROUP BY ${col}, state`;
        const direct = await rawQuery(sql, sql, []);
        const expected = new Map<string, Record<string, number>>();
        for (const r of direct) {
          const key = r.k === null ? 'null' : String(r.k);
          expected.set(key, { ...expected.get(key), [r.state as string]: Number(r.n) });
        }
        const progress = await second.progress(by as keyof typeof groups);
        const got = new Map(progress.map((p) => [p.key === null ? 'null' : p.key, p.counts]));
        t.same(Object.fromEntries([...got].sort()), Object.fromEntries([...expected].sort()), `by ${by}`);
      }
      const totals: Record<string, number> = {};
      const byState = `SELECT state, count(*) AS n FROM records WHERE kind = 'record' GROUP BY state`;
      for (const r of await rawQuery(byState, byState, [])) totals[r.state as string] = Number(r.n);
      t.same(await store.countByState(), totals, 'and the totals per state');
    });
  });
}
