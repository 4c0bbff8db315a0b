import { readFile } from 'node:fs/promises';
import t from 'tap';
import type { CanonicalRecord } from '../src/canonical/record.js';
import { recordToXml } from '../src/canonical/xml.js';
import { issueCertificate, issueCrl, type IssuedCertificate } from '../src/pki/signer-certificates.js';
import { signedDocument } from '../src/record-signatures/demo-documents.js';
import type { SignerRole } from '../src/record-signatures/format.js';
import { DEFAULT_ROLE_RULES, type RoleRules } from '../src/record-signatures/policy.js';
import { signRecordDocument, withRecordId, type RecordSigner } from '../src/record-signatures/sign-record.js';
import { TrustStore } from '../src/record-signatures/trust-store.js';
import { verifySignedDocument } from '../src/record-signatures/verify-document.js';
import { makeRecordPki } from './helpers/record-pki.js';

// Who signed and when (issue 14, items 2 and 3): each role bound to the kind of certificate it
// needs (a personal certificate for teacher and principal, the record's own school's organisation
// certificate for the seal, never the province's packet key), and validity and revocation checked
// at the time of receipt, not at the SigningTime the signer wrote.

const w = await makeRecordPki(t);
const caPem = await readFile(w.pki.caCert, 'utf8');
const provincePem = await readFile(w.pki.provinceCert, 'utf8');
const provinceKeyPem = await readFile(w.pki.provinceKey, 'utf8');
const now = Date.now();
const record = w.records[0];
const teacher = record.homeroomTeacher;
const [held, unheld, otherSchoolSeal, sealAsTeacher, deputy, withPolicy, signOnly] = await Promise.all([
  issueCertificate(w.pki, { commonName: teacher }),
  issueCertificate(w.pki, { commonName: teacher }),
  issueCertificate(w.pki, { commonName: 'Trường khác', organization: 'Trường khác', organizationIdentifier: 'MOETVN-01099999' }),
  issueCertificate(w.pki, { commonName: teacher, organization: record.school.name, organizationIdentifier: `MOETVN-${record.school.schoolId}` }),
  issueCertificate(w.pki, { commonName: 'Nguyễn Phó Hiệu', title: 'Phó Hiệu trưởng' }),
  issueCertificate(w.pki, { commonName: teacher, policies: ['1.3.6.1.4.1.99999.1.2'] }),
  issueCertificate(w.pki, { commonName: teacher, usage: 'digitalSignature' }),
]);
const crl = await issueCrl(w.pki, [
  { serialNumber: w.revokedLater.serialNumber, revocationDate: w.revokedAt, reason: 5 },
  // certificateHold: revoked while it is on the list.
  { serialNumber: held.serialNumber, revocationDate: new Date(now - 200_000), reason: 6 },
  // removeFromCRL (a delta CRL's way of lifting a hold): not revoked.
  { serialNumber: unheld.serialNumber, revocationDate: new Date(now - 200_000), reason: 8 },
]);
const trust = await TrustStore.create({ anchors: [caPem], intermediates: [], crls: [crl], provinceCertificates: [provincePem] });

/** The record signed by the demo signers, with `as` replacing one role's key and certificate. */
async function doc(r: CanonicalRecord, o: { at?: Date; as?: { role: SignerRole; cert: IssuedCertificate | { key: import('node:crypto').KeyObject; certificate: Buffer } } } = {}): Promise<string> {
  const at = o.at ?? new Date();
  const signers: RecordSigner[] = [];
  for (const role of ['teacher', 'principal', 'seal'] as SignerRole[]) {
    if (o.as?.role === role) {
      signers.push({ role, key: o.as.cert.key, certificates: [o.as.cert.certificate], signingTime: at });
      continue;
    }
    const s = await w.signers.get(role, role === 'teacher' ? r.homeroomTeacher : role === 'principal' ? r.principal : r.school.name, r.school.schoolId);
    signers.push({ role, key: s.key, certificates: [s.certificate], signingTime: at });
  }
  return signRecordDocument(withRecordId(recordToXml(r), 'HB-1'), 'HB-1', signers);
}

const codes = (xml: string, roles: RoleRules = DEFAULT_ROLE_RULES) => {
  const v = verifySignedDocument(xml, trust, { roles });
  return v.ok ? v.signatures.map((s) => s.code ?? 'valid') : [v.code];
};

t.test('the demo documents (hocba-gw sample --signed) verify with the role bindings', async (t) => {
  t.same(codes(await signedDocument(w.signers, record)), ['valid', 'valid', 'valid']);
});

