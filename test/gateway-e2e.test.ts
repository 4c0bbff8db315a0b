import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { api, eventually, setFaults, simRecords, startTestGateway, waitForStates } from './helpers/gateway.js';

// The walking skeleton end to end: real HTTP, real SQLite, the real simulator over a socket.

const run = promisify(execFile);
const example = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, '..', 'examples', 'vnedu', name), 'utf8'));

t.test('a vnEdu batch travels to the Ministry and every record is acknowledged once', async (t) => {
  const gw = await startTestGateway(t);
  const batch = example('batch-grades-1-5.json');
  const n = batch.DanhSachHocSinh.length;
  t.ok(n >= 30, 'the example holds at least 30 students');

  const res = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: batch });
  t.equal(res.status, 202);
  t.equal(res.json.queued, n);
  t.equal(res.json.rejected, 0);
  t.equal(res.headers.get('location'), `/v1/submissions/${res.json.submissionId}`);

  const done = await waitForStates(gw, res.json.submissionId, (c) => c.acknowledged === n);
  t.equal(done.records.length, n);
  t.ok(done.records.every((r: { ministryRecordId: string | null }) => r.ministryRecordId?.startsWith('MOET-')), 'each record carries the Ministry ID');

  const sim = await simRecords(gw);
  t.equal(sim.unique, n, 'the Ministry holds each accepted record');
  t.equal(sim.duplicates, 0, 'and none twice');

  // The packet as the Ministry received it verifies in an independent verifier.
  const packet = await (await fetch(gw.simUrl + '/_sim/packets/latest')).text();
  const file = join(gw.dir, 'packet.xml');
  writeFileSync(file, packet);
  const { stdout, stderr } = await run('xmlsec1', ['--verify', '--enabled-key-data', 'x509', '--trusted-pem', join(gw.dir, 'pki', 'ca.pem'), '--enabled-reference-uris', 'empty,same-doc', file]);
  t.match(stdout + stderr, /OK/, 'xmlsec1 verifies the packet against the demo CA');

  // The attempt timeline of one record, as an admin reads it.
  const one = await api(gw, 'GET', `/admin/v1/records/${done.records[0].recordId}`, { token: gw.adminToken });
  t.equal(one.status, 200);
  t.same(one.json.timeline.map((e: { to: string }) => e.to), ['queued', 'sending', 'acknowledged']);
});

t.test('invalid records are rejected with their codes while valid ones are queued', async (t) => {
  const gw = await startTestGateway(t);
  const res = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: example('batch-with-errors.json') });
  t.equal(res.status, 202);
  t.equal(res.json.queued, 3);
  t.equal(res.json.rejected, 2);
  const codes = res.json.validationErrors.map((e: { index: number; path: string; code: string }) => `${e.index} ${e.path} ${e.code}`).sort();
  t.same(codes, ['1 /student/personalId PERSONAL_ID_SEX_MISMATCH', '3 /primary/subjects/1/testScores/endOfYear SCHEMA_RANGE']);
  for (const e of res.json.validationErrors) {
    t.ok(e.message_en.length > 0 && e.message_vi.length > 0, `${e.code} is explained in English and Vietnamese`);
  }
  const done = await waitForStates(gw, res.json.submissionId, (c) => c.acknowledged === 3 && c.rejected === 2);
  t.equal(done.counts.rejected, 2);
  t.equal((await simRecords(gw)).unique, 3, 'only the valid records reach the Ministry');

  // A batch with nothing valid is a problem, and nothing is stored.
  const bad = example('batch-small.json');
  for (const s of bad.DanhSachHocSinh) s.MaDinhDanh = '123';
  const all = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: bad });
  t.equal(all.status, 422);
  t.match(all.headers.get('content-type'), /application\/problem\+json/);
  t.equal(all.json.code, 'BATCH_REJECTED');
  t.equal(all.json.validationErrors.length, 3);
  t.equal(all.json.validationErrors[0].code, 'SCHEMA_PATTERN');
  t.equal(all.json.validationErrors[0].path, '/student/personalId');
});

t.test('a Ministry outage delays delivery; when it ends every record arrives exactly once', async (t) => {
  const gw = await startTestGateway(t, { delivery: { retry: { maxAttempts: 1000 } } });
  await setFaults(gw, { outage: true });
  const batch = example('batch-grades-1-5.json');
  const n = batch.DanhSachHocSinh.length;
  const res = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: batch });
  t.equal(res.status, 202);
  const waiting = await waitForStates(gw, res.json.submissionId, (c) => (c.retry ?? 0) > 0);
  t.ok(waiting.records.some((r: { lastCode: string }) => r.lastCode === 'UNAVAILABLE'), 'the Ministry\'s own code is kept');
  t.equal((await simRecords(gw)).unique, 0, 'nothing got through during the outage');

  await setFaults(gw, null);
  await waitForStates(gw, res.json.submissionId, (c) => c.acknowledged === n);
  const sim = await simRecords(gw);
  t.equal(sim.unique, n);
  t.equal(sim.duplicates, 0);
});

