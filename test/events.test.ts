import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import t from 'tap';
import { contentHashOf, recordToXml } from '../src/canonical/xml.js';
import { recordKeyOf, type CanonicalRecord } from '../src/canonical/record.js';
import { buildPacket, type PacketRecord } from '../src/packet/build.js';
import { withdrawalXml, type PacketEvent } from '../src/packet/events.js';
import { signEnveloped } from '../src/signing/xmldsig.js';
import { DEMO_MINISTRY_CLIENT, startSimulator } from '../src/simulator/server.js';
import { api, eventually, simRecords, startTestGateway, waitForStates } from './helpers/gateway.js';
import { loadValid } from './helpers/records.js';
import { throwawayCert } from './helpers/throwaway-cert.js';

// Corrections and withdrawals as events (issue 15 item 10): the Ministry simulator applies NEW,
// UPDATE and CANCEL only where they fit what it holds, and the gateway sends each one right,
// from a vendor's correction or withdrawal to the Ministry's receipt.

const ajv = new Ajv2020();
ajvFormats.default(ajv);
const validReceipt = ajv.compile(JSON.parse(readFileSync(new URL('../specs/ministry-profile/v0/receipt.schema.json', import.meta.url), 'utf8')));

const key = await throwawayCert();
const sim = await startSimulator({ port: 0, inspection: true, provinceCertPem: key.certificatePem });
t.teardown(() => sim.close());
t.beforeEach(async () => {
  await fetch(`${sim.url}/_sim/reset`, { method: 'POST' });
});

const login = async (): Promise<string> => {
  const res = await fetch(`${sim.url}/api/v0/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(DEMO_MINISTRY_CLIENT) });
  return ((await res.json()) as { accessToken: string }).accessToken;
};

let packets = 0;
async function send(records: PacketRecord[]): Promise<{ status: number; json: any }> {
  packets += 1;
  const xml = signEnveloped(buildPacket({ packetId: `PKT-EV-${packets}`, provinceCode: '01', createdAt: '2025-06-01T08:00:00.000Z', records }), key);
  const res = await fetch(`${sim.url}/api/v0/packets`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${await login()}` }, body: xml });
  const json = await res.json();
  if (res.status === 200 && !validReceipt(json)) throw new Error(`receipt off schema: ${ajv.errorsText(validReceipt.errors)}`);
  return { status: res.status, json };
}

function book(version: number, className = '4A'): CanonicalRecord {
  const r = loadValid('g04-4');
  r.student.learnerId = '0100123400077';
  return { ...r, className, version };
}
const asEvent = (r: CanonicalRecord, event: PacketEvent): PacketRecord => {
  const xml = recordToXml(r);
  return { recordKey: recordKeyOf(r), contentHash: contentHashOf(xml), xml, event };
};
const cancelOf = (r: CanonicalRecord, version: number, withdrawn = contentHashOf(recordToXml(r)), recordKey = recordKeyOf(r)): PacketRecord => {
  const w = withdrawalXml({ recordKey, version, withdrawnContentHash: withdrawn, reason: 'nhập nhầm học sinh', requestedAt: '2025-06-02T08:00:00.000Z' });
  return { recordKey: recordKeyOf(r), contentHash: w.contentHash, xml: w.xml, event: 'CANCEL' };
};
const results = (r: { json: any }) => r.json.results.map((x: any) => x.code ?? x.status);

t.test('the simulator: NEW for a new book, UPDATE for one it holds, each refused where it does not fit', async (t) => {
  t.same(results(await send([asEvent(book(1), 'UPDATE')])), ['RECORD_NOT_FOUND'], 'UPDATE of a book the Ministry does not hold');
  t.same(results(await send([asEvent(book(1), 'NEW')])), ['accepted']);
  t.same(results(await send([asEvent(book(1), 'NEW')])), ['duplicate'], 'the same NEW again is a duplicate');
  t.same(results(await send([asEvent(book(2, '4B'), 'NEW')])), ['EVENT_CONFLICT'], 'NEW of a book it holds');
  t.same(results(await send([asEvent(book(2, '4B'), 'UPDATE')])), ['accepted']);
  t.same(results(await send([asEvent(book(2, '4C'), 'UPDATE')])), ['VERSION_CONFLICT'], 'an UPDATE needs a higher version');
  const held = (await (await fetch(`${sim.url}/_sim/records`)).json()) as any;
  t.match(held, { unique: 1, withdrawals: 0, records: [{ version: 2, ministryRecordId: 'MOET-00000001' }] }, 'one book, amended, under one Ministry ID');
});

