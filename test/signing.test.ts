import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import t from 'tap';
import type { CanonicalRecord } from '../src/canonical/record.js';
import { recordKeyOf } from '../src/canonical/record.js';
import { contentHashOf, recordToXml } from '../src/canonical/xml.js';
import { buildPacket } from '../src/packet/build.js';
import { ensureDemoPki, type DemoPkiPaths } from '../src/pki/demo.js';
import { createSigner } from '../src/signing/create-signer.js';
import { FileKeySigner } from '../src/signing/file-key/file-key-signer.js';
import { verifyEnveloped } from '../src/signing/xmldsig.js';

const root = await mkdtemp(join(tmpdir(), 'hocba-signing-'));
t.teardown(() => rm(root, { recursive: true, force: true }));

const pki = await ensureDemoPki(join(root, 'pki'));
// A second, unrelated PKI: a rotated province key, and certificates that must not verify.
const other = await ensureDemoPki(join(root, 'other-pki'), { provinceCode: '79', provinceName: 'Sở GD&ĐT demo (province 79)' });

function record(learnerId: string, fullName: string): CanonicalRecord {
  return {
    recordId: `HB-${learnerId}`,
    lookupCode: 'TC-0001',
    effectiveDate: '2025-05-31',
    version: 1,
    student: { learnerId, personalId: '001215012345', fullName, birthDate: '2015-03-02', sex: 'F', ethnicity: 'Kinh', nationality: 'VN' },
    school: { schoolId: '01001234', provinceCode: '01', name: 'Trường Tiểu học Kim Liên' },
    schoolYear: '2024-2025',
    grade: 4,
    className: '4A',
    homeroomTeacher: 'Trần Văn Bình',
    principal: 'Lê Thị Hoa',
    primary: {
      subjects: [{ subject: 'TOAN', level: 'T', testScore: 10 }],
      qualities: [{ code: 'TRUNG_THUC', rating: 'TOT' }],
      competencies: [{ code: 'TINH_TOAN', rating: 'TOT' }],
      yearEndResult: 'HTXS',
      completedProgramme: true,
      promoted: true,
      commendations: ['Học sinh xuất sắc'],
      remarks: 'Chăm ngoan & học giỏi',
    },
  };
}

function packet(): string {
  const records = [record('0100123400001', 'Nguyễn Thị Ánh'), record('0100123400002', 'Phạm Văn Đức')].map((r) => {
    const xml = recordToXml(r);
    return { recordKey: recordKeyOf(r), contentHash: contentHashOf(xml), xml };
  });
  return buildPacket({ packetId: 'PKT-TEST-1', provinceCode: '01', createdAt: '2025-06-01T08:00:00.000Z', records });
}

/** The independent verifier: libxml2/OpenSSL, trusting only the demo root CA. */
const XMLSEC_ARGS = (caPem: string, file: string) => ['--verify', '--enabled-key-data', 'x509', '--trusted-pem', caPem, '--enabled-reference-uris', 'empty', file];

async function xmlsecVerify(xml: string, caPem: string): Promise<{ ok: boolean; output: string }> {
  const file = join(await mkdtemp(join(root, 'xmlsec-')), 'packet.xml');
  await writeFile(file, xml);
  return new Promise((resolve) =>
    execFile('xmlsec1', XMLSEC_ARGS(caPem, file), (err, stdout, stderr) => resolve({ ok: err === null, output: stdout + stderr })),
  );
}

const haveXmlsec = await new Promise<boolean>((resolve) => execFile('xmlsec1', ['--version'], (err) => resolve(err === null)));
const xmlsecSkip = haveXmlsec ? false : 'xmlsec1 is not installed';

/** A signer on its own copy of the province files, so tests can overwrite them. */
async function signerOnCopy(name: string, from: DemoPkiPaths = pki): Promise<{ signer: FileKeySigner; keyPath: string; certPath: string }> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  const keyPath = join(dir, 'signing.key');
  const certPath = join(dir, 'signing.pem');
  await copyFile(from.provinceKey, keyPath);
  await copyFile(from.provinceCert, certPath);
  return { signer: new FileKeySigner({ keyPath, certPath }), keyPath, certPath };
}

