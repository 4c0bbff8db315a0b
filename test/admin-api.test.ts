import { randomBytes } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { buildApp } from '../src/app.js';
import { loadSettings } from '../src/config/settings.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { hashKey } from '../src/plugins/auth.js';
import { ensureDemoPki } from '../src/pki/demo.js';
import { readFileSync } from 'node:fs';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import type { NewRecord, Store } from '../src/storage/store.js';

// The province's admin API on one app (no delivery worker, so that records stay where the test
// puts them): roles, audit, search and paging past 1000, progress, replay and cancel with dry
// runs, credentials and their rotation, metrics behind their token.

const POLICY = { maxAttempts: 3, baseDelayMs: 10, capDelayMs: 100, totalTimeMs: null };
const T0 = Date.now() - 3_600_000;

function recs(n: number, o: { school: string; grade: number; className?: string; learner?: string }): NewRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    id: randomUUID(), index: i, recordKey: `${o.school}-${o.learner ?? 'L'}${i}/2024-2025`, version: 1, contentHash: `h${i}`,
    recordXml: '<hocba/>', state: 'queued', errors: null, schoolId: o.school, learnerId: `${o.learner ?? 'L'}${i}`, grade: o.grade, className: o.className ?? `${o.grade}A`, schoolYear: '2024-2025',
  }));
}

async function submit(store: Store, vendor: string, records: NewRecord[], at = T0) {
  const id = randomUUID();
  await store.insertSubmission({ id, vendor, idempotencyKey: null, requestHash: id, response: { received: records.length, queued: records.length, rejected: 0 }, createdAt: at }, records, POLICY);
  return id;
}

/** Marks these queued records dead (as the delivery worker would after its retries); the others go back to the queue. */
async function kill(store: Store, ids: Set<string>, at: number) {
  const claimed = [];
  for (;;) {
    const c = await store.claim('test', 1000, at, 60_000);
    if (!c.length) break;
    claimed.push(...c);
  }
  await store.markDead('test', claimed.filter((r) => ids.has(r.id)).map((r) => ({ id: r.id, code: 'RECORD_REFUSED', reason: 'refused in test' })), at);
  await store.release('test', claimed.filter((r) => !ids.has(r.id)).map((r) => r.id), at);
}