t.test('the simulator: a CANCEL withdraws the content it names; the book comes back only as NEW with a higher version', async (t) => {
  t.same(results(await send([cancelOf(book(1), 2)])), ['RECORD_NOT_FOUND'], 'nothing to withdraw');
  await send([asEvent(book(1), 'NEW')]);
  t.same(results(await send([cancelOf(book(1), 2, 'f'.repeat(64))])), ['CANCEL_TARGET_MISMATCH'], 'a withdrawal of content the Ministry does not hold');
  t.same(results(await send([cancelOf(book(1), 1)])), ['VERSION_CONFLICT'], 'a withdrawal takes a version above the held one');
  t.same(results(await send([cancelOf(book(1), 2, undefined, '0100123400078/2024-2025')])), ['RECORD_INVALID'], 'a withdrawal names its own record key');
  t.same(results(await send([cancelOf(book(1), 2)])), ['accepted']);
  t.same(results(await send([cancelOf(book(1), 2)])), ['duplicate'], 'the same withdrawal again is a duplicate');
  const after = (await (await fetch(`${sim.url}/_sim/records`)).json()) as any;
  t.match(after, { unique: 1, withdrawals: 1, records: [{ version: 2, withdrawn: { reason: 'nhập nhầm học sinh' } }] });
  t.same(results(await send([asEvent(book(3, '4B'), 'UPDATE')])), ['RECORD_WITHDRAWN'], 'a withdrawn book is not updated');
  t.same(results(await send([asEvent(book(2, '4B'), 'NEW')])), ['VERSION_CONFLICT'], 'nor sent again at the withdrawal\'s version');
  t.same(results(await send([asEvent(book(3, '4B'), 'NEW')])), ['accepted'], 'but sent again as NEW above it');
  const back = (await (await fetch(`${sim.url}/_sim/records`)).json()) as any;
  t.notOk(back.records[0].withdrawn, 'live again');
});

t.test('the simulator: events that are not events, and CANCELs that carry a record, are malformed packets', async (t) => {
  const bogus = { ...asEvent(book(1), 'NEW'), event: 'DELETE' as PacketEvent };
  t.match(await send([bogus]), { status: 400, json: { code: 'PACKET_MALFORMED' } });
  const cancelWithRecord = { ...asEvent(book(1), 'NEW'), event: 'CANCEL' as PacketEvent };
  t.match(await send([cancelWithRecord]), { status: 400, json: { code: 'PACKET_MALFORMED', detail: /CANCEL and must hold exactly one <withdrawal>/ } });
  // Packets written before events (no attribute) are read as they were.
  const legacy = { ...asEvent(book(1), 'NEW'), event: undefined };
  t.same(results(await send([legacy])), ['accepted']);
});

const example = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, '..', 'examples', 'vnedu', name), 'utf8'));

