import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { recordToXml } from '../src/canonical/xml.js';
import { issueCertificate } from '../src/pki/signer-certificates.js';
import type { SignerRole } from '../src/record-signatures/format.js';
import { signRecordDocument, withRecordId, type RecordSigner } from '../src/record-signatures/sign-record.js';
import { TrustStore } from '../src/record-signatures/trust-store.js';
import { verifySignedDocument, type VerifyOptions } from '../src/record-signatures/verify-document.js';
import { makeRecordPki } from './helpers/record-pki.js';
import { makeTsa, signatureValueC14n, signatureValueInclusiveC14n, stampObject, withObject } from './helpers/tsa.js';
import { RECORD_NAMESPACE } from '../src/canonical/record.js';

const C14N_10_URI = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';

// RFC 3161 time-stamps on a record's signatures: a token from a trusted time-stamp authority
// (made here by `openssl ts`) moves the signer's certificate checks from the time of receipt to
// the time stamped; a token that does not hold is refused with its own code, never ignored.

const w = await makeRecordPki(t);
const caPem = await readFile(w.pki.caCert, 'utf8');
const [tsa, stranger] = await Promise.all([makeTsa(join(w.dir, 'tsa'), 'Demo TSA'), makeTsa(join(w.dir, 'tsa-unknown'), 'Unknown TSA')]);
const trust = await TrustStore.create({ anchors: [caPem], intermediates: [], crls: [], timeStampAnchors: [tsa.rootPem] });
const noTsa = await TrustStore.create({ anchors: [caPem], intermediates: [], crls: [] });
const record = w.records[0]!;
const now = Date.now();
// The teacher's certificate ends in ten minutes; the record arrives tomorrow.
const shortLived = await issueCertificate(w.pki, { commonName: record.homeroomTeacher, notBefore: new Date(now - 60_000), notAfter: new Date(now + 600_000) });
const tomorrow: VerifyOptions = { now: new Date(now + 86_400_000) };

async function signed(o: { at?: Date; teacher?: typeof shortLived } = {}): Promise<string> {
  const at = o.at ?? new Date();
  const signers: RecordSigner[] = [];
  for (const role of ['teacher', 'principal', 'seal'] as SignerRole[]) {
    if (role === 'teacher' && o.teacher) {
      signers.push({ role, key: o.teacher.key, certificates: [o.teacher.certificate], signingTime: at });
      continue;
    }
    const s = await w.signers.get(role, role === 'teacher' ? record.homeroomTeacher : role === 'principal' ? record.principal : record.school.name, record.school.schoolId);
    signers.push({ role, key: s.key, certificates: [s.certificate], signingTime: at });
  }
  return signRecordDocument(withRecordId(recordToXml(record), 'HB-1'), 'HB-1', signers);
}

const verdicts = (xml: string, store = trust, o: VerifyOptions = tomorrow) => {
  const v = verifySignedDocument(xml, store, o);
  return v.ok ? v.signatures : [];
};
const codes = (xml: string, store = trust, o: VerifyOptions = tomorrow) => {
  const v = verifySignedDocument(xml, store, o);
  return v.ok ? v.signatures.map((s) => s.code ?? 'valid') : [v.code];
};

const doc = await signed({ teacher: shortLived });
const teacherStamp = await tsa.stamp(signatureValueC14n(doc, 'sig-gvcn'));
const stampedDoc = withObject(doc, 'sig-gvcn', stampObject('sig-gvcn', teacherStamp));

t.test('a trusted time-stamp: the certificate is checked at the time stamped, not at receipt', async (t) => {
  // Without it, the certificate that expired overnight is checked at receipt.
  t.same(codes(doc), ['CERT_EXPIRED', 'valid', 'valid']);
  const [teacher] = verdicts(stampedDoc);
  t.equal(teacher!.code, undefined, teacher!.detail);
  t.equal(teacher!.valid, true);
  t.match(teacher!.timeStamp!.authority, /CN=Demo TSA/);
  const stampedAt = Date.parse(teacher!.timeStamp!.time);
  t.ok(stampedAt >= now - 120_000 && stampedAt <= Date.now() + 2_000, `stamped at ${teacher!.timeStamp!.time}`);
  // Received today, it verifies with or without the stamp.
  t.same(codes(stampedDoc, trust, {}), ['valid', 'valid', 'valid']);
});

t.test('no time-stamp authority configured: a token is refused, not ignored', async (t) => {
  t.same(codes(stampedDoc, noTsa), ['TIMESTAMP_UNSUPPORTED', 'valid', 'valid']);
  t.same(codes(stampedDoc, noTsa, {}), ['TIMESTAMP_UNSUPPORTED', 'valid', 'valid']);
});

