import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import soap from 'soap';
import t from 'tap';
import { renderSmasBatch, sampleSmasEnvelope, sampleSmasRecords } from '../src/adapters/smas/index.js';
import { startTestGateway, eventually, simRecords } from './helpers/gateway.js';
import { find, findAll, postSoap, smasKey, textOf, xmlToObject } from './helpers/smas.js';

// The SMAS SOAP endpoint against a real gateway and simulator, driven by a client generated from
// the served WSDL alone (node-soap), and by hand-written envelopes for what a client would not send.

const FIXTURES = join(import.meta.dirname, 'fixtures', 'smas');
const gw = await startTestGateway(t);
const key = smasKey(gw);
const wsdlUrl = `${gw.url}/soap/smas/v1?wsdl`;

/** A WSDL client with the key as WS-Security UsernameToken (PasswordText). */
async function wsdlClient(username = 'smas', password = key) {
  const client = await soap.createClientAsync(wsdlUrl);
  client.setSecurity(new soap.WSSecurity(username, password, { passwordType: 'PasswordText', hasTimeStamp: false, hasTokenCreated: false }));
  return client;
}

/** The GatewayFault of a rejected node-soap call. */
function faultOf(err: any): { code: string; faultcode: string; errors: any[] } {
  const fault = err?.root?.Envelope?.Body?.Fault;
  if (!fault) throw err;
  const detail = fault.detail.GatewayFault;
  const list = detail.Errors?.Error;
  return { code: detail.Code, faultcode: fault.faultcode, errors: list === undefined ? [] : Array.isArray(list) ? list : [list] };
}

const batchObject = (records: ReturnType<typeof sampleSmasRecords>) => xmlToObject(renderSmasBatch(records));

t.test('the WSDL is served with this gateway address and its XSD', async (t) => {
  const wsdl = await (await fetch(wsdlUrl)).text();
  t.match(wsdl, `<soap:address location="${gw.url}/soap/smas/v1"`);
  t.match(wsdl, `schemaLocation="${gw.url}/soap/smas/v1?xsd=smas-batch.xsd"`);
  const xsd = await fetch(`${gw.url}/soap/smas/v1?xsd=smas-batch.xsd`);
  t.equal(xsd.status, 200);
  t.match(await xsd.text(), 'name="PupilProfile"');
  const missing = await fetch(`${gw.url}/soap/smas/v1?xsd=../../etc/passwd`);
  t.equal(missing.status, 500);
  t.match(await missing.text(), '<Code>NOT_FOUND</Code>');
});

t.test('a WSDL client submits a batch that reaches acknowledged, and the simulator holds it', async (t) => {
  const client = await wsdlClient();
  const records = sampleSmasRecords(6, 11, { schoolId: '01004001' });
  const [answer] = await client.SubmitBatchAsync({ IdempotencyKey: 'soap-e2e-1', DryRun: false, SchoolBatch: batchObject(records) });
  t.equal(answer.Received, 6);
  t.equal(answer.Queued, 6);
  t.equal(answer.Rejected, 0);
  t.equal(answer.Replayed, false);
  const id = answer.SubmissionId as string;
  t.ok(id);
  const rows = [answer.Records.Record].flat();
  t.same(
    rows.map((r: any) => [r.Index, r.RecordKey, r.Status]),
    records.map((r, i) => [i, `${r.student.learnerId}/2024-2025`, 'queued']),
  );

  const states = await eventually('every record acknowledged', async () => {
    const [res] = await client.GetSubmissionAsync({ SubmissionId: id });
    const list = [res.Records.Record].flat();
    return list.length === 6 && list.every((r: any) => r.State === 'acknowledged') ? res : null;
  });
  t.equal(states.SubmissionId, id);
  t.same([states.Counts.Count].flat().map((c: any) => [c.State, c.Number]), [['acknowledged', 6]]);
  const held = await simRecords(gw);
  for (const r of records) t.ok(held.records.some((x) => x.recordKey === `${r.student.learnerId}/2024-2025`), `the Ministry holds ${r.student.learnerId}`);

  // The same IdempotencyKey and batch: the stored answer, nothing stored twice.
  const [again] = await client.SubmitBatchAsync({ IdempotencyKey: 'soap-e2e-1', DryRun: false, SchoolBatch: batchObject(records) });
  t.equal(again.SubmissionId, id);
  t.equal(again.Replayed, true);
  // The same key with another batch: a fault.
  const other = sampleSmasRecords(1, 12, { schoolId: '01004001', firstNumber: 900 });
  const conflict = await client.SubmitBatchAsync({ IdempotencyKey: 'soap-e2e-1', SchoolBatch: batchObject(other) }).catch(faultOf);
  t.equal(conflict.code, 'IDEMPOTENCY_KEY_REUSED');

  // Another vendor's key may not read it, and may not call this endpoint at all.
  const vnedu = await postSoap(gw, getEnvelope(id), { authorization: `Bearer ${gw.vendorKey}` });
  t.equal(vnedu.status, 500);
  t.equal(textOf(vnedu.tree, 'Code'), 'FORBIDDEN');

  // The same record, same version, other content: VERSION_NOT_HIGHER, per record.
  const changed = structuredClone(records[0]!);
  changed.homeroomTeacher = 'Nguyễn Thị Khác';
  const [vr] = await client.SubmitBatchAsync({ SchoolBatch: batchObject([changed]) }).then(
    () => t.fail('expected a fault'),
    (e: unknown) => [faultOf(e)],
  ) as [ReturnType<typeof faultOf>];
  t.equal(vr.code, 'BATCH_REJECTED');
  t.same(vr.errors.map((e: any) => [e.Index, e.Code]), [[0, 'VERSION_NOT_HIGHER']]);
});