t.test('the gateway: a correction goes as UPDATE, a withdrawal as CANCEL, a book sent again as NEW', async (t) => {
  const gw = await startTestGateway(t);
  const batch = example('batch-small.json');
  const first = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: batch });
  t.equal(first.status, 202);
  const n = batch.DanhSachHocSinh.length;
  const done = await waitForStates(gw, first.json.submissionId, (c) => c.acknowledged === n);
  const [a, b] = done.records as { recordId: string; recordKey: string }[];
  t.match(await (await fetch(`${gw.simUrl}/_sim/packets/latest`)).text(), /<record contentHash="[0-9a-f]{64}" event="NEW" key=/, 'first versions go as NEW');

  // A correction of student b: version 2.
  const correction = structuredClone(batch);
  correction.DanhSachHocSinh = [{ ...batch.DanhSachHocSinh[1], PhienBan: 2, Lop: batch.DanhSachHocSinh[1].Lop }];
  correction.DanhSachHocSinh[0].NhanXet = 'Đã sửa nhận xét cuối năm.';
  const fixed = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: correction });
  t.equal(fixed.status, 202);
  await waitForStates(gw, fixed.json.submissionId, (c) => c.acknowledged === 1);
  t.match(await (await fetch(`${gw.simUrl}/_sim/packets/latest`)).text(), /event="UPDATE" key="[^"]+"/, 'a correction of an acknowledged book goes as UPDATE');

  // Another vendor's key cannot withdraw it, nor a reason-less request.
  const missing = await api(gw, 'POST', `/v1/records/${a.recordId}/withdrawal`, { token: gw.vendorKey, body: {} });
  t.equal(missing.status, 400);
  t.equal((await api(gw, 'POST', '/v1/records/nope/withdrawal', { token: gw.vendorKey, body: { reason: 'nhập nhầm' } })).status, 404);

  // The vendor withdraws student a.
  const w = await api(gw, 'POST', `/v1/records/${a.recordId}/withdrawal`, { token: gw.vendorKey, body: { reason: 'Học sinh nhập nhầm trường' } });
  t.equal(w.status, 202);
  t.match(w.json, { state: 'queued', recordKey: a.recordKey, withdrawnVersion: 1, version: 2, cancelled: 0 });
  const withdrawn = await eventually('the Ministry acknowledges the withdrawal', async () => {
    const r = await api(gw, 'GET', `/admin/v1/records/${a.recordId}`, { token: gw.adminToken });
    return r.json.record.state === 'withdrawn' ? r.json : null;
  });
  t.same(withdrawn.timeline.map((e: { to: string }) => e.to), ['queued', 'sending', 'acknowledged', 'withdrawn']);
  const wRow = await api(gw, 'GET', `/admin/v1/records/${w.json.withdrawalId}`, { token: gw.adminToken });
  t.match(wRow.json.record, { kind: 'withdrawal', state: 'acknowledged', recordKey: a.recordKey });
  const pdfOfWithdrawal = await fetch(`${gw.url}/v1/records/${w.json.withdrawalId}/pdf`, { headers: { authorization: `Bearer ${gw.vendorKey}` } });
  t.equal(pdfOfWithdrawal.status, 404, 'a withdrawal has no PDF of its own');
  const pdfOfWithdrawn = await fetch(`${gw.url}/v1/records/${a.recordId}/pdf`, { headers: { authorization: `Bearer ${gw.vendorKey}` } });
  t.equal(pdfOfWithdrawn.status, 200, 'the withdrawn version keeps its PDF');
  t.match(await (await fetch(`${gw.simUrl}/_sim/packets/latest`)).text(), /event="CANCEL" key="[^"]+"><withdrawal xmlns="urn:moet:hocba:event:v0">/);
  const held = (await simRecords(gw)) as any;
  t.match(held.records.find((r: any) => r.recordKey === a.recordKey), { version: 2, withdrawn: { reason: 'Học sinh nhập nhầm trường' } });
  t.equal(held.withdrawals, 1);
  t.equal((await api(gw, 'POST', `/v1/records/${a.recordId}/withdrawal`, { token: gw.vendorKey, body: { reason: 'lần nữa' } })).json.code, 'NOTHING_TO_WITHDRAW', 'withdrawn already');
  const audit = await api(gw, 'GET', '/admin/v1/audit?action=withdraw', { token: gw.adminToken });
  t.match(audit.json.entries ?? audit.json.items ?? audit.json, [{ action: 'withdraw', reason: 'Học sinh nhập nhầm trường', count: 1 }]);

  // Sent again: the withdrawal took version 2, so version 2 is refused and version 3 goes as NEW.
  const again = structuredClone(batch);
  again.DanhSachHocSinh = [{ ...batch.DanhSachHocSinh[0], PhienBan: 2 }];
  const refused = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: again });
  t.match(refused.json.validationErrors, [{ code: 'VERSION_NOT_HIGHER' }]);
  again.DanhSachHocSinh[0].PhienBan = 3;
  const back = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: again });
  t.equal(back.status, 202);
  await waitForStates(gw, back.json.submissionId, (c) => c.acknowledged === 1);
  t.match(await (await fetch(`${gw.simUrl}/_sim/packets/latest`)).text(), /event="NEW" key="[^"]+"/, 'a withdrawn book sent again goes as NEW');
  const live = ((await simRecords(gw)) as any).records.find((r: any) => r.recordKey === a.recordKey);
  t.match(live, { version: 3 });
  t.notOk(live.withdrawn);
  t.equal(((await simRecords(gw)) as any).duplicates, 0, 'nothing was sent twice');
  t.ok(b, 'two students');
});