t.test('admin API', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hocba-admin-'));
  const store = new SqliteStore(join(dir, 'gateway.db'));
  await store.migrate();
  const settings = loadSettings({}, { dataDir: dir, metrics: { token: 'metrics-secret' }, bodyLimitBytes: 200_000 });
  const pki = await ensureDemoPki(join(dir, 'pki'), { provinceCode: '01' });
  const signer = { name: 'test', certificatePem: () => readFileSync(pki.provinceCert, 'utf8'), sign: async (x: string) => x, reload: async () => undefined };
  const parts = { store, signer: signer as never, circuit: { snapshot: () => ({ state: 'open' as const, consecutiveFailures: 5, nextProbeAt: null, lastFailure: 'x' }) }, settings };
  const metrics = createMetrics(() => parts, 0);
  const app = await buildApp({
    settings, store, signer: signer as never, transport: {} as never, intake: {} as never, verifier: {} as never, circuit: parts.circuit,
    nudgeDelivery: () => undefined, reloadKeys: async () => ({ signer: { name: 'test', certificate: { subject: '', issuer: '', serialNumber: '01', notBefore: '', notAfter: '', sha256: '' } }, trust: { anchors: 1, crls: 0, timeStampAnchors: 0, warnings: [] } }),
    metrics, observeIntake: (v, o) => metrics.observeIntake(v, o),
  });
  t.teardown(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const tokens: Record<string, string> = {};
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    tokens[role] = `adm_${role}_${randomUUID()}`;
    await store.addCredential(hashKey(tokens[role]), { kind: 'admin', vendor: null, schools: null, role, name: `Cán bộ ${role}` });
  }
  const call = async (method: 'GET' | 'POST', url: string, token: string | null, body?: unknown) => {
    const res = await app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(body !== undefined ? { payload: body as object } : {}) });
    let json: any = null;
    try {
      json = res.json();
    } catch {
      /* not JSON (metrics) */
    }
    return { status: res.statusCode, json, text: res.body };
  };

  // 1,200 records of one school, 30 of another; 50 of them dead.
  const bigRecords = recs(1200, { school: '01009876', grade: 6 });
  const smasRecords = recs(30, { school: '01004001', grade: 7, className: '7B', learner: 'S' });
  await submit(store, 'vnedu', bigRecords);
  await submit(store, 'smas', smasRecords, T0 + 1000);
  await kill(store, new Set([...bigRecords.slice(0, 20), ...smasRecords].map((r) => r.id)), T0 + 2000);
  await submit(store, 'vnedu', recs(5, { school: '01001234', grade: 6, learner: 'Q' }), T0 + 3000);

  t.test('roles: a viewer reads but may not replay; an operator may; only an admin manages credentials', async (t) => {
    t.equal((await call('GET', '/admin/v1/records?limit=1', null)).status, 401);
    t.equal((await call('GET', '/admin/v1/records?limit=1', tokens.viewer)).status, 200);
    const refused = await call('POST', '/admin/v1/replay', tokens.viewer, { filter: { school: '01004001' } });
    t.equal(refused.status, 403);
    t.equal(refused.json.code, 'ROLE_FORBIDDEN');
    t.match(refused.json.detail_vi, /vai trò/i);
    t.equal((await call('POST', '/admin/v1/replay', tokens.operator, { filter: { school: '01004001' }, dryRun: true })).status, 200);
    t.equal((await call('GET', '/admin/v1/credentials', tokens.operator)).json.code, 'ROLE_FORBIDDEN');
    t.equal((await call('POST', '/admin/v1/keys/reload', tokens.operator)).status, 403);
    t.equal((await call('GET', '/admin/v1/credentials', tokens.admin)).status, 200);
    t.same((await call('GET', '/admin/v1/me', tokens.operator)).json, { id: (await store.findCredential(hashKey(tokens.operator)))!.id, name: 'Cán bộ operator', role: 'operator' });
  });

  t.test('search: filters and cursor paging past 1000 with no cap', async (t) => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await call('GET', `/admin/v1/records?school=01009876&limit=1000${cursor ? `&cursor=${cursor}` : ''}`, tokens.viewer);
      t.equal(r.status, 200);
      for (const rec of r.json.records) seen.add(rec.recordId);
      cursor = r.json.nextCursor;
      pages += 1;
    } while (cursor);
    t.equal(seen.size, 1200, 'every record of the school, once');
    t.equal(pages, 2);
    const one = await call('GET', '/admin/v1/records?learnerId=S7', tokens.viewer);
    t.match(one.json.records, [{ schoolId: '01004001', vendor: 'smas', learnerId: 'S7', grade: 7, className: '7B', state: 'dead', lastCode: 'RECORD_REFUSED' }]);
    t.equal(one.json.nextCursor, null);
    t.equal((await call('GET', '/admin/v1/records?vendor=smas&className=7B&grade=7&state=dead&code=RECORD_REFUSED&limit=1000', tokens.viewer)).json.records.length, 30);
    t.equal((await call('GET', `/admin/v1/records?recordKey=${encodeURIComponent('01004001-S3/2024-2025')}`, tokens.viewer)).json.records.length, 1);
    const from = new Date(T0 + 2500).toISOString();
    t.equal((await call('GET', `/admin/v1/records?from=${from}&timeField=createdAt&limit=1000`, tokens.viewer)).json.records.length, 5, 'time range');
    t.equal((await call('GET', '/admin/v1/records?limit=1001', tokens.viewer)).status, 400);
    t.equal((await call('GET', '/admin/v1/records?cursor=bogus', tokens.viewer)).status, 400);
  });

  t.test('progress and overview', async (t) => {
    const bySchool = (await call('GET', '/admin/v1/progress?groupBy=school', tokens.viewer)).json;
    t.equal(bySchool.groupBy, 'school');
    const smas = bySchool.groups.find((g: { key: string }) => g.key === '01004001');
    t.match(smas, { name: /./, received: 30, valid: 30, signaturesComplete: 30, acknowledged: 0, dead: 30, counts: { dead: 30 }, shareAcknowledged: 0, oldestQueuedAgeSeconds: null });
    const big = bySchool.groups.find((g: { key: string }) => g.key === '01009876');
    t.match(big, { received: 1200, dead: 20, counts: { dead: 20, queued: 1180 } });
    t.ok(big.oldestQueuedAgeSeconds >= 3500, 'oldest queued age');
    t.equal(bySchool.groups[0].key, '01004001', 'furthest behind first: as little acknowledged, and the most dead');
    const byVendor = (await call('GET', '/admin/v1/progress?groupBy=vendor', tokens.viewer)).json.groups;
    t.same(byVendor.map((g: { key: string; received: number }) => [g.key, g.received]).sort(), [['smas', 30], ['vnedu', 1205]]);
    const byGrade = (await call('GET', '/admin/v1/progress?groupBy=grade', tokens.viewer)).json.groups;
    t.same(byGrade.map((g: { key: string }) => g.key).sort(), ['6', '7']);
    const ov = (await call('GET', '/admin/v1/overview', tokens.viewer)).json;
    t.match(ov, { totals: { queued: 1185, dead: 50 }, queueDepth: 1185, circuit: { state: 'open', consecutiveFailures: 5 }, signer: { certificateExpiryDays: Number } });
    t.ok(ov.oldestQueuedAgeSeconds >= 3500);
  });

  t.test('replay and cancel by filter: dry runs change nothing; runs are audited', async (t) => {
    const dry = (await call('POST', '/admin/v1/replay', tokens.operator, { filter: { vendor: 'smas' }, dryRun: true })).json;
    t.equal(dry.dryRun, true);
    t.equal(dry.matched, 30);
    t.equal(dry.replayed, 0);
    t.equal(dry.first.length, 20, 'the first 20');
    t.equal(await store.countRecords({ vendor: 'smas', state: 'dead' }), 30, 'nothing changed');
    const run = (await call('POST', '/admin/v1/replay', tokens.operator, { filter: { vendor: 'smas', className: '7B' }, limit: 10, reason: 'Bộ đã sửa lỗi' })).json;
    t.match(run, { dryRun: false, matched: 30, replayed: 10 });
    t.equal(await store.countRecords({ vendor: 'smas', state: 'dead' }), 20);
    const byIds = (await call('POST', '/admin/v1/replay', tokens.operator, { ids: [run.first[0].recordId] })).json;
    t.equal(byIds.replayed, 0, 'already queued: not dead any more');
    const cancelDry = (await call('POST', '/admin/v1/cancel', tokens.operator, { filter: { school: '01001234' }, dryRun: true })).json;
    t.match(cancelDry, { dryRun: true, matched: 5, cancelled: 0 });
    const cancel = (await call('POST', '/admin/v1/cancel', tokens.operator, { filter: { school: '01001234', state: 'queued' }, reason: 'gửi nhầm' })).json;
    t.match(cancel, { matched: 5, cancelled: 5 });
    t.equal((await call('POST', '/admin/v1/cancel', tokens.operator, { ids: [cancel.first[0].recordId] })).json.cancelled, 0);

    const audit = (await call('GET', '/admin/v1/audit?limit=100', tokens.viewer)).json.entries;
    const replay = audit.find((e: { action: string; count: number }) => e.action === 'replay' && e.count === 10);
    t.match(replay, { actorName: 'Cán bộ operator', role: 'operator', reason: 'Bộ đã sửa lỗi', via: 'api', source: '127.0.0.1', target: { filter: { vendor: 'smas', className: '7B' }, limit: 10 } });
    t.ok(audit.some((e: { action: string; count: number }) => e.action === 'cancel' && e.count === 5));
    t.notOk(audit.some((e: { action: string; count: number }) => e.action === 'replay' && e.count === 0 && e.target?.filter?.vendor === 'smas' && !e.target?.filter?.className), 'dry runs are not audited as runs');
    const onlyCancel = (await call('GET', '/admin/v1/audit?action=cancel&limit=1', tokens.viewer)).json;
    t.equal(onlyCancel.entries.length, 1);
    t.ok(onlyCancel.nextCursor, 'more pages');
    const next = (await call('GET', `/admin/v1/audit?action=cancel&limit=1&cursor=${onlyCancel.nextCursor}`, tokens.viewer)).json;
    t.not(next.entries[0].id, onlyCancel.entries[0].id);
  });

  t.test('credentials through the API: made, limited, rotated with a grace, revoked; all audited', async (t) => {
    const bad = await call('POST', '/admin/v1/credentials', tokens.admin, { vendor: 'vnedu', schools: ['99999999'] });
    t.equal(bad.status, 400);
    t.equal(bad.json.code, 'CREDENTIAL_INVALID');
    t.match(bad.json.detail, /99999999/);
    t.equal((await call('POST', '/admin/v1/credentials', tokens.admin, { vendor: 'vnedu' })).status, 400, 'schools are required');
    const made = await call('POST', '/admin/v1/credentials', tokens.admin, { vendor: 'vnedu', schools: ['01009876'], name: 'vnEdu Hà Nội', expiresAt: '2099-12-31' });
    t.equal(made.status, 201);
    t.match(made.json, { id: /^c_/, key: /^vk_vnedu_/, kind: 'vendor', schools: ['01009876'], expiresAt: '2099-12-31T23:59:59.999Z' });
    const listed = (await call('GET', '/admin/v1/credentials', tokens.admin)).json.credentials;
    t.ok(listed.some((c: { id: string }) => c.id === made.json.id));
    t.notOk(JSON.stringify(listed).includes(made.json.key), 'never the key');
    t.notOk(JSON.stringify(listed).includes(hashKey(made.json.key)), 'nor its hash');

    // A vendor key does not open admin routes; it opens the vendor's own list of submissions.
    t.equal((await call('GET', '/admin/v1/records', made.json.key)).status, 403);
    t.equal((await call('GET', '/v1/submissions?limit=1', made.json.key)).status, 200);

    const rotated = (await call('POST', `/admin/v1/credentials/${made.json.id}/rotate`, tokens.admin, { grace: '1h' })).json;
    t.match(rotated, { id: /^c_/, key: /^vk_vnedu_/, schools: ['01009876'], graceUntil: String });
    t.equal((await call('GET', '/v1/submissions', made.json.key)).status, 200, 'the old key works during the grace');
    t.equal((await call('GET', '/v1/submissions', rotated.key)).status, 200, 'and the new one');
    const again = (await call('POST', `/admin/v1/credentials/${rotated.id}/rotate`, tokens.admin, { graceSeconds: 0 })).json;
    const ended = await call('GET', '/v1/submissions', rotated.key);
    t.equal(ended.status, 401);
    t.equal(ended.json.code, 'AUTH_EXPIRED', 'a grace of 0 ends the old key at once');
    t.equal((await call('GET', '/v1/submissions', again.key)).status, 200);

    const revoked = await call('POST', `/admin/v1/credentials/${again.id}/revoke`, tokens.admin, { reason: 'hợp đồng kết thúc' });
    t.match(revoked.json, { revokedAt: String });
    const refused = await call('GET', '/v1/submissions', again.key);
    t.equal(refused.json.code, 'AUTH_REVOKED');
    t.equal((await call('POST', '/admin/v1/credentials/c_nope/revoke', tokens.admin, {})).status, 404);

    const admin = (await call('POST', '/admin/v1/credentials', tokens.admin, { kind: 'admin', name: 'Anh Tuấn', role: 'viewer' })).json;
    t.match(admin, { kind: 'admin', role: 'viewer', key: /^adm_/ });
    t.equal((await call('GET', '/admin/v1/overview', admin.key)).status, 200);
    await call('POST', `/admin/v1/credentials/${admin.id}/revoke`, tokens.admin, {});
    t.equal((await call('GET', '/admin/v1/overview', admin.key)).json.code, 'AUTH_REVOKED');
    t.equal((await call('POST', '/admin/v1/keys/reload', tokens.admin)).status, 200);

    const actions = (await call('GET', '/admin/v1/audit?limit=1000', tokens.admin)).json.entries.map((e: { action: string }) => e.action);
    for (const a of ['credentials.create', 'credentials.rotate', 'credentials.revoke', 'admins.create', 'admins.revoke', 'keys.reload', 'replay', 'cancel']) t.ok(actions.includes(a), `${a} is audited`);
  });

  t.test('a 413 names the limit', async (t) => {
    const r = await call('POST', '/admin/v1/replay', tokens.operator, { ids: ['x'], reason: 'y'.repeat(300_000) });
    t.equal(r.status, 413);
    t.equal(r.json.code, 'BODY_TOO_LARGE');
    t.equal(r.json.detail, 'The body exceeds the limit of 200000 bytes (bodyLimitBytes).');
    t.match(r.json.detail_vi, /200000 byte/);
  });

  t.test('metrics: every named series, only with the token', async (t) => {
    t.equal((await call('GET', '/metrics', null)).status, 401);
    t.equal((await call('GET', '/metrics', 'wrong')).status, 401);
    metrics.observeSend(0.12, 'delivered');
    metrics.observeIntake('vnedu', { kind: 'stored', response: { submissionId: 'x', vendor: 'vnedu', received: 3, queued: 2, rejected: 1, records: [{ index: 2, status: 'rejected', errors: [{ code: 'SCHEMA_RANGE' }] }] as never, validationErrors: [] } });
    const res = await call('GET', '/metrics', 'metrics-secret');
    t.equal(res.status, 200);
    for (const name of [
      'hocba_records{state="dead"}', 'hocba_intake_records_total{vendor="vnedu",outcome="queued"} 2', 'hocba_rejections_total{code="SCHEMA_RANGE"} 1',
      'hocba_delivery_seconds_bucket{le="0.25",binding="rest",outcome="delivered"} 1', 'hocba_queue_oldest_age_seconds', 'hocba_circuit_state 2',
      'hocba_signing_certificate_expiry_days', 'hocba_data_disk_free_bytes', 'hocba_data_disk_free_ratio',
    ]) t.ok(res.text.includes(name), name);
  });
});

