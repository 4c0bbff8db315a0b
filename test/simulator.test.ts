import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import t from 'tap';
import { DOMParser } from '@xmldom/xmldom';
import { recordFromXml } from '../src/canonical/from-xml.js';
import { contentHashOf, recordToXml } from '../src/canonical/xml.js';
import { recordKeyOf, type CanonicalRecord } from '../src/canonical/record.js';
import { buildPacket } from '../src/packet/build.js';
import { signEnveloped, type SigningMaterial } from '../src/signing/xmldsig.js';
import { DEMO_MINISTRY_CLIENT, startSimulator, type RunningSimulator } from '../src/simulator/server.js';
import { throwawayCert } from './helpers/throwaway-cert.js';
import { loadValid } from './helpers/records.js';

function sampleRecord(overrides: Partial<CanonicalRecord> = {}): CanonicalRecord {
  const r = loadValid('g04-4');
  r.student.learnerId = '0100123400001';
  r.className = '4A';
  return { ...r, ...overrides };
}

/** A record of profile v0 (primary only, one test score), as the gateway wrote them before v1. */
function v0Record(grade = 4): Record<string, unknown> {
  const r = sampleRecord();
  return {
    recordId: r.recordId, lookupCode: r.lookupCode, effectiveDate: r.effectiveDate, version: 1,
    student: { ...r.student, learnerId: '0100123400099' }, school: r.school, schoolYear: r.schoolYear, grade,
    className: r.className, homeroomTeacher: r.homeroomTeacher, principal: r.principal,
    primary: {
      subjects: [{ subject: 'TIENG_VIET', level: 'T', testScore: 9 }, { subject: 'DAO_DUC', level: 'H' }],
      qualities: [{ code: 'CHAM_CHI', rating: 'TOT' }], competencies: [{ code: 'TU_CHU_TU_HOC', rating: 'DAT' }],
      yearEndResult: 'HTT', completedProgramme: true, promoted: true, commendations: [], remarks: '',
    },
  };
}
const v0Xml = (record: Record<string, unknown>) => recordToXml(record as never).replace('urn:moet:hocba:record:v1', 'urn:moet:hocba:record:v0');

const ajv = new Ajv2020();
ajvFormats.default(ajv);
const validReceipt = ajv.compile(JSON.parse(readFileSync(new URL('../specs/ministry-profile/v0/receipt.schema.json', import.meta.url), 'utf8')));

let packetCounter = 0;
function signedPacket(key: SigningMaterial, records: CanonicalRecord[], hashOverride?: string): string {
  packetCounter += 1;
  const packetId = `PKT-TEST-${packetCounter}`;
  const xml = buildPacket({
    packetId,
    provinceCode: '01',
    createdAt: '2025-06-01T08:00:00.000Z',
    records: records.map((r) => {
      const recordXml = recordToXml(r);
      return { recordKey: recordKeyOf(r), contentHash: hashOverride ?? contentHashOf(recordXml), xml: recordXml };
    }),
  });
  return signEnveloped(xml, key);
}

