import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { promisify } from 'node:util';
import { DOMParser } from '@xmldom/xmldom';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
const run = promisify(execFile);
import t, { type Test } from 'tap';
import type { CanonicalRecord } from '../src/canonical/record.js';
import { recordKeyOf } from '../src/canonical/record.js';
import { contentHashOf, recordToXml } from '../src/canonical/xml.js';
import { buildPacket } from '../src/packet/build.js';
import { ensureDemoPki, type DemoPkiPaths } from '../src/pki/demo.js';
import { createSigner } from '../src/signing/create-signer.js';
import { FileKeySigner } from '../src/signing/file-key/file-key-signer.js';
import { excC14n, excC14nWithSubtrees } from '../src/signing/exc-c14n.js';
import { signEnveloped, verifyEnveloped } from '../src/signing/xmldsig.js';
import { xmlsecSkip, xmlsecVerify } from './helpers/xmlsec.js';

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

/** Parses as an XML 1.0 processor does and canonicalises with xml-crypto (the reference c14n). */
function parse(xml: string): Document {
  const errors: string[] = [];
  const doc = new DOMParser({
    normalizeLineEndings: (s: string) => s.replace(/\r\n?/g, '\n'),
    onError: (level: string, message: string) => void errors.push(`${level}: ${message}`),
  }).parseFromString(xml, 'text/xml') as unknown as Document;
  if (errors.length) throw new Error(errors.join('; '));
  return doc;
}
const referenceC14n = (el: Element) => new ExclusiveCanonicalization().process(el as never, {});

t.test('buildPacket writes exclusive canonical XML (namespace, attribute order, escaping)', async (t) => {
  const awkward = record('0100123400003', 'Ngô "Bảo" <Châu> & co');
  const xml = recordToXml(awkward);
  const p = buildPacket({
    packetId: 'PKT-"&<\t\n>',
    provinceCode: '01',
    createdAt: '2025-06-01T08:00:00.000Z',
    records: [{ recordKey: 'key "with" <odd> &\tchars\r\n', contentHash: contentHashOf(xml), xml }],
  });
  const root = parse(p).documentElement as unknown as Element;
  t.equal(referenceC14n(root), p, 'xml-crypto c14n of the parsed packet is the packet itself');
  t.equal(excC14n(root), p, 'and so is the gateway c14n');
  t.match(p, /<record contentHash="[0-9a-f]{64}" key=/, 'attributes sorted by name');
});

t.test('excC14n agrees with xml-crypto on what signed documents hold', async (t) => {
  const docs = [
    '<a xmlns="urn:x" b="2" a="1"><b xmlns="urn:x">t</b><c xmlns="">u</c></a>',
    '<p:a xmlns:p="urn:p" xmlns:q="urn:q" xmlns:unused="urn:u" q:z="1" y="2"><p:b><q:c q:d="x"/></p:b><e xmlns="urn:e" xmlns:p="urn:p2"><p:f/></e></p:a>',
    '<a>x<!-- dropped -->y<![CDATA[<&>]]>z&#xD;&amp;&lt;&gt;"\'</a>',
    '<a attr="tab\there&#xA;line&#x9;&#xD;&quot;&lt;&amp;>" xml:lang="vi"><b xml:lang="en"/></a>',
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns="urn:default"><ds:SignedInfo><x/></ds:SignedInfo></ds:Signature>',
    '<root xmlns="urn:r"><hocba xmlns="urn:moet:hocba:record:v0" Id="hb"><student><fullName>Nguyễn Thị Ánh 😀</fullName></student></hocba></root>',
  ];
  for (const d of docs) {
    const doc = parse(d);
    const els = [doc.documentElement as unknown as Element, ...Array.from(doc.getElementsByTagName('*') as unknown as Element[])];
    for (const el of els) t.equal(excC14n(el), referenceC14n(el), `${d.slice(0, 40)}… at <${el.tagName}>`);
  }
  t.throws(() => excC14n(parse('<a><?pi data?></a>').documentElement as unknown as Element), /processing instructions/, 'refuses what it cannot be checked on');
});