t.test('a record the Ministry refuses ends dead with the reason; replay delivers it after the fault is cleared', async (t) => {
  const gw = await startTestGateway(t);
  const batch = example('batch-small.json');
  const refusedKey = `${batch.DanhSachHocSinh[1].MaHocSinh}/${batch.NamHoc}`;
  await setFaults(gw, { rejectRecordKeys: [refusedKey] });
  const res = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: batch });
  t.equal(res.status, 202);
  const settled = await waitForStates(gw, res.json.submissionId, (c) => c.acknowledged === 2 && c.dead === 1);
  const dead = settled.records.find((r: { state: string }) => r.state === 'dead');
  t.equal(dead.recordKey, refusedKey);
  t.equal(dead.lastCode, 'RECORD_REFUSED', 'the Ministry\'s code is kept');
  t.match(dead.lastReason, /Ministry/);

  const listed = await api(gw, 'GET', '/admin/v1/records?state=dead', { token: gw.adminToken });
  t.same(listed.json.records.map((r: { recordId: string }) => r.recordId), [dead.recordId], 'admins see what failed');

  await setFaults(gw, null);
  const replay = await api(gw, 'POST', '/admin/v1/replay', { token: gw.adminToken, body: { ids: [dead.recordId], reason: 'fault cleared' } });
  t.equal(replay.status, 200);
  t.equal(replay.json.replayed, 1);
  await waitForStates(gw, res.json.submissionId, (c) => c.acknowledged === 3);
  const sim = await simRecords(gw);
  t.equal(sim.unique, 3);
  t.ok(sim.records.some((r) => r.recordKey === refusedKey), 'the replayed record arrived under its own key');

  const again = await api(gw, 'POST', '/admin/v1/replay', { token: gw.adminToken, body: { ids: [dead.recordId] } });
  t.equal(again.json.replayed, 0, 'an acknowledged record is not replayed');
  const timeline = await api(gw, 'GET', `/admin/v1/records/${dead.recordId}`, { token: gw.adminToken });
  t.same(timeline.json.timeline.map((e: { to: string }) => e.to), ['queued', 'sending', 'dead', 'queued', 'sending', 'acknowledged']);
});

t.test('retries used up leave records dead with the reason', async (t) => {
  // The helper's quick retries with two attempts (an override of delivery replaces the helper's).
  const retry = { inProcessAttempts: 2, inProcessMinDelayMs: 10, inProcessMaxDelayMs: 50, maxAttempts: 2, baseDelayMs: 30, capDelayMs: 200 };
  const gw = await startTestGateway(t, { delivery: { pollIntervalMs: 20, retry } });
  await setFaults(gw, { errorRate: 1, errorStatus: 503 });
  const res = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: example('batch-small.json') });
  const settled = await waitForStates(gw, res.json.submissionId, (c) => c.dead === 3);
  t.ok(settled.records.every((r: { lastReason: string; attempts: number }) => /retries used up/.test(r.lastReason) && r.attempts === 2));
  t.equal((await simRecords(gw)).unique, 0);
});

t.test('the same Idempotency-Key gets the same answer and creates nothing', async (t) => {
  const gw = await startTestGateway(t);
  const body = example('batch-small.json');
  const headers = { 'idempotency-key': 'vnedu-2025-06-01-0001' };
  const first = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body, headers });
  const second = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body, headers });
  t.equal(first.status, 202);
  t.equal(second.status, 202);
  t.same(second.json, first.json);
  t.equal(second.headers.get('idempotent-replayed'), 'true');
  const changed = structuredClone(body);
  changed.DanhSachHocSinh.pop();
  const conflict = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: changed, headers });
  t.equal(conflict.status, 409);
  t.equal(conflict.json.code, 'IDEMPOTENCY_KEY_REUSED');
  await waitForStates(gw, first.json.submissionId, (c) => c.acknowledged === 3);
  const counts = await gw.store.countByState();
  t.same(counts, { acknowledged: 3 }, 'one submission, three records');
});