t.test('a token that does not hold: TIMESTAMP_INVALID', async (t) => {
  // Made for another signature's value (the principal's).
  const other = await tsa.stamp(signatureValueC14n(doc, 'sig-hieutruong'));
  const [wrong] = verdicts(withObject(doc, 'sig-gvcn', stampObject('sig-gvcn', other)));
  t.equal(wrong!.code, 'TIMESTAMP_INVALID');
  t.match(wrong!.detail, /another signature value/);
  // Altered after the authority signed it: the last byte is the TSA's signature.
  const altered = Buffer.from(teacherStamp);
  altered[altered.length - 1]! ^= 0x01;
  t.match(verdicts(withObject(doc, 'sig-gvcn', stampObject('sig-gvcn', altered)))[0], { code: 'TIMESTAMP_INVALID', detail: /does not verify/ });
  // Its genTime changed: the TSTInfo no longer matches the digest the TSA signed.
  const at = teacherStamp.indexOf(Buffer.from(new Date(Date.parse(verdicts(stampedDoc)[0]!.timeStamp!.time)).getUTCFullYear().toString()));
  const moved = Buffer.from(teacherStamp);
  moved[at + 3]! ^= 0x01;
  t.match(verdicts(withObject(doc, 'sig-gvcn', stampObject('sig-gvcn', moved)))[0], { code: 'TIMESTAMP_INVALID', detail: /differs from what the TSA signed/ });
  // Not a token at all, and a truncated one.
  t.same(codes(withObject(doc, 'sig-gvcn', stampObject('sig-gvcn', 'MIIB'))), ['TIMESTAMP_INVALID', 'valid', 'valid']);
  t.same(codes(withObject(doc, 'sig-gvcn', stampObject('sig-gvcn', teacherStamp.subarray(0, 200)))), ['TIMESTAMP_INVALID', 'valid', 'valid']);
});