t.test('excC14nWithSubtrees keeps each wanted subtree exactly as it canonicalises alone', async (t) => {
  const docs = [
    '<a xmlns="urn:x" b="2" a="1"><b xmlns="urn:x">t</b><c xmlns="">u</c></a>',
    '<p:a xmlns:p="urn:p" xmlns:q="urn:q" q:z="1" y="2"><p:b><q:c q:d="x"/></p:b><e xmlns="urn:e" xmlns:p="urn:p2"><p:f/></e></p:a>',
    '<a attr="x" xml:lang="vi"><b xml:lang="en"><c>1</c></b></a>',
    '<root xmlns="urn:r"><record key="k"><hocba xmlns="urn:moet:hocba:record:v0"><student><fullName>Ánh &amp; Đức</fullName></student></hocba></record></root>',
  ];
  for (const d of docs) {
    const root = parse(d).documentElement as unknown as Element;
    const { text, subtrees } = excC14nWithSubtrees(root, () => true);
    t.equal(text, excC14n(root), `${d.slice(0, 30)}…: the whole text is unchanged`);
    for (const [el, kept] of subtrees) t.equal(kept, referenceC14n(el), `${d.slice(0, 30)}… keeps <${el.tagName}> as xml-crypto canonicalises it alone`);
  }
  const packetLike = parse(docs[3]).documentElement as unknown as Element;
  const hocba = packetLike.getElementsByTagName('hocba')[0] as unknown as Element;
  t.ok(excC14nWithSubtrees(packetLike, (el) => el.localName === 'hocba').subtrees.has(hocba), 'a record under a packet in another default namespace is kept');
  // In context p: is already rendered; alone it must be declared: the two texts differ, so the
  // subtree is not kept and the caller canonicalises it on its own.
  const prefixed = parse('<p:a xmlns:p="urn:p"><p:b><p:c/></p:b></p:a>').documentElement as unknown as Element;
  const b = prefixed.getElementsByTagName('p:b')[0] as unknown as Element;
  t.notOk(excC14nWithSubtrees(prefixed, (el) => el === b).subtrees.has(b), 'a subtree whose namespace context differs alone is not kept');
  const recordEl = packetLike.getElementsByTagName('record')[0] as unknown as Element;
  t.notOk(excC14nWithSubtrees(packetLike, (el) => el === recordEl).subtrees.has(recordEl), 'nor one that inherits its default namespace');
});