t.test('bad requests get problem details and never a 500', async (t) => {
  const gw = await startTestGateway(t, { bodyLimitBytes: 64 * 1024 });
  const cases: [string, Parameters<typeof api>[3], number, string][] = [
    ['no key', { body: {} }, 401, 'AUTH_MISSING'],
    ['unknown key', { token: 'nope', body: {} }, 401, 'AUTH_INVALID'],
    ['admin key on the vendor API', { token: gw.adminToken, body: {} }, 403, 'FORBIDDEN'],
    ['malformed JSON', { token: gw.vendorKey, raw: '{"MaTruong": ' }, 400, 'BODY_MALFORMED'],
    ['not an object', { token: gw.vendorKey, raw: '[1,2]' }, 400, 'REQUEST_INVALID'],
    ['wrong media type', { token: gw.vendorKey, raw: 'x', headers: { 'content-type': 'text/plain' } }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['oversized body', { token: gw.vendorKey, raw: JSON.stringify({ pad: 'x'.repeat(100 * 1024) }) }, 413, 'BODY_TOO_LARGE'],
    ['prototype pollution', { token: gw.vendorKey, raw: '{"__proto__": {"admin": true}}' }, 400, 'BODY_MALFORMED'],
    ['constructor pollution', { token: gw.vendorKey, raw: '{"MaTruong": "x", "constructor": {"prototype": {"admin": true}}}' }, 400, 'BODY_MALFORMED'],
    ['empty body', { token: gw.vendorKey, raw: '' }, 400, 'BODY_MALFORMED'],
    ['a JSON string', { token: gw.vendorKey, raw: '"students"' }, 400, 'REQUEST_INVALID'],
    ['envelope without students', { token: gw.vendorKey, body: { MaTruong: 'x' } }, 422, 'BATCH_INVALID'],
  ];
  for (const [name, opts, status, code] of cases) {
    const r = await api(gw, 'POST', '/v1/submissions', opts);
    t.equal(r.status, status, `${name}: status`);
    t.equal(r.json?.code, code, `${name}: code`);
    t.match(r.headers.get('content-type'), /application\/problem\+json/, `${name}: problem+json`);
    t.ok(r.json?.detail && r.json?.detail_vi, `${name}: explained in both languages`);
  }
  const missing = await api(gw, 'GET', '/v1/submissions/does-not-exist', { token: gw.vendorKey });
  t.equal(missing.status, 404);
  t.equal(missing.json.code, 'NOT_FOUND');
  const badReplay = await api(gw, 'POST', '/admin/v1/replay', { token: gw.adminToken, body: { nothing: true } });
  t.equal(badReplay.status, 400);
  t.equal(badReplay.json.code, 'REQUEST_INVALID');
  t.equal((await api(gw, 'GET', '/healthz')).status, 200, 'still alive');
});

t.test('health, readiness and the OpenAPI document', async (t) => {
  const gw = await startTestGateway(t);
  t.same((await api(gw, 'GET', '/healthz')).json, { status: 'ok' });
  const ready = await api(gw, 'GET', '/readyz');
  t.equal(ready.status, 200);
  t.same(Object.keys(ready.json.checks).sort(), ['database', 'disk', 'ministry', 'signingKey']);
  // A Ministry outage is shown (the circuit) but leaves the replica ready: the outbox holds the
  // records, and a load balancer must not cut vendors off (test/health.test.ts).
  await setFaults(gw, { outage: true });
  t.equal((await api(gw, 'GET', '/readyz')).status, 200, 'an unreachable Ministry does not make the gateway unready');
  const doc = await api(gw, 'GET', '/docs/json');
  t.equal(doc.status, 200);
  t.match(doc.json.openapi, /^3\./);
  for (const p of ['/v1/submissions', '/v1/submissions/{id}', '/admin/v1/replay', '/healthz', '/readyz']) t.ok(doc.json.paths[p], `documents ${p}`);
  const ui = await fetch(gw.url + '/docs/');
  t.equal(ui.status, 200);
});

t.test('logs carry no names, birth dates, ID numbers or keys', async (t) => {
  const gw = await startTestGateway(t);
  const batch = example('batch-with-errors.json');
  const res = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: batch });
  await waitForStates(gw, res.json.submissionId, (c) => c.acknowledged === 3);
  await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, raw: '{"broken' });
  const logs = gw.logs.join('');
  t.ok(logs.length > 0, 'something was logged');
  for (const s of batch.DanhSachHocSinh) {
    for (const secret of [s.HoTen, s.MaDinhDanh, s.NgaySinh]) t.notOk(logs.includes(secret), 'personal data stays out of the logs');
  }
  t.notOk(logs.includes(gw.vendorKey), 'the vendor key stays out of the logs');
  t.notOk(logs.includes(gw.adminToken), 'the admin token stays out of the logs');
});

t.test('a control character in a remark is rejected at the door, not by the Ministry', async (t) => {
  const gw = await startTestGateway(t);
  const batch = example('batch-small.json');
  batch.DanhSachHocSinh[0].NhanXet = 'Em học tốt\u0001';
  const res = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: batch });
  t.equal(res.status, 202);
  t.same(res.json.validationErrors.map((e: { index: number; path: string; code: string }) => [e.index, e.path, e.code]), [[0, '/primary/remarks', 'TEXT_INVALID_CHARACTER']]);
  await waitForStates(gw, res.json.submissionId, (c) => c.acknowledged === 2);
  t.equal((await simRecords(gw)).unique, 2);
});