t.test('back-dating: validity and revocation are checked at receipt, not at the SigningTime written', async (t) => {
  // Expired a minute ago; the signer writes a time inside its life.
  const inLife = new Date(w.expired.notAfter.getTime() - 60_000);
  t.same(codes(await doc(record, { at: inLife, as: { role: 'teacher', cert: w.expired } })), ['CERT_EXPIRED', 'valid', 'valid']);
  // Revoked two minutes ago (superseded); the signer writes a time before that.
  const before = new Date(w.revokedAt.getTime() - 30_000);
  t.same(codes(await doc(record, { at: before, as: { role: 'teacher', cert: w.revokedLater } })), ['CERT_REVOKED', 'valid', 'valid']);
  // On hold: revoked while on the list; lifted (removeFromCRL): not revoked.
  t.same(codes(await doc(record, { as: { role: 'teacher', cert: held } })), ['CERT_REVOKED', 'valid', 'valid']);
  t.same(codes(await doc(record, { as: { role: 'teacher', cert: unheld } })), ['valid', 'valid', 'valid']);
});

t.test('a time-stamp token is refused with its own code where no time-stamp authority is trusted (test/time-stamp.test.ts has the rest)', async (t) => {
  const good = await doc(record);
  const ts =
    '<ds:Object><xades:QualifyingProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#"><xades:UnsignedProperties><xades:UnsignedSignatureProperties>' +
    '<xades:SignatureTimeStamp><xades:EncapsulatedTimeStamp>MIIB</xades:EncapsulatedTimeStamp></xades:SignatureTimeStamp>' +
    '</xades:UnsignedSignatureProperties></xades:UnsignedProperties></xades:QualifyingProperties></ds:Object></ds:Signature>';
  t.same(codes(good.replace('</ds:Signature>', ts)), ['TIMESTAMP_UNSUPPORTED', 'valid', 'valid']);
});

t.test('each role needs its kind of certificate', async (t) => {
  // A teacher's personal certificate on the seal.
  const teacherCert = await w.signers.get('teacher', teacher);
  t.same(codes(await doc(record, { as: { role: 'seal', cert: teacherCert } })), ['valid', 'valid', 'SIGNER_ROLE_MISMATCH']);
  // Another school's seal.
  t.same(codes(await doc(record, { as: { role: 'seal', cert: otherSchoolSeal } })), ['valid', 'valid', 'SEAL_NOT_OWN_SCHOOL']);
  // An organisation certificate in the teacher's place, even naming the teacher.
  t.same(codes(await doc(record, { as: { role: 'teacher', cert: sealAsTeacher } })), ['SIGNER_ROLE_MISMATCH', 'valid', 'valid']);
  // The province's packet key never signs a record.
  const { createPrivateKey, X509Certificate } = await import('node:crypto');
  const province = { key: createPrivateKey(provinceKeyPem), certificate: Buffer.from(new X509Certificate(provincePem).raw) };
  t.same(codes(await doc(record, { as: { role: 'seal', cert: province } })), ['valid', 'valid', 'PROVINCE_KEY_ON_RECORD']);
  t.same(codes(await doc(record, { as: { role: 'teacher', cert: province } })), ['PROVINCE_KEY_ON_RECORD', 'valid', 'valid']);
});

t.test('policy OIDs and key usage per role', async (t) => {
  const roles: RoleRules = { ...DEFAULT_ROLE_RULES, teacher: { ...DEFAULT_ROLE_RULES.teacher, policyOids: ['1.3.6.1.4.1.99999.1.2'] } };
  t.same(codes(await doc(record), roles), ['SIGNER_ROLE_MISMATCH', 'valid', 'valid'], 'no certificate policy');
  t.same(codes(await doc(record, { as: { role: 'teacher', cert: withPolicy } }), roles), ['valid', 'valid', 'valid']);
  const nonRep: RoleRules = { ...DEFAULT_ROLE_RULES, teacher: { ...DEFAULT_ROLE_RULES.teacher, keyUsage: ['nonRepudiation'] } };
  t.same(codes(await doc(record, { as: { role: 'teacher', cert: signOnly } }), nonRep), ['CERT_KEY_USAGE', 'valid', 'valid']);
});

t.test('a deputy signs for the principal (KT. Hiệu trưởng) only where configured', async (t) => {
  const xml = await doc(record, { as: { role: 'principal', cert: deputy } });
  t.same(codes(xml), ['valid', 'DEPUTY_NOT_ALLOWED', 'valid']);
  const allowed: RoleRules = { ...DEFAULT_ROLE_RULES, principal: { ...DEFAULT_ROLE_RULES.principal, allowDeputy: true } };
  t.same(codes(xml, allowed), ['valid', 'valid', 'valid']);
  const v = verifySignedDocument(xml, trust, { roles: allowed });
  t.match(v, { ok: true, signatures: [{}, { note: /on behalf of the principal/ }] });
});