function getEnvelope(id: string, header = ''): string {
  return `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">${header}<s:Body><GetSubmission xmlns="urn:viettel:smas:hocba:v1"><SubmissionId>${id}</SubmissionId></GetSubmission></s:Body></s:Envelope>`;
}

t.test('the sample envelope posts as it is with a Bearer key (curl)', async (t) => {
  const res = await postSoap(gw, sampleSmasEnvelope(3, 21, { schoolId: '01004002' }), { authorization: `Bearer ${key}`, soapaction: '"urn:viettel:smas:hocba:v1/SubmitBatch"' });
  t.equal(res.status, 200, res.text.slice(0, 500));
  t.match(res.type, /^text\/xml/);
  t.equal(textOf(res.tree, 'Queued'), '3');
  t.equal(findAll(res.tree, 'Record').length, 3);
  // The batch's namespace bound to a prefix on the Envelope (as many clients write it), and a '>' in an attribute.
  const prefixed = sampleSmasEnvelope(2, 22, { schoolId: '01004002', dryRun: true, firstNumber: 300 })
    .replace('<soap:Envelope ', '<soap:Envelope xmlns:b="urn:viettel:smas:hocba:v1" ')
    .replace(/<(\/?)SchoolBatch>/g, '<$1b:SchoolBatch>')
    .replace('<b:SchoolBatch>', '<b:SchoolBatch note="a>b">');
  const dry = await postSoap(gw, prefixed, { authorization: `Bearer ${key}` });
  t.equal(dry.status, 200, dry.text.slice(0, 500));
  t.equal(textOf(dry.tree, 'Queued'), '2');
  t.equal(textOf(dry.tree, 'DryRun'), 'true');
});

t.test('DryRun: every outcome, nothing stored', async (t) => {
  const client = await wsdlClient();
  const records = sampleSmasRecords(3, 31, { schoolId: '01004001', firstNumber: 500 });
  records[1]!.student.personalId = '12345';
  const [answer] = await client.SubmitBatchAsync({ IdempotencyKey: 'dry-1', DryRun: true, SchoolBatch: batchObject(records) });
  t.equal(answer.DryRun, true);
  t.notOk(answer.SubmissionId);
  t.same([answer.Records.Record].flat().map((r: any) => r.Status), ['queued', 'rejected', 'queued']);
  const errors = [answer.Records.Record[1].Errors.Error].flat();
  t.ok(errors.some((e: any) => e.Path === '/student/personalId' && e.MessageVi), 'errors carry path and both messages');
  const stored = await gw.store.listRecords({ limit: 100000 });
  t.notOk(stored.some((r) => r.recordKey === answer.Records.Record[0].RecordKey), 'nothing stored');
  // Nothing was stored: the same records go through for real afterwards, at version 1.
  const [real] = await client.SubmitBatchAsync({ IdempotencyKey: 'dry-1', SchoolBatch: batchObject([records[0]!, records[2]!]) });
  t.equal(real.Queued, 2);
});

t.test('a school not among the key\'s: every record SCHOOL_NOT_AUTHORISED, a BATCH_REJECTED fault, nothing stored', async (t) => {
  const client = await wsdlClient();
  const records = sampleSmasRecords(2, 41, { schoolId: '01002345' });
  const fault = await client.SubmitBatchAsync({ SchoolBatch: batchObject(records) }).then(() => t.fail('expected a fault'), faultOf);
  t.equal(fault!.code, 'BATCH_REJECTED');
  t.equal(fault!.faultcode, 'soap:Client');
  t.same(fault!.errors.map((e: any) => [e.Index, e.Code, e.Path]), [
    [0, 'SCHOOL_NOT_AUTHORISED', '/school/schoolId'],
    [1, 'SCHOOL_NOT_AUTHORISED', '/school/schoolId'],
  ]);
  const stored = await gw.store.listRecords({ limit: 100000 });
  t.notOk(stored.some((r) => r.recordKey?.startsWith('01002345S')), 'no record of that school stored');
});