t.test('the purge clears payloads and the database file shrinks', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hocba-purge-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'gateway.db');
  const store = new SqliteStore(path, { checkpoints: false });
  await store.migrate();
  // Random text, so that each payload stays 4 kB once the outbox has packed it.
  const payload = () => '<hocba>' + randomBytes(2000).toString('hex') + '</hocba>';
  for (let b = 0; b < 4; b++) {
    await submit(store, 'vnedu', recs(500, { school: '01009876', grade: 6, learner: `B${b}-` }).map((r) => ({ ...r, recordXml: payload() })), T0);
  }
  for (;;) {
    const c = await store.claim('w', 1000, T0, 60_000);
    if (!c.length) break;
    await store.acknowledge('w', 'P', c.map((r) => ({ id: r.id, ministryRecordId: null, code: 'accepted' })), T0);
  }
  await store.reclaimSpace(); // checkpoint: the WAL into the file
  const before = statSync(path).size;
  const { purgePayloads } = await import('../src/admin/retention.js');
  const dry = await purgePayloads(store, { payloadDays: 1 / 48, batchSize: 300, intervalMs: 0 }, { dryRun: true });
  t.equal(dry.purged, 2000);
  t.equal(statSync(path).size, before, 'a dry run changes nothing');
  const r = await purgePayloads(store, { payloadDays: 1 / 48, batchSize: 300, intervalMs: 0 });
  t.equal(r.purged, 2000);
  const after = statSync(path).size;
  t.ok(after < before / 2, `the file shrank from ${before} to ${after} bytes`);
  t.comment(`database file ${before} → ${after} bytes after purging 2,000 payloads of 4 kB`);
  const row = (await store.listRecords({ limit: 1 }))[0];
  t.match(row, { state: 'acknowledged', contentHash: /^h/ });
  t.ok((await store.recordEvents(row.id)).length >= 3, 'timeline kept');
  t.equal(await store.countPurgeable(Date.now()), 0);
  await store.close();
});
