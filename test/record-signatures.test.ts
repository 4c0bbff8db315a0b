import { X509Certificate, createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DOMParser } from '@xmldom/xmldom';
import t from 'tap';
import { SignedXml } from 'xml-crypto';
import type { CanonicalRecord } from '../src/canonical/record.js';
import { recordToXml } from '../src/canonical/xml.js';
import type { IssuedCertificate } from '../src/pki/signer-certificates.js';
import { loadSettings } from '../src/config/settings.js';
import { validationContextFrom } from '../src/config/validation-context.js';
import { checkSignedRecord } from '../src/record-signatures/check-record.js';
import type { SignerRole } from '../src/record-signatures/format.js';
import { parseRequired, type SignaturePolicy } from '../src/record-signatures/policy.js';
import { signRecordDocument, withRecordId, type RecordSigner } from '../src/record-signatures/sign-record.js';
import { TrustStore } from '../src/record-signatures/trust-store.js';
import { verifySignedDocument } from '../src/record-signatures/verify-document.js';
import { SignedRecordVerifier } from '../src/record-signatures/verify-pool.js';
import { DSIG_NS } from '../src/signing/signature-format.js';
import { makeRecordPki } from './helpers/record-pki.js';
import { xmlsecSkip, xmlsecVerify } from './helpers/xmlsec.js';

// Incoming signed học bạ: every signature verified, only what its references cover counted,
// certificates chained to the trust anchors and checked at the time of receipt, and each way of
// tampering or forging refused with its own code.

const w = await makeRecordPki(t);
const caPem = await readFile(w.pki.caCert, 'utf8');
const trust = await TrustStore.create({ anchors: [caPem], intermediates: [], crls: [w.crl] });
const record = w.records[0];
const ALL: SignerRole[] = ['teacher', 'principal', 'seal'];
const policy: SignaturePolicy = { required: ALL, whenIncomplete: 'hold', matchSignerNames: true, maxClockSkewMs: 300_000 };
// Record content is checked with the default rules, as a gateway with the default settings would.
const settings = loadSettings({});
const ctx = validationContextFrom(settings);

/** A document signed by the demo signers, with `override` replacing the teacher's key and certificates. */
async function doc(r: CanonicalRecord, o: { roles?: SignerRole[]; teacher?: IssuedCertificate; teacherChain?: Buffer[]; at?: Date } = {}): Promise<string> {
  const at = o.at ?? new Date();
  const signers: RecordSigner[] = [];
  for (const role of o.roles ?? ALL) {
    if (role === 'teacher' && o.teacher) {
      signers.push({ role, key: o.teacher.key, certificates: [o.teacher.certificate, ...(o.teacherChain ?? [])], signingTime: at });
      continue;
    }
    const s = await w.signers.get(role, role === 'teacher' ? r.homeroomTeacher : role === 'principal' ? r.principal : r.school.name, r.school.schoolId);
    signers.push({ role, key: s.key, certificates: [s.certificate], signingTime: at });
  }
  return signRecordDocument(withRecordId(recordToXml(r), 'HB-1'), 'HB-1', signers);
}

const good = await doc(record);
const codes = (xml: string, tr = trust) => {
  const v = verifySignedDocument(xml, tr);
  return v.ok ? v.signatures.map((s) => s.code ?? 'valid') : [v.code];
};

t.test('a record signed by teacher, principal and seal verifies, in the gateway and independently', async (t) => {
  const v = verifySignedDocument(good, trust);
  t.ok(v.ok);
  if (!v.ok) return;
  t.same(v.signatures.map((s) => [s.role, s.valid]), [['teacher', true], ['principal', true], ['seal', true]]);
  t.equal(v.signatures[0].signer?.commonName, record.homeroomTeacher, 'the signer is named');
  t.equal(v.signatures[0].chain?.length, 2, 'the chain runs to the demo root');
  t.match(v.recordXml, /^<hocba xmlns="urn:moet:hocba:record:v1" Id="HB-1"><recordId>/);
  // The content hash the gateway stores is the digest every signature carries.
  const digest = good.match(/<ds:DigestValue>([^<]+)</)![1];
  t.equal(createHash('sha256').update(v.recordXml).digest('base64'), digest);

  if (xmlsecSkip === false) {
    for (const id of ['sig-gvcn', 'sig-hieutruong', 'sig-seal']) {
      const r = await xmlsecVerify(good, w.pki.caCert, ['--id-attr:Id', 'urn:moet:hocba:record:v1:hocba', '--id-attr:Id', `${DSIG_NS}:Signature`, '--node-id', id]);
      t.ok(r.ok, `xmlsec1 verifies ${id}: ${r.output}`);
    }
  }
  // xml-crypto, as the reference implementation, agrees on each signature.
  const parsed = new DOMParser().parseFromString(good, 'text/xml');
  for (const sigEl of Array.from(parsed.getElementsByTagNameNS(DSIG_NS, 'Signature'))) {
    const cert = new X509Certificate(Buffer.from(sigEl.getElementsByTagNameNS(DSIG_NS, 'X509Certificate')[0].textContent!, 'base64'));
    const sx = new SignedXml({ publicCert: cert.toString(), getCertFromKeyInfo: () => null });
    sx.loadSignature(sigEl as never);
    t.ok(sx.checkSignature(good), `xml-crypto verifies ${sigEl.getAttribute('Id')}`);
  }
});