t.test('authentication faults', async (t) => {
  const bad = await wsdlClient('smas', 'vk_smas_not-a-key');
  const f1 = await bad.GetSubmissionAsync({ SubmissionId: 'x' }).then(() => t.fail('expected a fault'), faultOf);
  t.equal(f1!.code, 'AUTH_INVALID');
  const wrongUser = await wsdlClient('vnedu');
  t.equal((await wrongUser.GetSubmissionAsync({ SubmissionId: 'x' }).then(() => null, faultOf))!.code, 'AUTH_INVALID');

  // Golden: the request and the fault it gets, byte for byte (test/fixtures/smas/).
  const golden = await postSoap(gw, readFileSync(join(FIXTURES, 'get-submission-request.xml'), 'utf8'));
  t.equal(golden.text, readFileSync(join(FIXTURES, 'fault-auth-missing.xml'), 'utf8'));
  const none = await postSoap(gw, getEnvelope('x'));
  t.equal(none.status, 500);
  t.match(none.type, /^text\/xml/);
  t.equal(textOf(none.tree, 'faultcode'), 'soap:Client');
  t.equal(textOf(none.tree, 'Code'), 'AUTH_MISSING');
  t.ok(textOf(none.tree, 'MessageVi'));
  const bearerBad = await postSoap(gw, getEnvelope('x'), { authorization: 'Bearer nope' });
  t.equal(textOf(bearerBad.tree, 'Code'), 'AUTH_INVALID');
  const digest = await postSoap(
    gw,
    getEnvelope(
      'x',
      `<s:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:UsernameToken><wsse:Username>smas</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">abc</wsse:Password></wsse:UsernameToken></wsse:Security></s:Header>`,
    ),
  );
  t.equal(textOf(digest.tree, 'Code'), 'AUTH_INVALID');
  // Bearer works for GetSubmission too: an unknown id is NOT_FOUND.
  const unknown = await postSoap(gw, getEnvelope('0190aaaa-0000-7000-8000-000000000000'), { authorization: `Bearer ${key}` });
  t.equal(textOf(unknown.tree, 'Code'), 'NOT_FOUND');
});

t.test('hostile and malformed bodies are Client faults, never HTML or JSON', async (t) => {
  const auth = { authorization: `Bearer ${key}` };
  const cases: [string, string, Record<string, string>?][] = [
    ['<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><oops></s:Body>', 'BODY_MALFORMED'],
    ['not xml at all', 'BODY_MALFORMED'],
    ['<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', 'BODY_MALFORMED'],
    ['{"json": true}', 'BODY_MALFORMED', { 'content-type': 'application/json' }],
    ['<Envelope/>', 'BODY_MALFORMED'],
    [`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><__proto__ xmlns="urn:viettel:smas:hocba:v1"><constructor/></__proto__></s:Body></s:Envelope>`, 'REQUEST_INVALID'],
    [`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><SubmitBatch xmlns="urn:viettel:smas:hocba:v1"><DryRun>maybe</DryRun></SubmitBatch></s:Body></s:Envelope>`, 'REQUEST_INVALID'],
    [`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><SubmitBatch xmlns="urn:viettel:smas:hocba:v1"></SubmitBatch></s:Body></s:Envelope>`, 'REQUEST_INVALID'],
    [`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><SubmitBatch xmlns="urn:viettel:smas:hocba:v1"><SchoolBatch><ProvinceCode>01</ProvinceCode><Pupils><PupilProfile/></Pupils></SchoolBatch></SubmitBatch></s:Body></s:Envelope>`, 'BATCH_INVALID'],
    ['<a>' + '<b>'.repeat(40) + '</b>'.repeat(40) + '</a>', 'BODY_MALFORMED'],
  ];
  for (const [body, code, headers] of cases) {
    const res = await postSoap(gw, body, { ...auth, ...headers });
    t.equal(res.status, 500, body.slice(0, 60));
    t.match(res.type, /^text\/xml/);
    t.equal(textOf(res.tree, 'Code'), code, body.slice(0, 60));
    t.equal(textOf(res.tree, 'faultcode'), 'soap:Client');
  }
  const v12 = await postSoap(gw, '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>', auth);
  t.equal(textOf(v12.tree, 'faultcode'), 'soap:VersionMismatch');
  const mu = await postSoap(gw, getEnvelope('x', '<s:Header><t:Tx xmlns:t="urn:x" s:mustUnderstand="1"/></s:Header>'), auth);
  t.equal(textOf(mu.tree, 'faultcode'), 'soap:MustUnderstand');
  const big = await postSoap(gw, '<x>' + 'a'.repeat(11 * 1024 * 1024) + '</x>', auth);
  t.equal(big.status, 500);
  t.equal(textOf(big.tree, 'Code'), 'BODY_TOO_LARGE');
  // The gateway still answers.
  t.equal((await fetch(`${gw.url}/healthz`)).status, 200);
});

