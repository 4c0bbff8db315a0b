import { createPrivateKey, sign as rsaSign, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import t from 'tap';
import { ExclusiveCanonicalization } from 'xml-crypto';
import type { CanonicalRecord } from '../src/canonical/record.js';
import { recordKeyOf } from '../src/canonical/record.js';
import { contentHashOf, recordToXml, sha256Hex } from '../src/canonical/xml.js';
import { buildPacket, type PacketRecord } from '../src/packet/build.js';
import { ensureDemoPki } from '../src/pki/demo.js';
import { sampleRecords } from '../src/record-signatures/demo-documents.js';
import { withRecordId } from '../src/record-signatures/sign-record.js';
import { excC14n } from '../src/signing/exc-c14n.js';
import { FileKeySigner } from '../src/signing/file-key/file-key-signer.js';
import { DSIG_NS } from '../src/signing/signature-format.js';
import { signEnveloped, verifyEnveloped, verifyEnvelopedFast, type EnvelopedRefusal } from '../src/signing/xmldsig.js';
import { checkPacket, contentHashOfElement, loadRecordValidator, PacketRefused } from '../src/simulator/packet-check.js';
import { SimulatorState } from '../src/simulator/state.js';
import { xmlsecSkip, xmlsecVerify } from './helpers/xmlsec.js';

// The simulator's fast packet verifier (src/signing/enveloped-verifier.ts) against the two
// independent ones: xml-crypto (xmldsig.ts verifyEnveloped) and xmlsec1. Packets come from the
// gateway's real signer (FileKeySigner, the canonical writer) and from xml-crypto's signer.

const root = await mkdtemp(join(tmpdir(), 'hocba-packet-verifier-'));
t.teardown(() => rm(root, { recursive: true, force: true }));

const pki = await ensureDemoPki(join(root, 'pki'));
const other = await ensureDemoPki(join(root, 'other-pki'), { provinceCode: '79', provinceName: 'Sở GD&ĐT demo (province 79)' });
const trusted = await readFile(pki.provinceCert, 'utf8');
const provinceKey = createPrivateKey(await readFile(pki.provinceKey));
const signer = new FileKeySigner({ keyPath: pki.provinceKey, certPath: pki.provinceCert });
const otherSigner = new FileKeySigner({ keyPath: other.provinceKey, certPath: other.provinceCert });

const entry = (xml: string, recordKey: string): PacketRecord => ({ recordKey, contentHash: contentHashOf(xml), xml });
const entryOf = (r: CanonicalRecord): PacketRecord => entry(recordToXml(r), recordKeyOf(r));

let packetCounter = 0;
function packetOf(records: PacketRecord[]): string {
  packetCounter += 1;
  return buildPacket({ packetId: `PKT-VERIFY-${packetCounter}`, provinceCode: '01', createdAt: '2025-06-01T08:00:00.000Z', records });
}

const records = sampleRecords(6, 11);
const unsigned = packetOf(records.map(entryOf));
const signed = await signer.sign(unsigned);

/** The SignatureValue recomputed over SignedInfo as it now stands: what a holder of the key could make. */
function resign(xml: string): string {
  const doc = new DOMParser().parseFromString(xml, 'text/xml') as unknown as Document;
  const signedInfo = doc.getElementsByTagNameNS(DSIG_NS, 'SignedInfo')[0] as Element;
  const value = rsaSign('sha256', Buffer.from(excC14n(signedInfo), 'utf8'), provinceKey).toString('base64');
  return xml.replace(/<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/, `<ds:SignatureValue>${value}</ds:SignatureValue>`);
}

function changed(xml: string, from: string | RegExp, to: string): string {
  const out = xml.replace(from, to);
  if (out === xml) throw new Error(`tamper did not apply: ${String(from)}`);
  return out;
}

const signatureElement = signed.slice(signed.indexOf('<ds:Signature'), signed.indexOf('</packet>'));

t.test('packets signed by the gateway verify, and agree with xml-crypto and xmlsec1', async (t) => {
  const many = await signer.sign(packetOf(sampleRecords(200, 3).map(entryOf)));
  // A record that arrived signed travels as its <hocba Id="…"> element (signed-record.md).
  const withIds = await signer.sign(packetOf(records.slice(0, 3).map((r, i) => entry(withRecordId(recordToXml(r), `HB-${i}`), recordKeyOf(r)))));
  const byXmlCrypto = signEnveloped(unsigned, { privateKeyPem: await readFile(pki.provinceKey, 'utf8'), certificatePem: trusted });
  const withoutKeyInfo = changed(signed, /<ds:KeyInfo>.*<\/ds:KeyInfo>/, '');
  const cases: [string, string][] = [
    ['6 records, the gateway signer', signed],
    ['200 records, the gateway signer', many],
    ['signed records (hocba with Id), the gateway signer', withIds],
    ['xml-crypto signer (its own serialisation)', byXmlCrypto],
    ['no KeyInfo (optional: the Ministry uses its own copy of the certificate)', withoutKeyInfo],
  ];
  for (const [name, xml] of cases) {
    const fast = verifyEnvelopedFast(xml, trusted);
    const reference = verifyEnveloped(xml, trusted);
    t.ok(fast.valid, `${name}: fast verifier ${JSON.stringify(fast.valid ? '' : fast)}`);
    t.ok(reference.valid, `${name}: xml-crypto`);
    if (!fast.valid || !reference.valid) continue;
    t.equal(fast.signedXml, reference.signedXml, `${name}: the same signed bytes as xml-crypto`);
    t.equal(fast.signingTime.getTime(), reference.signingTime.getTime(), `${name}: the same signing time`);
    t.equal(excC14n(fast.signedRoot), fast.signedXml, `${name}: signedRoot is what was digested`);
    t.equal(fast.signedRoot.getElementsByTagNameNS(DSIG_NS, 'Signature').length, 0, `${name}: signedRoot holds no signature`);
    if (xmlsecSkip === false && name !== cases[4][0]) t.ok((await xmlsecVerify(xml, pki.caCert)).ok, `${name}: xmlsec1`);
  }
  if (xmlsecSkip === false) t.notOk((await xmlsecVerify(signed, other.caCert)).ok, 'xmlsec1 trusting another CA refuses');
});

t.test('a Document parsed by the caller is verified in place: the Signature is detached from it', async (t) => {
  const doc = new DOMParser().parseFromString(signed, 'text/xml') as unknown as Document;
  const outcome = verifyEnvelopedFast(doc, trusted);
  t.ok(outcome.valid);
  if (outcome.valid) t.equal(outcome.signedRoot, doc.documentElement, 'the root of that document');
  t.equal(doc.getElementsByTagNameNS(DSIG_NS, 'Signature').length, 0);
});

t.test('against another certificate: refused, and the KeyInfo mismatch named', async (t) => {
  t.match(verifyEnvelopedFast(signed, await readFile(other.provinceCert, 'utf8')), { valid: false, code: 'SIGNATURE_INVALID', refusal: 'CERTIFICATE_MISMATCH' });
  t.match(verifyEnveloped(signed, await readFile(other.provinceCert, 'utf8')), { valid: false });
  // Without KeyInfo the same key mismatch shows as a signature value that does not verify.
  const withoutKeyInfo = changed(signed, /<ds:KeyInfo>.*<\/ds:KeyInfo>/, '');
  t.match(verifyEnvelopedFast(withoutKeyInfo, await readFile(other.provinceCert, 'utf8')), { valid: false, refusal: 'SIGNATURE_VALUE' });
});

interface Tamper {
  name: string;
  xml: string;
  refusal: EnvelopedRefusal;
  /** Whether xml-crypto (xmldsig.ts verifyEnveloped) and xmlsec1 refuse it too; where they accept, the comment says why. */
  others: { xmlCrypto: boolean; xmlsec: boolean };
}

const otherSigned = await otherSigner.sign(unsigned);
const provinceCertB64 = new X509Certificate(trusted).raw.toString('base64');
const recordStart = signed.indexOf('<record contentHash=');
const recordEnd = signed.indexOf('</record>', recordStart) + '</record>'.length;
const oneRecord = signed.slice(recordStart, recordEnd);
const nameAt = signed.indexOf('<fullName>') + '<fullName>'.length;
const flipped = signed[nameAt] === 'X' ? 'Y' : 'X';
const propsReference = /<ds:Reference Type=[^]*?<\/ds:Reference>/.exec(signed)![0];

const both = { xmlCrypto: true, xmlsec: true };
// xmlsec1 checks the cryptography, not the profile: the enveloped-signature transform takes the
// Signature out wherever it sits, and what the Object holds beyond the referenced properties is
// not covered by either reference. xml-crypto's path refuses these by its own shape checks.
const profileOnly = { xmlCrypto: true, xmlsec: false };
const neither = { xmlCrypto: false, xmlsec: false };

const tampers: Tamper[] = [
  // What the brief lists.
  { name: 'one character of a record changed', xml: signed.slice(0, nameAt) + flipped + signed.slice(nameAt + 1), refusal: 'DOCUMENT_DIGEST', others: both },
  { name: 'signed by another key, its certificate in KeyInfo', xml: otherSigned, refusal: 'CERTIFICATE_MISMATCH', others: both },
  {
    name: 'signed by another key, the province certificate put in KeyInfo',
    xml: changed(otherSigned, /<ds:X509Certificate>[^<]*</, `<ds:X509Certificate>${provinceCertB64}<`),
    refusal: 'SIGNATURE_VALUE',
    others: both,
  },
  {
    name: 'wrapping: the signed packet moved under a forged root',
    xml: changed(unsigned.replace(records[0].student.fullName, 'Someone Else'), '</packet>', `<header>${signed}</header></packet>`),
    refusal: 'SIGNATURE_NOT_CHILD_OF_ROOT',
    others: both,
  },
  {
    name: 'wrapping: the signature moved into <header>',
    xml: changed(signed.replace(signatureElement, ''), '</header>', `${signatureElement}</header>`),
    refusal: 'SIGNATURE_NOT_CHILD_OF_ROOT',
    others: profileOnly,
  },
  {
    name: 'wrapping: a record moved out of <records>',
    xml: signed.slice(0, recordStart) + signed.slice(recordEnd).replace('</records>', `</records>${oneRecord}`),
    refusal: 'DOCUMENT_DIGEST',
    others: both,
  },
  { name: 'wrapping: a signed record duplicated', xml: changed(signed, '</records>', `${oneRecord}</records>`), refusal: 'DOCUMENT_DIGEST', others: both },
  { name: 'a second Signature beside the first', xml: changed(signed, '</packet>', `${signatureElement}</packet>`), refusal: 'SECOND_SIGNATURE', others: both },
  {
    name: 'a second Signature inside the first one\'s Object (outside the URI="" digest)',
    xml: changed(signed, '</ds:SignatureProperties></ds:Object>', `</ds:SignatureProperties>${signatureElement}</ds:Object>`),
    refusal: 'SECOND_SIGNATURE',
    others: profileOnly,
  },
  { name: 'Reference URI other than ""', xml: changed(signed, '<ds:Reference URI="">', '<ds:Reference URI="#xpointer(/)">'), refusal: 'REFERENCE_URI', others: both },
  { name: 'an extra Reference', xml: changed(signed, '</ds:SignedInfo>', `${propsReference}</ds:SignedInfo>`), refusal: 'REFERENCE_COUNT', others: both },
  {
    name: 'an extra transform (XPath filter) on the URI="" reference',
    xml: changed(
      signed,
      '</ds:Transform></ds:Transforms>',
      '</ds:Transform><ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath>not(ancestor-or-self::*[local-name()=\'record\'])</ds:XPath></ds:Transform></ds:Transforms>',
    ),
    refusal: 'TRANSFORMS',
    others: both,
  },
  {
    name: 'a different c14n method for SignedInfo (inclusive c14n)',
    xml: changed(signed, '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#">', '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315">'),
    refusal: 'C14N_METHOD',
    others: both,
  },
  { name: 'no signature', xml: unsigned, refusal: 'NO_SIGNATURE', others: both },
  // More of the same family.
  { name: 'the signing time changed', xml: changed(signed, /<ds:SigningTime>\d{4}/, '<ds:SigningTime>2019'), refusal: 'PROPERTIES_DIGEST', others: both },
  {
    name: 'SignatureMethod rsa-sha1',
    xml: changed(signed, 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'http://www.w3.org/2000/09/xmldsig#rsa-sha1'),
    refusal: 'SIGNATURE_METHOD',
    others: both,
  },
  { name: 'DigestMethod sha1', xml: changed(signed, 'http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2000/09/xmldsig#sha1'), refusal: 'DIGEST_METHOD', others: both },
  {
    name: 'InclusiveNamespaces on the exc-c14n transform',
    xml: changed(
      signed,
      '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"></ds:Transform></ds:Transforms><ds:DigestMethod',
      '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"><ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="#default"></ec:InclusiveNamespaces></ds:Transform></ds:Transforms><ds:DigestMethod',
    ),
    refusal: 'TRANSFORMS',
    others: both,
  },
  {
    name: 'the properties Id on a second element too',
    xml: changed(signed, '</ds:SignatureProperties></ds:Object>', '</ds:SignatureProperties><ds:SignatureProperties Id="pkt-sig-props"></ds:SignatureProperties></ds:Object>'),
    refusal: 'DUPLICATE_ID',
    others: profileOnly,
  },
  {
    name: 'the properties reference pointed at an element outside the signature',
    xml: changed(signed, '<header>', '<header Id="elsewhere">').replaceAll('#pkt-sig-props', '#elsewhere'),
    refusal: 'PROPERTIES_REFERENCE',
    others: both,
  },
  { name: 'a processing instruction in a record', xml: changed(signed, '<fullName>', '<fullName><?hide?>'), refusal: 'PROCESSING_INSTRUCTION', others: both },
  { name: 'not well-formed', xml: signed.slice(0, -3), refusal: 'NOT_WELL_FORMED', others: both },
  // Stricter than xml-crypto: c14n without comments drops a comment, so a comment slipped into a
  // record after signing still verifies there (and text split by it is the SAML-comment trick);
  // a DOCTYPE could define entities and default attributes; xml-crypto ignores KeyInfo.
  { name: 'a comment inside a record', xml: changed(signed, '<fullName>', '<fullName><!-- x -->'), refusal: 'COMMENT', others: neither },
  { name: 'a DOCTYPE', xml: `<!DOCTYPE packet>${signed}`, refusal: 'DOCTYPE', others: neither },
  {
    name: 'the genuine signature with another certificate in KeyInfo',
    xml: changed(signed, /<ds:X509Certificate>[^<]*</, `<ds:X509Certificate>${new X509Certificate(await readFile(other.provinceCert)).raw.toString('base64')}<`),
    refusal: 'CERTIFICATE_MISMATCH',
    others: neither,
  },
];

t.test('each tampering is refused with its own reason, and xml-crypto and xmlsec1 refuse it too', async (t) => {
  for (const c of tampers) {
    t.not(c.xml, signed, `${c.name}: the document differs`);
    t.match(verifyEnvelopedFast(c.xml, trusted), { valid: false, refusal: c.refusal, reason: String }, c.name);
    if (c.others.xmlCrypto) t.match(verifyEnveloped(c.xml, trusted), { valid: false }, `${c.name}: xml-crypto refuses`);
    if (c.others.xmlsec && xmlsecSkip === false) t.notOk((await xmlsecVerify(c.xml, pki.caCert)).ok, `${c.name}: xmlsec1 refuses`);
  }
  t.match(verifyEnvelopedFast(unsigned, trusted), { code: 'SIGNATURE_MISSING' }, 'a missing signature keeps its code');
});

t.test('shape refusals do not rest on the signature value: re-signed by the key holder, still refused', async (t) => {
  for (const name of ['Reference URI other than ""', 'an extra Reference', 'an extra transform (XPath filter) on the URI="" reference', 'a different c14n method for SignedInfo (inclusive c14n)', 'SignatureMethod rsa-sha1', 'DigestMethod sha1', 'InclusiveNamespaces on the exc-c14n transform']) {
    const c = tampers.find((x) => x.name === name)!;
    t.match(verifyEnvelopedFast(resign(c.xml), trusted), { valid: false, refusal: c.refusal }, `${name}, re-signed`);
  }
  // The helper itself is honest: re-signing an unchanged SignedInfo gives a valid packet.
  t.ok(verifyEnvelopedFast(resign(signed), trusted).valid, 're-signing an untouched packet verifies');
});

t.test('the simulator refuses a tampered packet as a whole', async (t) => {
  const ctx = { provinceCertPem: trusted, state: new SimulatorState() };
  for (const c of tampers.filter((x) => x.refusal !== 'NOT_WELL_FORMED')) {
    const err = (() => {
      try {
        checkPacket(c.xml, ctx);
        return null;
      } catch (e) {
        return e;
      }
    })();
    t.ok(err instanceof PacketRefused, c.name);
    t.match(err, { status: 400, code: c.refusal === 'NO_SIGNATURE' ? 'SIGNATURE_MISSING' : 'SIGNATURE_INVALID' }, c.name);
  }
  t.equal(ctx.state.records.size, 0, 'nothing accepted');
});

/** A small seeded generator, so that a failure names a reproducible case. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

// Characters where c14n implementations and parsers differ: markup, whitespace that attribute
// and line-end normalisation touch, NEL and LINE SEPARATOR (xmldom's default folds them),
// combining marks, astral characters, `]]>`.
const AWKWARD = ['&', '<', '>', '"', "'", '\t', '\n', '\r', '\r\n', ' ', ']]>', '\u0085', '\u2028', '\u2029', 'ạ', 'ệ', 'Đ', 'a\u0301', '😀', '\uFFFD', '\u00A0', 'x'];

function awkwardText(next: () => number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += AWKWARD[Math.floor(next() * AWKWARD.length)];
  return s;
}

t.test('property: for random records the simulator\'s content hash is the gateway\'s contentHashOf', async (t) => {
  const next = random(20250601);
  const base = sampleRecords(300, 5);
  const entries = base.map((r, i) => {
    const copy = structuredClone(r) as CanonicalRecord & Record<string, any>;
    if (i % 2 === 0) copy.student.fullName = awkwardText(next, 1 + Math.floor(next() * 12));
    if (i % 3 === 0) copy.className = awkwardText(next, 1 + Math.floor(next() * 6));
    const xml = recordToXml(copy);
    return entry(i % 10 === 0 ? withRecordId(xml, `HB-${i}`) : xml, recordKeyOf(r));
  });
  const packet = await signer.sign(packetOf(entries));
  const outcome = verifyEnvelopedFast(packet, trusted);
  t.ok(outcome.valid, `the packet verifies: ${JSON.stringify(outcome.valid ? '' : outcome)}`);
  if (!outcome.valid) return;
  const hocbas = Array.from(outcome.signedRoot.getElementsByTagNameNS('*', 'hocba'));
  t.equal(hocbas.length, entries.length);
  const differing: string[] = [];
  const differingFromXmlCrypto: number[] = [];
  for (let i = 0; i < entries.length; i++) {
    const hash = contentHashOfElement(hocbas[i]);
    if (hash !== entries[i].contentHash) differing.push(`record ${i}: ${JSON.stringify(entries[i].xml.slice(0, 300))}`);
    if (hash !== sha256Hex(new ExclusiveCanonicalization().process(hocbas[i] as never, {}))) differingFromXmlCrypto.push(i);
  }
  t.same(differing.slice(0, 3), [], `every hash equals contentHashOf (${differing.length} differ)`);
  t.same(differingFromXmlCrypto, [], 'and xml-crypto\'s c14n of the same element');

  // End to end: no record of the packet is HASH_MISMATCH (the check the hash feeds).
  const receipt = checkPacket(packet, { provinceCertPem: trusted, state: new SimulatorState(), validateRecord: loadRecordValidator() });
  t.equal(receipt.results.length, entries.length);
  t.equal(receipt.results.filter((r) => r.status === 'rejected' && r.code === 'HASH_MISMATCH').length, 0, 'no HASH_MISMATCH');
  t.ok(receipt.results.some((r) => r.status === 'accepted'), 'the untouched records are accepted');
});

t.test('a declared hash off by one character is still HASH_MISMATCH', async (t) => {
  const [good, second] = records.slice(0, 2).map(entryOf);
  const bad = { ...second, contentHash: second.contentHash.slice(0, -1) + (second.contentHash.endsWith('0') ? '1' : '0') };
  const receipt = checkPacket(await signer.sign(packetOf([good, bad])), { provinceCertPem: trusted, state: new SimulatorState(), validateRecord: loadRecordValidator() });
  t.match(receipt.results, [{ status: 'accepted' }, { status: 'rejected', code: 'HASH_MISMATCH' }]);
});