t.test('ensureDemoPki', async (t) => {
  t.test('creates the files, keys readable by the owner only', async (t) => {
    t.equal((await stat(pki.dir)).mode & 0o777, 0o700, 'directory 0700');
    for (const key of [pki.caKey, pki.provinceKey, pki.schoolSealKey]) {
      t.equal((await stat(key)).mode & 0o777, 0o600, `${key} is 0600`);
      t.match(await readFile(key, 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/, 'PKCS#8 PEM');
    }
    for (const cert of [pki.caCert, pki.provinceCert, pki.schoolSealCert]) {
      t.match(await readFile(cert, 'utf8'), /^-----BEGIN CERTIFICATE-----\n/);
    }
  });

  t.test('is idempotent: a second call leaves every file untouched', async (t) => {
    const files = [pki.caCert, pki.caKey, pki.provinceCert, pki.provinceKey, pki.schoolSealCert, pki.schoolSealKey];
    const before = await Promise.all(files.map(async (f) => [await readFile(f, 'utf8'), (await stat(f)).mtimeMs]));
    t.same(await ensureDemoPki(pki.dir), pki);
    const after = await Promise.all(files.map(async (f) => [await readFile(f, 'utf8'), (await stat(f)).mtimeMs]));
    t.same(after, before);
  });

  t.test('the province and school seal certificates chain to the CA', async (t) => {
    const ca = new X509Certificate(await readFile(pki.caCert));
    t.ok(ca.ca, 'the root is a CA');
    t.ok(ca.verify(ca.publicKey), 'the root is self-signed');
    for (const path of [pki.provinceCert, pki.schoolSealCert]) {
      const cert = new X509Certificate(await readFile(path));
      t.notOk(cert.ca, `${path} is not a CA`);
      t.ok(cert.checkIssued(ca), `${path} names the CA as issuer`);
      t.ok(cert.verify(ca.publicKey), `${path} is signed by the CA`);
      t.notOk(cert.verify(new X509Certificate(await readFile(other.caCert)).publicKey), `${path} is not signed by another CA`);
    }
    const province = new X509Certificate(await readFile(pki.provinceCert));
    t.match(province.subject, /CN=Sở GD&ĐT demo \(province 01\)/, 'Vietnamese common name survives as UTF-8');
    t.equal(province.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  });

  t.test('refuses to complete or reuse a half-made PKI', async (t) => {
    const dir = join(root, 'half-pki');
    await mkdir(dir);
    await copyFile(pki.caCert, join(dir, 'ca.pem'));
    await t.rejects(ensureDemoPki(dir), /incomplete/);
    t.same(await readFile(join(dir, 'ca.pem'), 'utf8'), await readFile(pki.caCert, 'utf8'), 'nothing overwritten');
  });
});

t.test('a packet signed with FileKeySigner', async (t) => {
  const signer = new FileKeySigner({ keyPath: pki.provinceKey, certPath: pki.provinceCert });
  const signed = signer.sign(packet());

  t.test('verifies against the province certificate', async (t) => {
    const outcome = verifyEnveloped(signed, await readFile(pki.provinceCert, 'utf8'));
    t.ok(outcome.valid, JSON.stringify(outcome));
    if (outcome.valid) t.match(outcome.signedXml, /Phạm Văn Đức/, 'the signed scope contains the records');
  });

  t.test('verifies with xmlsec1, chaining to the demo CA', { skip: xmlsecSkip }, async (t) => {
    const { ok, output } = await xmlsecVerify(signed, pki.caCert);
    t.ok(ok, output);
    t.match(output, /^OK$/m);
  });

  t.test('xmlsec1 refuses it when trusting another CA', { skip: xmlsecSkip }, async (t) => {
    const { ok, output } = await xmlsecVerify(signed, other.caCert);
    t.notOk(ok, output);
  });

  // One character changed inside a record's text.
  const tampered = signed.replace('Phạm Văn Đức', 'Phạm Văn Đực');
  t.not(tampered, signed);

  t.test('a tampered copy fails verifyEnveloped', async (t) => {
    const outcome = verifyEnveloped(tampered, await readFile(pki.provinceCert, 'utf8'));
    t.match(outcome, { valid: false, code: 'SIGNATURE_INVALID' });
  });

  t.test('a tampered copy fails xmlsec1', { skip: xmlsecSkip }, async (t) => {
    const { ok, output } = await xmlsecVerify(tampered, pki.caCert);
    t.notOk(ok, output);
    t.notMatch(output, /^OK$/m);
  });

  t.test('does not verify against another certificate', async (t) => {
    for (const cert of [pki.schoolSealCert, other.provinceCert]) {
      const outcome = verifyEnveloped(signed, await readFile(cert, 'utf8'));
      t.match(outcome, { valid: false, code: 'SIGNATURE_INVALID' }, cert);
    }
  });

  t.test('signature wrapping is refused', async (t) => {
    const trusted = await readFile(pki.provinceCert, 'utf8');
    const signature = signed.slice(signed.indexOf('<ds:Signature'), signed.indexOf('</packet>'));

    const duplicated = signed.replace('</packet>', `${signature}</packet>`);
    t.match(verifyEnveloped(duplicated, trusted), { valid: false, code: 'SIGNATURE_SCOPE' }, 'a second Signature');

    // The genuine signed packet pushed down under a forged root that carries other records.
    const forged = packet().replace('Phạm Văn Đức', 'Someone Else').replace('</packet>', `<wrapper>${signed}</wrapper></packet>`);
    t.match(verifyEnveloped(forged, trusted), { valid: false, code: 'SIGNATURE_SCOPE' }, 'signed packet wrapped in a forged one');

    // A record moved out of <records>: URI="" covers the whole document, so the digest breaks.
    const start = signed.indexOf('<record key="0100123400002');
    const end = signed.indexOf('</record>', start) + '</record>'.length;
    const moved = signed.slice(0, start) + signed.slice(end).replace('</records>', `</records>${signed.slice(start, end)}`);
    t.not(moved, signed);
    t.match(verifyEnveloped(moved, trusted), { valid: false, code: 'SIGNATURE_INVALID' }, 'a record moved outside <records>');
  });
});

t.test('FileKeySigner', async (t) => {
  t.test('reload() picks up a new key pair written over the files', async (t) => {
    const { signer, keyPath, certPath } = await signerOnCopy('rotate');
    const oldCert = signer.certificatePem();
    await copyFile(other.provinceKey, keyPath);
    await copyFile(other.provinceCert, certPath);
    await signer.reload();
    t.not(signer.certificatePem(), oldCert);
    const signed = signer.sign(packet());
    t.ok(verifyEnveloped(signed, await readFile(other.provinceCert, 'utf8')).valid, 'signs with the new key');
    t.notOk(verifyEnveloped(signed, await readFile(pki.provinceCert, 'utf8')).valid, 'not with the old one');
  });

  t.test('a failed reload keeps the old key in use', async (t) => {
    const { signer, keyPath, certPath } = await signerOnCopy('garbage');
    const cert = await readFile(pki.provinceCert, 'utf8');
    await writeFile(keyPath, '-----BEGIN PRIVATE KEY-----\nZ2FyYmFnZQ==\n-----END PRIVATE KEY-----\n');
    const err = await signer.reload().then(() => null, (e: Error) => e);
    t.ok(err, 'reload throws');
    t.notMatch(err?.message ?? '', /Z2FyYmFnZQ/, 'the error does not echo the file');
    t.ok(verifyEnveloped(signer.sign(packet()), cert).valid, 'still signs with the old key');

    // Half a rotation (new key, old certificate) is refused too: it would sign unverifiably.
    await copyFile(other.provinceKey, keyPath);
    await copyFile(pki.provinceCert, certPath);
    await t.rejects(signer.reload(), /does not match/);
    t.ok(verifyEnveloped(signer.sign(packet()), cert).valid, 'still signs with the old key');
  });

  t.test('reads an encrypted PKCS#8 key with its passphrase and never exposes it', async (t) => {
    const passphrase = 'correct horse battery staple';
    const keyPath = join(root, 'encrypted.key');
    const encrypted = createPrivateKey(await readFile(pki.provinceKey)).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase });
    await writeFile(keyPath, encrypted, { mode: 0o600 });
    t.match(encrypted, /BEGIN ENCRYPTED PRIVATE KEY/);

    const signer = await createSigner({ kind: 'file', keyPath, certPath: pki.provinceCert, passphrase });
    t.equal(signer.name, 'file');
    t.ok(verifyEnveloped(signer.sign(packet()), await readFile(pki.provinceCert, 'utf8')).valid);

    const key = await readFile(pki.provinceKey, 'utf8');
    const keyBody = key.split('\n')[1];
    for (const shown of [JSON.stringify(signer), inspect(signer, { showHidden: true, depth: 10 }), String(Object.keys(signer))]) {
      t.notMatch(shown, passphrase, 'no passphrase');
      t.notMatch(shown, keyBody, 'no key material');
      t.notMatch(shown, 'PRIVATE KEY');
    }
    t.same(JSON.parse(JSON.stringify(signer)), { name: 'file', certPath: pki.provinceCert });

    const wrong = await createSigner({ kind: 'file', keyPath, certPath: pki.provinceCert, passphrase: 'wrong passphrase' }).then(
      () => null,
      (e: Error) => e,
    );
    t.ok(wrong, 'a wrong passphrase is refused');
    t.notMatch(wrong?.message ?? '', 'wrong passphrase', 'the error does not repeat the passphrase');
  });
});