t.test('tampering and forgery: each refused with its own code', async (t) => {
  t.test('a changed character in a signed field: SIGNATURE_DIGEST_MISMATCH', async (t) => {
    const name = record.student.fullName;
    const changed = good.replace(`<fullName>${name}</fullName>`, `<fullName>${name.slice(0, -1)}x</fullName>`);
    t.not(changed, good);
    t.same(codes(changed), ['SIGNATURE_DIGEST_MISMATCH', 'SIGNATURE_DIGEST_MISMATCH', 'SIGNATURE_DIGEST_MISMATCH']);
    if (xmlsecSkip === false) t.notOk((await xmlsecVerify(changed, w.pki.caCert, ['--id-attr:Id', 'urn:moet:hocba:record:v1:hocba'])).ok, 'xmlsec1 agrees');
  });

  t.test('a swapped certificate: SIGNATURE_VALUE_INVALID', async (t) => {
    const certs = [...good.matchAll(/<ds:X509Certificate>([^<]+)</g)].map((m) => m[1]);
    const swapped = good.replace(certs[0], certs[1]); // the principal's certificate under the teacher's signature
    t.same(codes(swapped), ['SIGNATURE_VALUE_INVALID', 'valid', 'valid']);
  });

  t.test('signature wrapping: SIGNATURE_WRAPPING', async (t) => {
    const start = good.indexOf('<hocba');
    const end = good.indexOf('</hocba>') + '</hocba>'.length;
    const original = good.slice(start, end);
    const forged = original.replace(' Id="HB-1"', '').replace(record.student.fullName, 'Kẻ Mạo Danh');
    // The signed record moved into a wrapper, a forged one in its place.
    const moved = good.slice(0, start) + forged + `<extra>${original}</extra>` + good.slice(end);
    t.same(codes(moved), ['SIGNATURE_WRAPPING'], 'moved');
    // The signed record duplicated beside itself.
    const duplicated = good.slice(0, end) + original.replace(' Id="HB-1"', ' Id="HB-2"') + good.slice(end);
    t.same(codes(duplicated), ['SIGNATURE_WRAPPING'], 'duplicated');
    // A second element claiming the signed Id.
    const sameId = good.replace('<ds:Object>', '<ds:Object Id="HB-1">');
    t.same(codes(sameId), ['SIGNATURE_WRAPPING'], 'duplicate Id');
    // A signature hidden inside the record.
    const hidden = good.replace('</hocba>', `${good.slice(good.indexOf('<ds:Signature'), good.indexOf('</ds:Signature>') + 15)}</hocba>`);
    t.same(codes(hidden), ['SIGNATURE_WRAPPING'], 'a signature inside the record');
  });

  t.test('an expired certificate: CERT_EXPIRED', async (t) => {
    t.same(codes(await doc(record, { teacher: w.expired })), ['CERT_EXPIRED', 'valid', 'valid']);
    // A signing time inside the certificate's life changes nothing: without a trusted time-stamp
    // validity is checked at receipt (the SigningTime is the signer's own claim).
    const inLife = await doc(record, { teacher: w.expired, at: new Date(w.expired.notAfter.getTime() - 60_000) });
    t.same(codes(inLife), ['CERT_EXPIRED', 'valid', 'valid'], 'back-dated into the certificate\'s life');
  });

  t.test('an unknown CA: CERT_UNTRUSTED', async (t) => {
    t.same(codes(await doc(record, { teacher: w.unknown })), ['CERT_UNTRUSTED', 'valid', 'valid']);
  });

  t.test('a revoked certificate: CERT_REVOKED', async (t) => {
    t.same(codes(await doc(record, { teacher: w.revoked })), ['CERT_REVOKED', 'valid', 'valid']);
    // Revoked two minutes ago: a signing time written before that changes nothing (checked at receipt).
    const before = new Date(w.revokedAt.getTime() - 30_000);
    t.same(codes(await doc(record, { teacher: w.revokedLater, at: before })), ['CERT_REVOKED', 'valid', 'valid'], 'back-dated before the revocation');
    t.same(codes(await doc(record, { teacher: w.revokedLater })), ['CERT_REVOKED', 'valid', 'valid']);
    t.same(codes(await doc(record, { teacher: w.compromisedLater, at: before })), ['CERT_REVOKED', 'valid', 'valid']);
    // Without the CRL the gateway cannot know.
    const noCrl = await TrustStore.create({ anchors: [caPem], intermediates: [], crls: [] });
    t.same(codes(await doc(record, { teacher: w.revoked }), noCrl), ['valid', 'valid', 'valid']);
  });

  t.test('a signature over only part of the record: SIGNATURE_PARTIAL', async (t) => {
    const hocba = withRecordId(recordToXml(record), 'HB-1').replace('<primary>', '<primary Id="kq">');
    const part = hocba.slice(hocba.indexOf('<primary'), hocba.indexOf('</primary>') + '</primary>'.length).replace('<primary ', '<primary xmlns="urn:moet:hocba:record:v1" ');
    const s = await w.signers.get('seal', record.school.name, record.school.schoolId);
    const partial = signRecordDocument(hocba, 'kq', [{ role: 'seal', key: s.key, certificates: [s.certificate], signingTime: new Date() }], part);
    t.same(codes(partial), ['SIGNATURE_PARTIAL']);
    if (xmlsecSkip === false) {
      // Cryptographically the signature is sound: only the scope check catches it.
      const r = await xmlsecVerify(partial, w.pki.caCert, ['--id-attr:Id', 'urn:moet:hocba:record:v1:primary']);
      t.ok(r.ok, `xmlsec1 alone accepts it: ${r.output}`);
    }
  });

  t.test('and the other ways a signature fails', async (t) => {
    t.same(codes(good.replace(/<ds:SigningTime>\d{4}/, '<ds:SigningTime>2020')), ['SIGNATURE_DIGEST_MISMATCH', 'valid', 'valid'], 'changed signing time');
    t.same(codes(await doc(record, { at: new Date(Date.now() + 3600_000) })), ['SIGNING_TIME_INVALID', 'SIGNING_TIME_INVALID', 'SIGNING_TIME_INVALID'], 'future signing time');
    t.same(codes(await doc(record, { teacher: w.notForSigning })), ['CERT_KEY_USAGE', 'valid', 'valid'], 'not a signing certificate');
    // The principal signing in the teacher's place: a valid certificate, but not the record's teacher.
    const principal = await w.signers.get('principal', record.principal);
    const wrongTeacher = await doc(record, { teacher: principal as IssuedCertificate });
    t.same(codes(wrongTeacher), ['SIGNER_NAME_MISMATCH', 'valid', 'valid'], 'the teacher certificate names someone else');
    t.same(codes(good.replace('Id="sig-gvcn"', 'Id="sig-someone"').replace('Target="#sig-gvcn"', 'Target="#sig-someone"')), ['SIGNATURE_ROLE_UNKNOWN', 'valid', 'valid']);
    t.same(codes(good.replace('xmldsig-more#rsa-sha256', 'xmldsig-more#rsa-sha384')), ['SIGNATURE_ALGORITHM_UNSUPPORTED', 'valid', 'valid'], 'another algorithm');
    t.same(codes(`<!DOCTYPE x [<!ENTITY e "x">]>${good}`), ['SIGNED_RECORD_MALFORMED'], 'a DTD');
    t.same(codes('<signedHocba xmlns="urn:moet:hocba:record:v1"><hocba'), ['SIGNED_RECORD_MALFORMED'], 'not well-formed');
  });
});