async function token(sim: RunningSimulator): Promise<string> {
  const res = await fetch(`${sim.url}/api/v0/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(DEMO_MINISTRY_CLIENT),
  });
  return ((await res.json()) as { accessToken: string }).accessToken;
}

async function send(sim: RunningSimulator, body: string, accessToken?: string): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/xml' };
  if (accessToken) headers.authorization = `Bearer ${accessToken}`;
  const res = await fetch(`${sim.url}/api/v0/packets`, { method: 'POST', headers, body });
  const json = await res.json();
  // Every receipt the simulator answers must follow the profile's receipt schema.
  if (res.status === 200 && !validReceipt(json)) throw new Error(`receipt off schema: ${ajv.errorsText(validReceipt.errors)}`);
  return { status: res.status, json };
}

const key = await throwawayCert();
// This file's simulator reads packets in two worker threads; the other files' read them on the
// event loop: both paths meet the same expectations.
const sim = await startSimulator({ port: 0, inspection: true, provinceCertPem: key.certificatePem, workers: 2 });
t.teardown(() => sim.close());
t.beforeEach(async () => {
  await fetch(`${sim.url}/_sim/reset`, { method: 'POST' });
});

t.test('recordFromXml reads the XML rendition back to the same JSON', async (t) => {
  const r = sampleRecord();
  const doc = new DOMParser().parseFromString(recordToXml(r), 'text/xml');
  t.same(recordFromXml(doc.documentElement as unknown as Element), r);
});

t.test('token login: good and wrong credentials', async (t) => {
  const ok = await fetch(`${sim.url}/api/v0/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(DEMO_MINISTRY_CLIENT),
  });
  t.equal(ok.status, 200);
  const body = (await ok.json()) as any;
  t.equal(body.tokenType, 'Bearer');
  t.equal(body.expiresIn, 3600);
  t.type(body.accessToken, 'string');

  const wrong = await fetch(`${sim.url}/api/v0/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientId: DEMO_MINISTRY_CLIENT.clientId, clientSecret: 'nope' }),
  });
  t.equal(wrong.status, 401);
  t.match(wrong.headers.get('content-type'), /application\/problem\+json/);
  t.match(await wrong.json(), { status: 401, code: 'TOKEN_INVALID' });
});

t.test('packets need a bearer token', async (t) => {
  const missing = await send(sim, signedPacket(key, [sampleRecord()]));
  t.equal(missing.status, 401);
  t.equal(missing.json.code, 'TOKEN_INVALID');
  const unknown = await send(sim, signedPacket(key, [sampleRecord()]), 'not-a-token');
  t.equal(unknown.json.code, 'TOKEN_INVALID');
});

t.test('an expired token is refused', async (t) => {
  const shortLived = await startSimulator({ port: 0, inspection: true, provinceCertPem: key.certificatePem, tokenTtlSeconds: 0 });
  t.teardown(() => shortLived.close());
  const res = await send(shortLived, signedPacket(key, [sampleRecord()]), await token(shortLived));
  t.equal(res.status, 401);
  t.equal(res.json.code, 'TOKEN_INVALID');
});

t.test('accepted, then the same packet again is a duplicate', async (t) => {
  const accessToken = await token(sim);
  const packet = signedPacket(key, [sampleRecord()]);
  const first = await send(sim, packet, accessToken);
  t.equal(first.status, 200);
  t.match(first.json, { packetId: /^PKT-TEST-/, results: [{ recordKey: '0100123400001/2024-2025', status: 'accepted' }] });
  const id = first.json.results[0].ministryRecordId;
  t.match(id, /^MOET-/);

  const again = await send(sim, packet, accessToken);
  t.match(again.json.results, [{ status: 'duplicate', ministryRecordId: id }]);

  const records = (await (await fetch(`${sim.url}/_sim/records`)).json()) as any;
  t.equal(records.unique, 1);
  t.equal(records.duplicates, 1);
  t.match(records.records[0], { recordKey: '0100123400001/2024-2025', version: 1, ministryRecordId: id });
  const stats = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as any;
  t.match(stats, { packets: 2, tokensIssued: 1, rejected: 0 });
});

t.test('a record changed after signing breaks the signature', async (t) => {
  const packet = signedPacket(key, [sampleRecord()]);
  const tampered = packet.replace('<className>4A</className>', '<className>4B</className>');
  t.not(tampered, packet);
  const res = await send(sim, tampered, await token(sim));
  t.equal(res.status, 400);
  t.equal(res.json.code, 'SIGNATURE_INVALID');
  t.equal((await (await fetch(`${sim.url}/_sim/records`)).json() as any).unique, 0);
});

t.test('an unsigned packet is SIGNATURE_MISSING, a non-XML body PACKET_MALFORMED', async (t) => {
  const accessToken = await token(sim);
  const r = sampleRecord();
  const unsigned = buildPacket({
    packetId: 'PKT-UNSIGNED',
    provinceCode: '01',
    createdAt: '2025-06-01T08:00:00.000Z',
    records: [{ recordKey: recordKeyOf(r), contentHash: contentHashOf(recordToXml(r)), xml: recordToXml(r) }],
  });
  t.equal((await send(sim, unsigned, accessToken)).json.code, 'SIGNATURE_MISSING');
  t.equal((await send(sim, '<packet', accessToken)).json.code, 'PACKET_MALFORMED');
});

t.test('charset parameter accepted; oversized packet is 413 PACKET_TOO_LARGE', async (t) => {
  const small = await startSimulator({ port: 0, inspection: true, provinceCertPem: key.certificatePem, maxPacketBytes: 1024 });
  t.teardown(() => small.close());
  const accessToken = await token(small);
  const post = (body: string) =>
    fetch(`${small.url}/api/v0/packets`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml; charset=utf-8', authorization: `Bearer ${accessToken}` },
      body,
    });
  const tooBig = await post(signedPacket(key, [sampleRecord()]));
  t.equal(tooBig.status, 413);
  t.match(await tooBig.json(), { code: 'PACKET_TOO_LARGE' });
  const notXml = await post('<packet xmlns="urn:moet:hocba:packet:v0">');
  t.equal(notXml.status, 400, 'charset-qualified application/xml reaches the packet check');
  t.match(await notXml.json(), { code: 'PACKET_MALFORMED' });
});

t.test('a packet signed by another key is refused', async (t) => {
  const other = await throwawayCert('Someone Else');
  const res = await send(sim, signedPacket(other, [sampleRecord()]), await token(sim));
  t.equal(res.status, 400);
  t.equal(res.json.code, 'SIGNATURE_INVALID');
});

t.test('a wrong declared contentHash is rejected HASH_MISMATCH', async (t) => {
  const res = await send(sim, signedPacket(key, [sampleRecord()], '0'.repeat(64)), await token(sim));
  t.equal(res.status, 200);
  t.match(res.json.results, [{ status: 'rejected', code: 'HASH_MISMATCH' }]);
  t.match((await (await fetch(`${sim.url}/_sim/stats`)).json()) as any, { rejected: 1 });
});

t.test('new content needs a higher version', async (t) => {
  const accessToken = await token(sim);
  await send(sim, signedPacket(key, [sampleRecord()]), accessToken);
  const sameVersion = await send(sim, signedPacket(key, [sampleRecord({ className: '4B' })]), accessToken);
  t.match(sameVersion.json.results, [{ status: 'rejected', code: 'VERSION_CONFLICT' }]);

  const newer = await send(sim, signedPacket(key, [sampleRecord({ className: '4B', version: 2 })]), accessToken);
  t.match(newer.json.results, [{ status: 'accepted' }]);
  // A late replay of version 1 was accepted before: a duplicate, not a conflict.
  const replay = await send(sim, signedPacket(key, [sampleRecord()]), accessToken);
  t.match(replay.json.results, [{ status: 'duplicate' }]);
  const records = (await (await fetch(`${sim.url}/_sim/records`)).json()) as any;
  t.match(records, { unique: 1, records: [{ version: 2 }] });
});

t.test('a key that does not match the content is RECORD_INVALID', async (t) => {
  const r = sampleRecord();
  const xml = recordToXml(r);
  const packet = signEnveloped(
    buildPacket({
      packetId: 'PKT-BADKEY',
      provinceCode: '01',
      createdAt: '2025-06-01T08:00:00.000Z',
      records: [{ recordKey: '0100123400001/2023-2024', contentHash: contentHashOf(xml), xml }],
    }),
    key,
  );
  const res = await send(sim, packet, await token(sim));
  t.match(res.json.results, [{ status: 'rejected', code: 'RECORD_INVALID' }]);
});

t.test('a record breaking the profile schema is RECORD_INVALID', async (t) => {
  const res = await send(sim, signedPacket(key, [sampleRecord({ grade: 13 })]), await token(sim));
  t.match(res.json.results, [{ status: 'rejected', code: 'RECORD_INVALID', message: /grade/ }]);
});

t.test('records of profile v0 stay readable: checked against the v0 schema, picked by namespace', async (t) => {
  const packetOf = (xml: string, learnerId: string) =>
    signEnveloped(
      buildPacket({ packetId: `PKT-V0-${learnerId}`, provinceCode: '01', createdAt: '2025-06-01T08:00:00.000Z', records: [{ recordKey: `${learnerId}/2024-2025`, contentHash: contentHashOf(xml), xml }] }),
      key,
    );
  const accessToken = await token(sim);
  const ok = await send(sim, packetOf(v0Xml(v0Record()), '0100123400099'), accessToken);
  t.match(ok.json.results, [{ status: 'accepted' }], 'a v0 record is accepted');
  const bad = await send(sim, packetOf(v0Xml(v0Record(6)), '0100123400099'), accessToken);
  t.match(bad.json.results, [{ status: 'rejected', code: 'RECORD_INVALID', message: /grade/ }], 'v0 covers grades 1-5 only');
  const v1 = await send(sim, signedPacket(key, [sampleRecord()]), accessToken);
  t.match(v1.json.results, [{ status: 'accepted' }], 'a v1 record next to it is accepted');
  const unknown = await send(sim, packetOf(recordToXml(sampleRecord()).replace('record:v1', 'record:v9'), '0100123400001'), accessToken);
  t.equal(unknown.status, 400);
  t.equal(unknown.json.code, 'PACKET_MALFORMED', 'an unknown profile namespace is refused');
});

t.test('callers off the allowlist get 403', async (t) => {
  const fenced = await startSimulator({ port: 0, inspection: true, provinceCertPem: key.certificatePem, allowlist: ['127.0.0.2'] });
  t.teardown(() => fenced.close());
  const res = await fetch(`${fenced.url}/api/v0/health`);
  t.equal(res.status, 403);
  t.match(await res.json(), { code: 'SOURCE_NOT_ALLOWED' });
  const tokenRes = await fetch(`${fenced.url}/api/v0/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(DEMO_MINISTRY_CLIENT),
  });
  t.equal(tokenRes.status, 403);
  // The operator endpoints stay reachable.
  t.equal((await fetch(`${fenced.url}/_sim/stats`)).status, 200);
});