t.test('the stamp where XAdES puts it, once, with exc-c14n', async (t) => {
  // Directly in a ds:Object, outside QualifyingProperties.
  const loose = `<ds:Object><xades:SignatureTimeStamp xmlns:xades="http://uri.etsi.org/01903/v1.3.2#"><xades:EncapsulatedTimeStamp>${teacherStamp.toString('base64')}</xades:EncapsulatedTimeStamp></xades:SignatureTimeStamp></ds:Object>`;
  t.same(codes(withObject(doc, 'sig-gvcn', loose)), ['TIMESTAMP_INVALID', 'valid', 'valid']);
  // Qualifying another signature.
  t.same(codes(withObject(doc, 'sig-gvcn', stampObject('sig-seal', teacherStamp))), ['TIMESTAMP_INVALID', 'valid', 'valid']);
  // Twice.
  t.same(codes(withObject(stampedDoc, 'sig-gvcn', stampObject('sig-gvcn', teacherStamp))), ['TIMESTAMP_INVALID', 'valid', 'valid']);
  // A canonicalization with comments, or any other, is not taken.
  t.same(codes(withObject(doc, 'sig-gvcn', stampObject('sig-gvcn', teacherStamp, { method: 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments' }))), ['SIGNATURE_ALGORITHM_UNSUPPORTED', 'valid', 'valid']);
  // A bare TimeStampToken element in the signature.
  t.same(codes(withObject(doc, 'sig-gvcn', '<ds:Object><TimeStampToken>MIIB</TimeStampToken></ds:Object>')), ['TIMESTAMP_INVALID', 'valid', 'valid']);
});

t.test('inclusive c14n: named, or no CanonicalizationMethod (XAdES reads that as inclusive c14n 1.0)', async (t) => {
  const inclusive = await tsa.stamp(signatureValueInclusiveC14n(doc, 'sig-gvcn', RECORD_NAMESPACE));
  const named = verdicts(withObject(doc, 'sig-gvcn', stampObject('sig-gvcn', inclusive, { method: C14N_10_URI })))[0]!;
  t.equal(named.code, undefined, named.detail);
  t.match(named.timeStamp, { authority: /CN=Demo TSA/ });
  t.same(codes(withObject(doc, 'sig-gvcn', stampObject('sig-gvcn', inclusive, { method: null }))), ['valid', 'valid', 'valid']);
  // The imprint of one form under the other's name does not match.
  t.match(verdicts(withObject(doc, 'sig-gvcn', stampObject('sig-gvcn', teacherStamp, { method: null })))[0], { code: 'TIMESTAMP_INVALID', detail: /another signature value/ });
  t.match(verdicts(withObject(doc, 'sig-gvcn', stampObject('sig-gvcn', inclusive)))[0], { code: 'TIMESTAMP_INVALID', detail: /another signature value/ });
});

t.test('who stamped: a trusted authority with a time-stamping certificate', async (t) => {
  const unknown = await stranger.stamp(signatureValueC14n(doc, 'sig-gvcn'));
  const [v] = verdicts(withObject(doc, 'sig-gvcn', stampObject('sig-gvcn', unknown)));
  t.equal(v!.code, 'TIMESTAMP_UNTRUSTED');
  t.match(v!.detail, /does not chain to a trusted time-stamp authority/);
  // Under a trusted root, but not a TSA's certificate (openssl signs tokens with TSA certificates
  // only, so the trust decision is asked directly): a teacher's, and a CA's.
  const teachersRootTrusted = (await TrustStore.create({ anchors: [caPem], intermediates: [], crls: [], timeStampAnchors: [caPem] })).timeStamping!;
  const at = new Date();
  t.match(teachersRootTrusted.evaluateTimeStamper(shortLived.certificate, [], at, at), { ok: false, detail: /not a time-stamp authority's certificate/ });
  t.match(teachersRootTrusted.evaluateTimeStamper(w.intermediate.certificate, [], at, at), { ok: false, detail: /not a time-stamp authority's certificate/ });
  // Valid at the time stamped, and not revoked at receipt.
  t.match(teachersRootTrusted.evaluateTimeStamper(shortLived.certificate, [], new Date(now + 86_400_000), at), { ok: false, detail: /not at the time stamped/ });
  const withCrl = (await TrustStore.create({ anchors: [caPem], intermediates: [], crls: [w.crl], timeStampAnchors: [caPem] })).timeStamping!;
  t.match(withCrl.evaluateTimeStamper(w.revoked.certificate, [], at, at), { ok: false, detail: /was revoked/ });
  const tsaCert = Buffer.from(new X509Certificate(await readFile(join(w.dir, 'tsa', 'tsa.pem'))).raw);
  t.match(trust.timeStamping!.evaluateTimeStamper(tsaCert, [], at, at), { ok: true, authority: { subject: /CN=Demo TSA/ } });
});

t.test('a signing time after the stamp is a false claim', async (t) => {
  // The signers write a time an hour ahead; the stamp proves the signature existed now.
  const later = await signed({ at: new Date(now + 3_600_000) });
  const stamp = await tsa.stamp(signatureValueC14n(later, 'sig-gvcn'));
  const [v] = verdicts(withObject(later, 'sig-gvcn', stampObject('sig-gvcn', stamp)));
  t.equal(v!.code, 'SIGNING_TIME_INVALID');
  t.match(v!.detail, /after the time-stamp/);
  // The same document without the stamp is taken (the claim cannot be checked).
  t.same(codes(later), ['valid', 'valid', 'valid']);
});

t.test('CRLs of the signers\' CA and the TSAs\' each find their CA; one of neither is refused', async (t) => {
  await t.resolves(TrustStore.create({ anchors: [caPem], intermediates: [], crls: [w.crl], timeStampAnchors: [tsa.rootPem] }));
  const unknownCrl = (await import('../src/pki/signer-certificates.js')).issueCrl(w.unknownCa, []);
  await t.rejects(TrustStore.create({ anchors: [caPem], intermediates: [], crls: [await unknownCrl], timeStampAnchors: [tsa.rootPem] }), /not signed by a trusted CA/);
  // A configured authority file without a certificate is an error at start, not time-stamps off.
  await t.rejects(TrustStore.create({ anchors: [caPem], intermediates: [], crls: [], timeStampAnchors: ['not a certificate'] }), /tsa\.trustAnchors: the files hold no PEM certificate/);
});

t.test('hostile tokens: every byte of a token altered, and every length cut, is refused or changes nothing the stamp attests', async (t) => {
  const [good] = verdicts(stampedDoc);
  let refused = 0;
  let unchanged = 0;
  const tally = (token: Buffer, what: string) => {
    const [v] = verdicts(withObject(doc, 'sig-gvcn', stampObject('sig-gvcn', token)));
    if (v!.valid) {
      // Only what no signature covers (CMS versions, the SignedData's digest list, the SignerInfo's
      // identifier: the ESS attribute names the certificate) may change and the token still hold.
      if (v!.timeStamp?.time !== good!.timeStamp!.time || v!.timeStamp?.authority !== good!.timeStamp!.authority) t.fail(`${what}: a different attestation verified`);
      unchanged++;
    } else if (v!.code === 'TIMESTAMP_INVALID' || v!.code === 'TIMESTAMP_UNTRUSTED') refused++;
    else t.fail(`${what}: refused as ${v!.code}`);
  };
  for (let i = 0; i < teacherStamp.length; i++) {
    const flipped = Buffer.from(teacherStamp);
    flipped[i]! ^= 0xff;
    tally(flipped, `byte ${i} flipped`);
  }
  for (let n = 0; n < teacherStamp.length; n += 7) tally(teacherStamp.subarray(0, n), `cut at ${n}`);
  t.ok(refused > teacherStamp.length * 0.9, `${refused} refused, ${unchanged} unchanged, of ${teacherStamp.length} flips and ${Math.ceil(teacherStamp.length / 7)} cuts`);
});
