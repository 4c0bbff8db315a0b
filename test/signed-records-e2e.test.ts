import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { demoPkiPaths } from '../src/pki/demo.js';
import { issueCertificate } from '../src/pki/signer-certificates.js';
import { DemoSigners, sampleRecords, signedDocument } from '../src/record-signatures/demo-documents.js';
import { api, eventually, simRecords, startTestGateway } from './helpers/gateway.js';
import { makeTsa, signatureValueC14n, stampObject, withObject } from './helpers/tsa.js';
import { xmlsecSkip, xmlsecVerify } from './helpers/xmlsec.js';

// Signed records end to end: real HTTP, real SQLite, verification in worker threads, the real
// simulator; then key rotation without a restart, by the admin route and by SIGHUP.

const xmlHeaders = { 'content-type': 'application/xml' };

t.test('signed records: verified, stored with their signatures, held until complete, delivered', async (t) => {
  const gw = await startTestGateway(t);
  const pki = demoPkiPaths(join(gw.dir, 'pki'));
  const signers = new DemoSigners(pki);
  const [a, b, c] = sampleRecords(3, 11);

  const complete = await signedDocument(signers, a);
  const res = await api(gw, 'POST', '/v1/signed-records', { token: gw.vendorKey, raw: complete, headers: xmlHeaders });
  t.equal(res.status, 202, res.text);
  t.match(res.json, { queued: 1, held: 0, rejected: 0, records: [{ status: 'queued', signatures: [{ role: 'teacher', valid: true, signer: { commonName: a.homeroomTeacher } }, { role: 'principal', valid: true }, { role: 'seal', valid: true }] }] });
  const recordId = res.json.records[0].recordId;
  await eventually('the signed record to be acknowledged', async () => (await api(gw, 'GET', `/admin/v1/records/${recordId}`, { token: gw.adminToken })).json?.record?.state === 'acknowledged');
  const stored = await api(gw, 'GET', `/admin/v1/records/${recordId}`, { token: gw.adminToken });
  t.same(stored.json.record.signatures.map((s: { role: string; valid: boolean }) => [s.role, s.valid]), [['teacher', true], ['principal', true], ['seal', true]], 'which signatures are present and valid is stored');

  // The Ministry receives the record exactly as signed, and the province's packet signature holds.
  const packet = await (await fetch(gw.simUrl + '/_sim/packets/latest')).text();
  t.match(packet, /<hocba xmlns="urn:moet:hocba:record:v1" Id="HB-/);
  if (xmlsecSkip === false) t.ok((await xmlsecVerify(packet, pki.caCert)).ok, 'xmlsec1 verifies the packet');

  // A forged one is refused with its own code, as a problem.
  const tampered = complete.replace(`<fullName>${a.student.fullName}</fullName>`, `<fullName>${a.student.fullName}a</fullName>`);
  const bad = await api(gw, 'POST', '/v1/signed-records', { token: gw.vendorKey, raw: tampered, headers: xmlHeaders });
  t.equal(bad.status, 422);
  t.match(bad.headers.get('content-type'), /application\/problem\+json/);
  t.match(bad.json, { code: 'SIGNATURE_DIGEST_MISMATCH', validationErrors: [{ code: 'SIGNATURE_DIGEST_MISMATCH', path: '/signatures/sig-gvcn' }] });
  t.ok(bad.json.detail_vi.length > 0);

  // A batch: one waiting for the seal (held), one broken (rejected), one complete (queued).
  const partial = await signedDocument(signers, b, { roles: ['teacher', 'principal'] });
  const batch = await api(gw, 'POST', '/v1/signed-records', { token: gw.vendorKey, body: { documents: [partial, tampered, await signedDocument(signers, c)] } });
  t.equal(batch.status, 202, batch.text);
  t.match(batch.json, { queued: 1, held: 1, rejected: 1 });
  t.match(batch.json.records, [{ status: 'held', missingSignatures: ['seal'] }, { status: 'rejected', errors: [{ code: 'SIGNATURE_DIGEST_MISMATCH' }] }, { status: 'queued' }]);
  const heldId = batch.json.records[0].recordId;
  const heldRow = await api(gw, 'GET', `/admin/v1/records/${heldId}`, { token: gw.adminToken });
  t.match(heldRow.json.record, { state: 'held', lastCode: 'SIGNATURES_INCOMPLETE' });

  // The seal arrives: the complete document is queued and the held one superseded.
  const sealed = await api(gw, 'POST', '/v1/signed-records', { token: gw.vendorKey, raw: await signedDocument(signers, b), headers: xmlHeaders });
  t.equal(sealed.status, 202);
  t.match((await api(gw, 'GET', `/admin/v1/records/${heldId}`, { token: gw.adminToken })).json.record, { state: 'superseded' });
  await eventually('all three records at the Ministry', async () => (await simRecords(gw)).unique === 3);
  // The public lookup says the signatures held at receipt, for the complete document that superseded the held one.
  const look = await api(gw, 'GET', `/lookup/${b.lookupCode}`);
  t.match(look.json, { signatures: { status: 'verified', checkedAt: 'receipt', signers: [{ role: 'teacher', valid: true }, { role: 'principal', valid: true }, { role: 'seal', valid: true }] }, student: null });
  t.notOk(look.text.includes(b.homeroomTeacher) || look.text.includes(b.student.fullName), 'no names on the public lookup');
  t.equal((await api(gw, 'GET', `/lookup/${b.lookupCode}?birthDate=${b.student.birthDate}`)).json?.student?.fullName, b.student.fullName);
  // The simulator keeps what it received, so the helper's teardown has xmlsec1 re-verify every packet.
  const recent = (await (await fetch(gw.simUrl + '/_sim/packets')).json()) as { received: number; packets: string[] };
  t.ok(recent.received >= 2, `packets received: ${recent.received}`);
  t.equal(recent.packets.length, Math.min(recent.received, 50));

  // Bad requests are problems, never a 500.
  t.match((await api(gw, 'POST', '/v1/signed-records', { token: gw.vendorKey, raw: complete, headers: { 'content-type': 'text/plain' } })).json, { code: 'UNSUPPORTED_MEDIA_TYPE' });
  t.match((await api(gw, 'POST', '/v1/signed-records', { token: gw.vendorKey, body: { documents: [] } })).json, { code: 'REQUEST_INVALID' });
  t.match((await api(gw, 'POST', '/v1/signed-records', { token: gw.vendorKey, raw: 'not xml', headers: xmlHeaders })).json, { code: 'SIGNED_RECORD_MALFORMED' });
  t.match((await api(gw, 'POST', '/v1/signed-records', { raw: complete, headers: xmlHeaders })).json, { code: 'AUTH_MISSING' });

  // No names or ID numbers from the signed documents reach the logs.
  const logs = gw.logs.join('');
  for (const r of [a, b, c]) {
    t.notMatch(logs, r.student.fullName);
    t.notMatch(logs, r.student.personalId);
  }
});

t.test('RFC 3161 time-stamps: a configured authority\'s token is verified and reported; another\'s is refused', async (t) => {
  const tsaDir = mkdtempSync(join(tmpdir(), 'hocba-tsa-'));
  t.teardown(() => rmSync(tsaDir, { recursive: true, force: true }));
  const [tsa, stranger] = await Promise.all([makeTsa(join(tsaDir, 'trusted'), 'Province TSA'), makeTsa(join(tsaDir, 'other'), 'Other TSA')]);
  const gw = await startTestGateway(t, { signedRecords: { tsa: { trustAnchors: [tsa.rootFile] } } });
  const signers = new DemoSigners(demoPkiPaths(join(gw.dir, 'pki')));
  const [a, b] = sampleRecords(2, 17);

  const doc = await signedDocument(signers, a);
  const stamped = withObject(doc, 'sig-gvcn', stampObject('sig-gvcn', await tsa.stamp(signatureValueC14n(doc, 'sig-gvcn'))));
  const res = await api(gw, 'POST', '/v1/signed-records', { token: gw.vendorKey, raw: stamped, headers: xmlHeaders });
  t.equal(res.status, 202, res.text);
  t.match(res.json.records[0].signatures[0], { role: 'teacher', valid: true, timeStamp: { authority: /CN=Province TSA/, time: /^\d{4}-\d\d-\d\dT/ } });
  t.notOk('timeStamp' in res.json.records[0].signatures[1], 'the principal\'s signature carries no stamp');
  const look = await api(gw, 'GET', `/lookup/${a.lookupCode}`);
  t.equal(look.json.signatures.signers[0].stampedAt, res.json.records[0].signatures[0].timeStamp.time, 'the lookup says when the teacher\'s signature was stamped');
  t.equal(look.json.signatures.signers[1].stampedAt, null);
  // The lookup page as a parent sees it, in a real browser: the teacher's line says it was stamped.
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  t.teardown(() => browser.close());
  const page = await (await browser.newContext({ viewport: { width: 900, height: 700 }, locale: 'vi-VN' })).newPage();
  await page.goto(`${gw.url}/lookup/${a.lookupCode}`);
  const signerLines = await page.locator('#signatures li').allTextContents();
  t.equal(signerLines.length, 3);
  t.match(signerLines[0], /✓ \(.+; dấu thời gian · time-stamped \d{4}-\d\d-\d\dT/, 'the teacher\'s line shows the stamp');
  t.notMatch(signerLines[1], /dấu thời gian/, 'the principal\'s does not');
  await page.screenshot({ path: '/tmp/hocba-lookup-stamped.png', fullPage: true });

  const other = await signedDocument(signers, b);
  const foreign = withObject(other, 'sig-gvcn', stampObject('sig-gvcn', await stranger.stamp(signatureValueC14n(other, 'sig-gvcn'))));
  const bad = await api(gw, 'POST', '/v1/signed-records', { token: gw.vendorKey, raw: foreign, headers: xmlHeaders });
  t.equal(bad.status, 422, bad.text);
  t.match(bad.headers.get('content-type'), /application\/problem\+json/);
  t.match(bad.json, { code: 'TIMESTAMP_UNTRUSTED', validationErrors: [{ code: 'TIMESTAMP_UNTRUSTED', path: '/signatures/sig-gvcn' }] });
  t.match(bad.json.detail_vi, /dấu thời gian/);
  // The reload reads the authorities' roots again, and says how many it trusts.
  const reloaded = await api(gw, 'POST', '/admin/v1/keys/reload', { token: gw.adminToken });
  t.equal(reloaded.status, 200, reloaded.text);
  t.match(reloaded.json.trust, { anchors: 1, timeStampAnchors: 1 });
});

t.test('keys reload without a restart and without dropping requests', async (t) => {
  const gw = await startTestGateway(t);
  const pki = demoPkiPaths(join(gw.dir, 'pki'));
  const before = await api(gw, 'POST', '/admin/v1/keys/reload', { token: gw.adminToken });
  t.equal(before.status, 200, before.text);
  const oldSerial = before.json.signer.certificate.serialNumber;

  // The province's certificate is renewed (same key, new certificate) while vendors keep sending.
  const renewed = await issueCertificate(pki, { commonName: 'Sở GD&ĐT demo (renewed)', existingKeyPem: readFileSync(pki.provinceKey, 'utf8') });
  const sample = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'examples', 'vnedu', 'batch-small.json'), 'utf8'));
  let stop = false;
  const statuses: number[] = [];
  const traffic = (async () => {
    for (let i = 0; !stop && i < 200; i++) statuses.push((await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: sample })).status);
  })();
  await eventually('traffic under way', async () => statuses.length >= 3);
  writeFileSync(pki.provinceCert, renewed.pem);
  const reloaded = await api(gw, 'POST', '/admin/v1/keys/reload', { token: gw.adminToken });
  const after = statuses.length;
  await eventually('more traffic after the reload', async () => statuses.length >= after + 3);
  stop = true;
  await traffic;
  t.equal(reloaded.status, 200, reloaded.text);
  t.not(reloaded.json.signer.certificate.serialNumber, oldSerial, 'the renewed certificate is in use');
  t.match(reloaded.json.trust, { anchors: 1, timeStampAnchors: 0 });
  t.ok(statuses.every((s) => s === 202), `every request answered 202 (${statuses.length})`);
  t.notMatch(gw.logs.join(''), /PRIVATE KEY/);

  // The next packet carries the renewed certificate and verifies.
  const renewedB64 = renewed.certificate.toString('base64');
  await eventually('a packet with the renewed certificate', async () => (await (await fetch(gw.simUrl + '/_sim/packets/latest')).text()).includes(renewedB64));
  if (xmlsecSkip === false) t.ok((await xmlsecVerify(await (await fetch(gw.simUrl + '/_sim/packets/latest')).text(), pki.caCert)).ok);

  // A broken certificate file: 409, and the gateway keeps signing with what it had.
  writeFileSync(pki.provinceCert, 'garbage');
  const failed = await api(gw, 'POST', '/admin/v1/keys/reload', { token: gw.adminToken });
  t.equal(failed.status, 409);
  t.match(failed.json, { code: 'KEYS_RELOAD_FAILED', detail: /province\.pem/ });
  const ready = await api(gw, 'GET', '/readyz');
  t.match(ready.json, { checks: { signingKey: { ok: true } } }, 'still signing');
  t.equal((await api(gw, 'POST', '/admin/v1/keys/reload', { token: gw.vendorKey })).status, 403, 'admins only');
});

t.test('SIGHUP reloads the keys of a running `hocba-gw start`', async (t) => {
  const gw = await startTestGateway(t, {}); // only to get a data dir with a demo PKI and free ports
  await gw.close();
  const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
  const child = spawn(process.execPath, [cli, 'start'], {
    env: { ...process.env, DATA_DIR: gw.dir, PORT: '0', SIMULATOR_PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  await eventually('the gateway to listen', async () => /listening on http/.test(out), 60_000);
  const pki = demoPkiPaths(join(gw.dir, 'pki'));
  const renewed = await issueCertificate(pki, { commonName: 'Sở GD&ĐT demo (renewed by SIGHUP)', existingKeyPem: readFileSync(pki.provinceKey, 'utf8') });
  writeFileSync(pki.provinceCert, renewed.pem);
  child.kill('SIGHUP');
  await eventually('the reload to be reported', async () => /SIGHUP: keys reloaded/.test(out), 30_000);
  // Serials are compared without leading zeros: one side may print them, the other not.
    t.match(out, new RegExp(`serial 0*${renewed.serialNumber.replace(/^0+/, '')}\\b`, 'i'));
  t.equal(child.exitCode, null, 'still running');
});