t.test('faults: outage, rate limit, refused keys', async (t) => {
  const accessToken = await token(sim);
  const put = (faults: object) =>
    fetch(`${sim.url}/_sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });

  t.equal((await put({ outage: true })).status, 200);
  const down = await send(sim, signedPacket(key, [sampleRecord()]), accessToken);
  t.equal(down.status, 503);
  t.equal(down.json.code, 'UNAVAILABLE');
  t.equal((await fetch(`${sim.url}/api/v0/health`)).status, 503);

  await put({ rateLimitRetryAfterSeconds: 7, rateLimitCount: 1 });
  const limited = await fetch(`${sim.url}/api/v0/packets`, {
    method: 'POST',
    headers: { 'content-type': 'application/xml', authorization: `Bearer ${accessToken}` },
    body: signedPacket(key, [sampleRecord()]),
  });
  t.equal(limited.status, 429);
  t.equal(limited.headers.get('retry-after'), '7');
  t.equal((await send(sim, signedPacket(key, [sampleRecord()]), accessToken)).status, 200, 'only the next N calls');

  await put({ rejectRecordKeys: ['0100123400001/2024-2025'] });
  const refused = await send(sim, signedPacket(key, [sampleRecord({ version: 5 })]), accessToken);
  t.match(refused.json.results, [{ status: 'rejected', code: 'RECORD_REFUSED' }]);

  t.equal((await put({ outgae: true })).status, 400, 'a misspelt fault fails loudly');
  await fetch(`${sim.url}/_sim/faults`, { method: 'DELETE' });
  t.same(await (await fetch(`${sim.url}/_sim/faults`)).json(), {});
});

t.test('GET /_sim/packets/latest returns exactly the bytes sent', async (t) => {
  t.equal((await fetch(`${sim.url}/_sim/packets/latest`)).status, 404);
  const packet = signedPacket(key, [sampleRecord(), sampleRecord({ student: { ...sampleRecord().student, learnerId: '0100123400002' } })]);
  const res = await send(sim, packet, await token(sim));
  t.match(res.json.results, [{ status: 'accepted' }, { status: 'accepted' }]);
  const latest = await fetch(`${sim.url}/_sim/packets/latest`);
  t.match(latest.headers.get('content-type'), /^application\/xml/);
  t.ok(Buffer.from(await latest.arrayBuffer()).equals(Buffer.from(packet, 'utf8')));
});