t.test('the batch is read after the caller is known, with the envelope whole: its faults in the same order as before', async (t) => {
  const auth = { authorization: `Bearer ${key}` };
  const sample = sampleSmasEnvelope(3, 61, { schoolId: '01004002', firstNumber: 900, idempotencyKey: 'order-1' });
  const brokenPupil = sample.replace('<PupilCode>', '<PupilCode>&bogus;');
  // The head (up to the batch's start) is all the loop reads before authenticating.
  const unauthenticated = await postSoap(gw, brokenPupil);
  t.equal(textOf(unauthenticated.tree, 'Code'), 'AUTH_MISSING');
  const malformedInBatch = await postSoap(gw, brokenPupil, auth);
  t.equal(textOf(malformedInBatch.tree, 'Code'), 'BODY_MALFORMED');
  t.match(textOf(malformedInBatch.tree, 'MessageEn'), /not a well-formed XML SOAP envelope: .*line \d+/);
  // A batch whose header is wrong, in an envelope broken after it: the envelope's fault, as when it was read first.
  const noProvince = sample.replace(/<ProvinceCode>[^<]*<\/ProvinceCode>/, '');
  t.equal(textOf((await postSoap(gw, noProvince, auth)).tree, 'Code'), 'BATCH_INVALID');
  t.equal(textOf((await postSoap(gw, noProvince.replace('</soap:Body>', '<oops></soap:Body>'), auth)).tree, 'Code'), 'BODY_MALFORMED');
  // The operation's elements after the batch are read too: a wrong IdempotencyKey there comes before the batch's errors.
  const keyAfter = noProvince.replace(/<IdempotencyKey>[^<]*<\/IdempotencyKey>/, '').replace('</SubmitBatch>', `<IdempotencyKey>${'k'.repeat(201)}</IdempotencyKey></SubmitBatch>`);
  const late = await postSoap(gw, keyAfter, auth);
  t.equal(textOf(late.tree, 'Code'), 'REQUEST_INVALID');
  t.equal(textOf(late.tree, 'Path'), '/SubmitBatch/IdempotencyKey');
  const twice = sample.replace(/(<SchoolBatch[\s\S]*<\/SchoolBatch>)/, '$1$1');
  const two = await postSoap(gw, twice, auth);
  t.equal(textOf(two.tree, 'Code'), 'REQUEST_INVALID');
  t.equal(textOf(two.tree, 'Path'), '/SubmitBatch/SchoolBatch');
  // Stored once; the same batch in another envelope (a header added) is the same request.
  const first = await postSoap(gw, sample, auth);
  t.equal(textOf(first.tree, 'Queued'), '3', first.text.slice(0, 300));
  const again = await postSoap(gw, sample.replace('<soap:Body>', '<soap:Header><t:Trace xmlns:t="urn:example:trace">retry 1</t:Trace></soap:Header><soap:Body>'), auth);
  t.equal(textOf(again.tree, 'Replayed'), 'true', again.text.slice(0, 300));
  t.equal(textOf(again.tree, 'SubmissionId'), textOf(first.tree, 'SubmissionId'));
});

t.test('SMAS XML at POST /v1/submissions (application/xml) goes the same way', async (t) => {
  const records = sampleSmasRecords(3, 51, { schoolId: '01004002', firstNumber: 700 });
  const res = await fetch(`${gw.url}/v1/submissions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/xml' }, body: renderSmasBatch(records) });
  t.equal(res.status, 202);
  const body = (await res.json()) as { queued: number; vendor: string };
  t.equal(body.queued, 3);
  t.equal(body.vendor, 'smas');
  const bad = await fetch(`${gw.url}/v1/submissions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/xml' }, body: '<SchoolBatch' });
  t.equal(bad.status, 400);
  t.equal(((await bad.json()) as { code: string }).code, 'BODY_MALFORMED');
  // A SMAS key's JSON is not a SMAS format.
  const json = await fetch(`${gw.url}/v1/submissions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{}' });
  t.equal(json.status, 415);
});

void find;