t.test('a teacher under an intermediate CA: trusted when the chain is carried or configured', async (t) => {
  const chained = await doc(record, { teacher: w.underIntermediate, teacherChain: [w.intermediate.certificate] });
  const v = verifySignedDocument(chained, trust);
  t.match(v, { ok: true, signatures: [{ valid: true, chain: [{}, { commonName: 'Demo Sub CA (personal certificates)' }, {}] }] });
  const bare = await doc(record, { teacher: w.underIntermediate });
  t.same(codes(bare), ['CERT_UNTRUSTED', 'valid', 'valid'], 'without the intermediate it does not chain');
  const configured = await TrustStore.create({ anchors: [caPem], intermediates: [w.intermediate.pem], crls: [] });
  t.same(codes(bare, configured), ['valid', 'valid', 'valid'], 'with the intermediate configured it does');
});

t.test('trust configuration errors are clear', async (t) => {
  await t.rejects(TrustStore.create({ anchors: [], intermediates: [], crls: [] }), /no trust anchors/);
  await t.rejects(TrustStore.create({ anchors: [caPem], intermediates: [], crls: [Buffer.from('not a crl')] }), /CRL #1 cannot be read/);
  const foreign = await readFile(w.unknownCa.caCert, 'utf8');
  await t.rejects(TrustStore.create({ anchors: [foreign], intermediates: [], crls: [w.crl] }), /not signed by a trusted CA/);
});

t.test('the policy decides: queued, held until complete, or rejected', async (t) => {
  const twoOfThree = await doc(record, { roles: ['teacher', 'principal'] });
  t.match(checkSignedRecord(good, trust, policy, ctx), { status: 'queued', missing: [], errors: [] });
  t.match(checkSignedRecord(twoOfThree, trust, policy, ctx), { status: 'held', missing: ['seal'], errors: [{ code: 'SIGNATURES_INCOMPLETE' }] });
  t.match(checkSignedRecord(twoOfThree, trust, { ...policy, whenIncomplete: 'reject' }, ctx), { status: 'rejected', errors: [{ code: 'SIGNATURES_INCOMPLETE' }] });
  t.match(checkSignedRecord(twoOfThree, trust, { ...policy, required: parseRequired('teacher+principal') }, ctx), { status: 'queued' });
  // A forged signature is refused even when the policy would not need it.
  const forged = await doc(record, { teacher: w.unknown });
  t.match(checkSignedRecord(forged, trust, { ...policy, required: ['seal'] }, ctx), { status: 'rejected', errors: [{ code: 'CERT_UNTRUSTED', path: '/signatures/sig-gvcn' }] });
  // The content is validated like any vendor record.
  const bad = { ...record, grade: 13 };
  t.match(checkSignedRecord(await doc(bad), trust, policy, ctx), { status: 'rejected', errors: [{ code: 'SCHEMA_RANGE', path: '/grade' }] });
  // Signed in full for a student whose personal ID is not issued yet: held for the ID, with its code.
  const { personalId: _, ...noId } = record.student;
  const pending = { ...record, student: { ...noId, personalIdPending: true } };
  t.match(checkSignedRecord(await doc(pending), trust, policy, ctx), { status: 'held', holdCode: 'PERSONAL_ID_PENDING', missing: [], errors: [{ code: 'PERSONAL_ID_PENDING', path: '/student/personalIdPending' }] });
  t.match(checkSignedRecord(await doc({ ...record, student: noId }), trust, policy, ctx), { status: 'rejected', errors: [{ code: 'PERSONAL_ID_MISSING' }] });
  t.same(parseRequired('none'), []);
  t.throws(() => parseRequired('teacher+janitor'), /unknown signer "janitor"/);
});

t.test('the worker pool gives the same verdicts as the calling thread', async (t) => {
  const docs = [good, good.replace(record.student.fullName, 'Ai Đó'), await doc(w.records[1]), await doc(record, { teacher: w.expired })];
  const material = { anchors: [caPem], intermediates: [], crls: [w.crl] };
  const pooled = await SignedRecordVerifier.create({ trust: material, policy, workers: 2, validation: settings });
  t.teardown(() => pooled.close());
  const inThread = await SignedRecordVerifier.create({ trust: material, policy, workers: 0, validation: settings });
  const now = new Date();
  const many = Array.from({ length: 60 }, (_, i) => docs[i % docs.length]);
  const [a, b] = await Promise.all([pooled.check(many, now), inThread.check(many, now)]);
  // The pool leaves certificate chains in the workers; everything else is the same.
  for (const o of b) for (const s of o.signatures) delete s.chain;
  t.same(a, b);
  t.same(a.slice(0, 4).map((o) => o.status), ['queued', 'rejected', 'queued', 'rejected']);
  // Reloading swaps in new trust material; work already asked for still completes.
  const during = pooled.check(many, now);
  await pooled.reload({ anchors: [await readFile(w.unknownCa.caCert, 'utf8')], intermediates: [], crls: [] });
  t.equal((await during).length, many.length, 'work in flight finished');
  t.match(await pooled.check([good], now), [{ status: 'rejected', errors: [{ code: 'CERT_UNTRUSTED' }] }], 'the new anchors apply');
});
