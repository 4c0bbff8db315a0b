import { join } from 'node:path';
import t from 'tap';
import { sampleVneduBatch } from '../src/adapters/vnedu/sample.js';
import { demoPkiPaths } from '../src/pki/demo.js';
import { hashKey } from '../src/plugins/auth.js';
import { DemoSigners, sampleRecords, signedDocument } from '../src/record-signatures/demo-documents.js';
import { api, startTestGateway } from './helpers/gateway.js';

// Vendor authority on the signed path (issue 14, item 5), as a hostile vendor would probe it:
// another vendor's school, a higher version over another vendor's record, an unsigned submission
// over a record held for its seal. pipeline/accept.ts decides all three for every intake path.

const xmlHeaders = { 'content-type': 'application/xml' };

t.test('signed records: another vendor\'s school, another vendor\'s record, a held record', async (t) => {
  const gw = await startTestGateway(t);
  const signers = new DemoSigners(demoPkiPaths(join(gw.dir, 'pki')));
  // A second vendor's key (the registry on this branch holds vnEdu only), for SMAS's schools.
  const smasKey = 'vk_smas_hostile_test_key_0001';
  await gw.store.addCredential(hashKey(smasKey), { kind: 'vendor', vendor: 'smas', schools: ['01004001', '01004002'] });
  const [a, b] = sampleRecords(2, 21); // vnEdu's schools
  const records = async () => (await api(gw, 'GET', '/admin/v1/records?limit=100', { token: gw.adminToken })).json;

  // 1. smas sends a signed record of a vnEdu school: refused, nothing of it stored.
  const foreign = await api(gw, 'POST', '/v1/signed-records', { token: smasKey, raw: await signedDocument(signers, a), headers: xmlHeaders });
  t.equal(foreign.status, 403, foreign.text);
  t.match(foreign.json, { code: 'SCHOOL_NOT_AUTHORISED', validationErrors: [{ path: '/school/schoolId', code: 'SCHOOL_NOT_AUTHORISED' }] });
  t.match(JSON.stringify(foreign.json), /SCHOOL_NOT_AUTHORISED/);
  t.notMatch(JSON.stringify(await records()), new RegExp(a.student.learnerId), 'nothing of the refused record is stored');

  // 2. vnEdu sends it; smas then sends a higher version: refused, the stored one unchanged.
  const own = await api(gw, 'POST', '/v1/signed-records', { token: gw.vendorKey, raw: await signedDocument(signers, a), headers: xmlHeaders });
  t.equal(own.status, 202, own.text);
  const higher = { ...a, version: (typeof a.version === 'number' ? a.version : 1) + 1 };
  const over = await api(gw, 'POST', '/v1/signed-records', { token: smasKey, raw: await signedDocument(signers, higher), headers: xmlHeaders });
  t.equal(over.status, 403, over.text);
  t.match(JSON.stringify(over.json), /SCHOOL_NOT_AUTHORISED/);
  const stored = await api(gw, 'GET', `/admin/v1/records/${own.json.records[0].recordId}`, { token: gw.adminToken });
  t.equal(stored.json.record.version ?? stored.json.record.recordVersion ?? 1, typeof a.version === 'number' ? a.version : 1, 'the stored version is the vnEdu one');

  // 3. b held for its seal; the same key's unsigned submission of b cannot overtake it.
  const held = await api(gw, 'POST', '/v1/signed-records', { token: gw.vendorKey, raw: await signedDocument(signers, b, { roles: ['teacher', 'principal'] }), headers: xmlHeaders });
  t.equal(held.status, 202, held.text);
  t.match(held.json, { held: 1 });
  const batch = sampleVneduBatch(2, 21);
  const unsigned = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: batch });
  t.match(JSON.stringify(unsigned.json), /RECORD_HELD/, unsigned.text);
  const heldRow = await api(gw, 'GET', `/admin/v1/records/${held.json.records[0].recordId}`, { token: gw.adminToken });
  t.equal(heldRow.json.record.state, 'held', 'the held record is still held');
  // 4. The version rule on the signed path: other content for `a` at the version already accepted.
  const changed = { ...a, className: `${a.grade}Z` };
  const same = await api(gw, 'POST', '/v1/signed-records', { token: gw.vendorKey, raw: await signedDocument(signers, changed), headers: xmlHeaders });
  t.equal(same.status, 422, same.text);
  t.match(same.json, { code: 'VERSION_NOT_HIGHER', validationErrors: [{ path: '/version', code: 'VERSION_NOT_HIGHER' }] });
  const resend = await api(gw, 'POST', '/v1/signed-records', { token: gw.vendorKey, raw: await signedDocument(signers, a), headers: xmlHeaders });
  t.equal(resend.status, 202, 'the same content at the same version is a re-send and passes');
});