t.test('a packet signed with FileKeySigner (the fast writer)', async (t) => {
  const signer = new FileKeySigner({ keyPath: pki.provinceKey, certPath: pki.provinceCert });
  const signed = await signer.sign(packet());
  const trusted = await readFile(pki.provinceCert, 'utf8');

  t.test('has the profile shape: two references, the certificate, a covered signing time', async (t) => {
    t.match(signed, /<ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http:\/\/www.w3.org\/2000\/09\/xmldsig#enveloped-signature">/);
    t.match(signed, /<ds:Reference Type="http:\/\/www.w3.org\/2000\/09\/xmldsig#SignatureProperties" URI="#pkt-sig-props">/);
    t.match(signed, /<ds:SignatureMethod Algorithm="http:\/\/www.w3.org\/2001\/04\/xmldsig-more#rsa-sha256">/);
    t.match(signed, /<ds:X509Certificate>MII/);
    t.match(signed, /<ds:Object><ds:SignatureProperties Id="pkt-sig-props"><ds:SignatureProperty Target="#pkt-sig"><ds:SigningTime>\d{4}-\d\d-\d\dT[^<]+Z<\/ds:SigningTime>/);
    t.ok(signed.endsWith('</ds:Signature></packet>'), 'the signature is the last child of <packet>');
  });

  t.test('verifies against the province certificate (xml-crypto)', async (t) => {
    const outcome = verifyEnveloped(signed, trusted);
    t.ok(outcome.valid, JSON.stringify(outcome));
    if (outcome.valid) {
      t.match(outcome.signedXml, /Phạm Văn Đức/, 'the signed scope contains the records');
      t.notMatch(outcome.signedXml, /Signature/, 'and not the signature');
      t.ok(Math.abs(outcome.signingTime.getTime() - Date.now()) < 60_000, 'the signing time is now');
    }
  });

  t.test('verifies with xmlsec1, chaining to the demo CA', { skip: xmlsecSkip }, async (t) => {
    const { ok, output } = await xmlsecVerify(signed, pki.caCert);
    t.ok(ok, output);
  });

  t.test('verifies with xmlsec1 against the province certificate alone (KeyInfo ignored)', { skip: xmlsecSkip }, async (t) => {
    // The Ministry's way: the certificate it has on file, not the one the packet carries.
    const keyOnly = (cert: string) => ['--verify', '--pubkey-cert-pem', cert, '--enabled-key-data', 'key-name', '--enabled-reference-uris', 'empty,same-doc'];
    const file = join(root, 'packet-for-xmlsec.xml');
    await writeFile(file, signed);
    const ok = await run('xmlsec1', [...keyOnly(pki.provinceCert), file]).then((r) => r.stdout + r.stderr, (e) => `failed: ${e.stderr}`);
    t.match(ok, /^OK$/m);
    const foreign = await run('xmlsec1', [...keyOnly(other.provinceCert), file]).then(() => 'verified', () => 'refused');
    t.equal(foreign, 'refused', 'another province certificate does not verify it');
  });

  t.test('xmlsec1 refuses it when trusting another CA', { skip: xmlsecSkip }, async (t) => {
    const { ok, output } = await xmlsecVerify(signed, other.caCert);
    t.notOk(ok, output);
  });

  t.test('the same packet signed by xml-crypto (the reference signer) verifies the same ways', async (t) => {
    const ref = signEnveloped(packet(), { privateKeyPem: await readFile(pki.provinceKey, 'utf8'), certificatePem: trusted });
    t.ok(verifyEnveloped(ref, trusted).valid);
    if (xmlsecSkip === false) t.ok((await xmlsecVerify(ref, pki.caCert)).ok);
    // Same digests: the fast writer's "already canonical" bytes are what xml-crypto canonicalises.
    const digests = (x: string) => [...x.matchAll(/<ds:DigestValue>([^<]+)</g)].map((m) => m[1]);
    t.equal(digests(ref)[0], digests(signed)[0], 'the document digest is the same');
  });

  // One character changed inside a record's text.
  const tampered = signed.replace('Phạm Văn Đức', 'Phạm Văn Đực');
  t.not(tampered, signed);

  t.test('a tampered record fails both verifiers', async (t) => {
    t.match(verifyEnveloped(tampered, trusted), { valid: false, code: 'SIGNATURE_INVALID' });
    if (xmlsecSkip === false) t.notOk((await xmlsecVerify(tampered, pki.caCert)).ok);
  });

  t.test('a changed signing time fails both verifiers (the second reference covers it)', async (t) => {
    const moved = signed.replace(/<ds:SigningTime>\d{4}/, '<ds:SigningTime>2019');
    t.not(moved, signed);
    t.match(verifyEnveloped(moved, trusted), { valid: false, code: 'SIGNATURE_INVALID' });
    if (xmlsecSkip === false) t.notOk((await xmlsecVerify(moved, pki.caCert)).ok);
  });

  t.test('does not verify against another certificate', async (t) => {
    for (const cert of [pki.schoolSealCert, other.provinceCert]) {
      t.match(verifyEnveloped(signed, await readFile(cert, 'utf8')), { valid: false, code: 'SIGNATURE_INVALID' }, cert);
    }
  });

  t.test('verifyEnveloped is strict about the shape', async (t) => {
    // The old one-reference shape: the signing time would not be covered.
    const oneRef = signed.replace(/<ds:Reference Type=[^]*?<\/ds:Reference>/, '');
    t.match(verifyEnveloped(oneRef, trusted), { valid: false, code: 'SIGNATURE_SCOPE' }, 'no SignatureProperties reference');
    // The properties reference pointing at an element outside the signature.
    const outside = signed.replace('<header>', '<header Id="elsewhere">').replaceAll('#pkt-sig-props', '#elsewhere');
    t.match(verifyEnveloped(outside, trusted), { valid: false, code: 'SIGNATURE_SCOPE' }, 'reference outside the signature');
    t.match(verifyEnveloped(packet(), trusted), { valid: false, code: 'SIGNATURE_MISSING' });
  });

  t.test('signature wrapping is refused', async (t) => {
    const signature = signed.slice(signed.indexOf('<ds:Signature'), signed.indexOf('</packet>'));
    const duplicated = signed.replace('</packet>', `${signature}</packet>`);
    t.match(verifyEnveloped(duplicated, trusted), { valid: false, code: 'SIGNATURE_SCOPE' }, 'a second Signature');

    // The genuine signed packet pushed down under a forged root that carries other records.
    const forged = packet().replace('Phạm Văn Đức', 'Someone Else').replace('</packet>', `<wrapper>${signed}</wrapper></packet>`);
    t.match(verifyEnveloped(forged, trusted), { valid: false, code: 'SIGNATURE_SCOPE' }, 'signed packet wrapped in a forged one');

    // A record moved out of <records>: URI="" covers the whole document, so the digest breaks.
    const start = signed.indexOf('<record contentHash=');
    const end = signed.indexOf('</record>', start) + '</record>'.length;
    const moved = signed.slice(0, start) + signed.slice(end).replace('</records>', `</records>${signed.slice(start, end)}`);
    t.not(moved, signed);
    t.match(verifyEnveloped(moved, trusted), { valid: false, code: 'SIGNATURE_INVALID' }, 'a record moved outside <records>');
    if (xmlsecSkip === false) t.notOk((await xmlsecVerify(moved, pki.caCert)).ok, 'xmlsec1 agrees');
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
    const signed = await signer.sign(packet());
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
    t.ok(verifyEnveloped(await signer.sign(packet()), cert).valid, 'still signs with the old key');

    // Half a rotation (new key, old certificate) is refused too: it would sign unverifiably.
    await copyFile(other.provinceKey, keyPath);
    await copyFile(pki.provinceCert, certPath);
    await t.rejects(signer.reload(), /does not match/);
    t.ok(verifyEnveloped(await signer.sign(packet()), cert).valid, 'still signs with the old key');
  });

  const passphrase = 'correct horse battery staple';
  const keyBody = (await readFile(pki.provinceKey, 'utf8')).split('\n')[1];
  const assertNothingLeaks = (t: Test, signer: object) => {
    for (const shown of [JSON.stringify(signer), inspect(signer, { showHidden: true, depth: 10 }), String(Object.keys(signer))]) {
      t.notMatch(shown, passphrase, 'no passphrase');
      t.notMatch(shown, keyBody, 'no key material');
      t.notMatch(shown, 'PRIVATE KEY');
    }
  };

  t.test('reads an encrypted PKCS#8 key with its passphrase and never exposes it', async (t) => {
    const keyPath = join(root, 'encrypted.key');
    const encrypted = createPrivateKey(await readFile(pki.provinceKey)).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase });
    await writeFile(keyPath, encrypted, { mode: 0o600 });
    t.match(encrypted, /BEGIN ENCRYPTED PRIVATE KEY/);

    const signer = await createSigner({ kind: 'file', keyPath, certPath: pki.provinceCert, passphrase });
    t.equal(signer.name, 'file');
    t.ok(verifyEnveloped(await signer.sign(packet()), await readFile(pki.provinceCert, 'utf8')).valid);
    assertNothingLeaks(t, signer);
    t.same(JSON.parse(JSON.stringify(signer)), { name: 'file', keyPath, certPath: pki.provinceCert });

    const wrong = await createSigner({ kind: 'file', keyPath, certPath: pki.provinceCert, passphrase: 'wrong passphrase' }).then(
      () => null,
      (e: Error) => e,
    );
    t.ok(wrong, 'a wrong passphrase is refused');
    t.notMatch(wrong?.message ?? '', 'wrong passphrase', 'the error does not repeat the passphrase');
  });

  // As CAs hand out keys: a PKCS#12 bundle, made by openssl in today's default (AES-256, PBKDF2,
  // HMAC-SHA256) and in the legacy one (3DES, SHA-1) that older tokens' tools export.
  for (const [label, legacy] of [['AES/PBKDF2', false], ['legacy 3DES', true]] as const) {
    t.test(`reads a PKCS#12 bundle (${label}) with its passphrase; the certificate comes from the bundle`, { skip: xmlsecSkip }, async (t) => {
      const p12 = join(root, `province-${legacy ? 'legacy' : 'modern'}.p12`);
      await run('openssl', ['pkcs12', '-export', ...(legacy ? ['-legacy'] : []), '-inkey', pki.provinceKey, '-in', pki.provinceCert, '-certfile', pki.caCert, '-passout', `pass:${passphrase}`, '-out', p12]).catch(
        async (e) => {
          // OpenSSL 1.1 has no -legacy flag: its default is the legacy format.
          if (!legacy) throw e;
          await run('openssl', ['pkcs12', '-export', '-inkey', pki.provinceKey, '-in', pki.provinceCert, '-passout', `pass:${passphrase}`, '-out', p12]);
        },
      );
      const signer = await createSigner({ kind: 'file', keyPath: p12, passphrase });
      t.equal(signer.certificatePem(), new X509Certificate(await readFile(pki.provinceCert)).toString(), 'the province certificate, not the CA in the bundle');
      const signed = await signer.sign(packet());
      t.ok(verifyEnveloped(signed, await readFile(pki.provinceCert, 'utf8')).valid);
      t.ok((await xmlsecVerify(signed, pki.caCert)).ok, 'xmlsec1 verifies it');
      assertNothingLeaks(t, signer);

      const wrong = await createSigner({ kind: 'file', keyPath: p12, passphrase: 'not it' }).then(() => null, (e: Error) => e);
      t.match(wrong?.message, /wrong passphrase/, 'a wrong passphrase is refused');
      t.notMatch(wrong?.message ?? '', 'not it');
    });
  }
});
