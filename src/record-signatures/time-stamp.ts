import { createHash, verify as cryptoVerify, X509Certificate } from 'node:crypto';

// RFC 3161 time-stamp tokens on a record's signatures (XAdES SignatureTimeStamp): a time-stamp
// authority (TSA) the province trusts attests that the signature value existed at its genTime,
// so the signer's certificate is checked at that time instead of at receipt (a record signed in
// May with a certificate that expired in June still counts when it arrives in July).
//
// The token is a CMS SignedData (RFC 5652) whose content is a TSTInfo. Checked here, in order:
// the structure; the message imprint (SHA-256/384/512 of what was stamped); the signed
// attributes (content type, the digest of the TSTInfo, and the ESS signing-certificate attribute
// naming the TSA's certificate, RFC 3161 §2.4.2 / RFC 5816); the TSA's signature over them with
// the certificate the token carries. Whether that certificate is a trusted TSA's is the trust
// store's (trust-store.ts evaluateTimeStamper). ASN.1 is read with the @peculiar/asn1-* schemas
// that @peculiar/x509 already brings; the raw DER of the signed attributes and certificates (what
// signatures cover) is taken from the token itself, never re-encoded.

export type TimeStampCode = 'TIMESTAMP_INVALID' | 'TIMESTAMP_UNTRUSTED';

export class TimeStampRefused extends Error {
  constructor(
    readonly code: TimeStampCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ReadToken {
  genTime: Date;
  /** The TSA's certificate (DER), then the other certificates the token carries. */
  signer: Buffer;
  others: Buffer[];
}

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
} as const;

/** Digest algorithms a token may use (SHA-1 is refused: RFC 5816 moved TSAs off it). */
const DIGESTS: Record<string, string> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
/** Signature algorithms: RSA PKCS#1 v1.5 (rsaEncryption or with its hash named) and ECDSA. */
const SIGNATURES = new Set([
  '1.2.840.113549.1.1.1',
  '1.2.840.113549.1.1.11',
  '1.2.840.113549.1.1.12',
  '1.2.840.113549.1.1.13',
  '1.2.840.10045.4.3.2',
  '1.2.840.10045.4.3.3',
  '1.2.840.10045.4.3.4',
]);

/** A DER element: its tag, the whole encoding and its content. */
interface Tlv {
  tag: number;
  raw: Buffer;
  content: Buffer;
}

const bad = (message: string) => new TimeStampRefused('TIMESTAMP_INVALID', message);

/** The elements of `data`, one after another (definite lengths only, as DER has). */
function elements(data: Buffer): Tlv[] {
  const out: Tlv[] = [];
  let i = 0;
  while (i < data.length) {
    const start = i;
    const tag = data[i++]!;
    if ((tag & 0x1f) === 0x1f) throw bad('the token uses a high tag number, which DER time-stamp tokens do not');
    let len = data[i++];
    if (len === undefined) throw bad('the token ends inside an element');
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 4) throw bad('the token uses an indefinite or oversized length');
      len = 0;
      for (let k = 0; k < n; k++) len = len * 256 + (data[i++] ?? NaN);
    }
    if (!Number.isFinite(len) || i + len > data.length) throw bad('the token ends inside an element');
    out.push({ tag, raw: data.subarray(start, i + len), content: data.subarray(i, i + len) });
    i += len;
  }
  return out;
}

function one(data: Buffer, tag: number, what: string): Tlv {
  const [e, ...rest] = elements(data);
  if (!e || e.tag !== tag || rest.length) throw bad(`${what} is not where RFC 3161 puts it`);
  return e;
}

function oidOf(t: Tlv | undefined): string {
  if (!t || t.tag !== 0x06 || t.content.length === 0) throw bad('an object identifier is missing');
  const c = t.content;
  const parts: number[] = [];
  let v = 0;
  for (const b of c) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

const algorithmOf = (t: Tlv | undefined) => (t?.tag === 0x30 ? oidOf(elements(t.content)[0]) : oidOf(undefined));

function digestName(oid: string, what: string): string {
  const name = DIGESTS[oid];
  if (!name) throw bad(`${what} uses the digest ${oid}; SHA-256, SHA-384 or SHA-512 are accepted`);
  return name;
}

/** Signed attributes by type: each must appear once with one value (RFC 5652 §11). */
function attributesOf(content: Buffer): Map<string, Tlv> {
  const out = new Map<string, Tlv>();
  for (const a of elements(content)) {
    if (a.tag !== 0x30) throw bad('a signed attribute is not a SEQUENCE');
    const [type, values] = elements(a.content);
    const oid = oidOf(type);
    if (!values || values.tag !== 0x31) throw bad(`signed attribute ${oid} has no values`);
    const vs = elements(values.content);
    if (vs.length !== 1 || out.has(oid)) throw bad(`signed attribute ${oid} must appear once, with one value`);
    out.set(oid, vs[0]!);
  }
  return out;
}

/** GeneralizedTime as DER writes it (RFC 3161: UTC, "Z", fractions without trailing zeros). */
function generalizedTime(t: Tlv | undefined): Date {
  if (!t || t.tag !== 0x18) throw bad('the token has no genTime');
  const m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\.\d+)?Z$/.exec(t.content.toString('latin1'));
  if (!m) throw bad(`genTime ${JSON.stringify(t.content.toString('latin1'))} is not a UTC GeneralizedTime`);
  const ms = m[7] ? Math.floor(Number(m[7]) * 1000) : 0;
  const at = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, ms));
  if (Number.isNaN(at.getTime())) throw bad('genTime is not a date');
  return at;
}

const SUBJECT_KEY_IDENTIFIER = '2.5.29.14';

/** Whether a SignerInfo's sid (issuerAndSerialNumber, or [0] subjectKeyIdentifier) is `cert`'s. */
function sidNames(sid: Tlv, cert: Buffer): boolean {
  const tbs = elements(elements(cert)[0]?.content ?? Buffer.alloc(0))[0];
  if (!tbs || tbs.tag !== 0x30) return false;
  const fields = elements(tbs.content);
  const rest = fields[0]?.tag === 0xa0 ? fields.slice(1) : fields; // [0] version, when present
  const [serial, , issuer] = rest;
  if (sid.tag === 0x30) {
    const [sidIssuer, sidSerial] = elements(sid.content);
    return !!serial && !!issuer && !!sidIssuer && !!sidSerial && sidIssuer.raw.equals(issuer.raw) && sidSerial.raw.equals(serial.raw);
  }
  if (sid.tag !== 0x80) return false;
  const extensions = rest.find((f) => f.tag === 0xa3);
  for (const ext of extensions ? elements(one(extensions.content, 0x30, 'the certificate\'s extensions').content) : []) {
    const [id, ...more] = elements(ext.content);
    if (oidOf(id) !== SUBJECT_KEY_IDENTIFIER) continue;
    const value = more.at(-1);
    return !!value && value.tag === 0x04 && one(value.content, 0x04, 'the subject key identifier').content.equals(sid.content);
  }
  return false;
}

/**
 * Reads a TimeStampToken (DER) and checks it stamps `imprintInput` and was signed by the
 * certificate it names; who that certificate belongs to is left to the trust store.
 */
export function readTimeStampToken(der: Buffer, imprintInput: Buffer): ReadToken {
  const contentInfo = elements(one(der, 0x30, 'the token').content);
  if (oidOf(contentInfo[0]) !== OID.signedData) throw bad('the token is not CMS SignedData');
  const explicit = contentInfo[1];
  if (!explicit || explicit.tag !== 0xa0) throw bad('the token carries no SignedData');
  const signedData = elements(one(explicit.content, 0x30, 'SignedData').content);
  const [, , encap, ...rest] = signedData;
  if (!encap || encap.tag !== 0x30) throw bad('the token has no encapsulated content');
  const [eType, eExplicit] = elements(encap.content);
  if (oidOf(eType) !== OID.tstInfo) throw bad('the token\'s content is not a TSTInfo');
  if (!eExplicit || eExplicit.tag !== 0xa0) throw bad('the token\'s TSTInfo is detached');
  const tstInfoDer = one(eExplicit.content, 0x04, 'the TSTInfo').content;
  const certificates = rest.find((e) => e.tag === 0xa0);
  const signerInfos = rest.at(-1);
  if (!signerInfos || signerInfos.tag !== 0x31) throw bad('the token has no SignerInfos');
  const infos = elements(signerInfos.content);
  if (infos.length !== 1 || infos[0]!.tag !== 0x30) throw bad(`a time-stamp token has exactly one signer (has ${infos.length})`);

  // TSTInfo: version, policy, messageImprint, serialNumber, genTime, ...
  const tst = elements(one(tstInfoDer, 0x30, 'TSTInfo').content);
  const [version, policy, imprint, serial, genTimeTlv] = tst;
  oidOf(policy); // present and an OID: TSTInfo's policy is not optional
  if (!version || version.tag !== 0x02 || version.content.length !== 1 || version.content[0] !== 1) throw bad('TSTInfo version must be 1');
  if (!imprint || imprint.tag !== 0x30 || !serial || serial.tag !== 0x02) throw bad('TSTInfo lacks its message imprint or serial number');
  const [imprintAlg, hashed] = elements(imprint.content);
  const imprintDigest = digestName(algorithmOf(imprintAlg), 'the message imprint');
  if (!hashed || hashed.tag !== 0x04) throw bad('the message imprint has no hash');
  if (!hashed.content.equals(createHash(imprintDigest).update(imprintInput).digest())) {
    throw bad('the time-stamp was made for another signature value (its message imprint does not match this one)');
  }
  const genTime = generalizedTime(genTimeTlv);

  // SignerInfo: version, sid, digestAlgorithm, [0] signedAttrs, signatureAlgorithm, signature
  const [siVersion, sid, siDigest, signedAttrs, sigAlg, signature] = elements(infos[0]!.content);
  if (!siVersion || siVersion.tag !== 0x02 || !sid) throw bad('the SignerInfo is incomplete');
  const digest = digestName(algorithmOf(siDigest), 'the TSA\'s signature');
  if (!signedAttrs || signedAttrs.tag !== 0xa0) throw bad('the token\'s signer has no signed attributes');
  const sigOid = algorithmOf(sigAlg);
  if (!SIGNATURES.has(sigOid)) throw bad(`the TSA signed with ${sigOid}; RSA (PKCS #1 v1.5) or ECDSA are accepted`);
  if (!signature || signature.tag !== 0x04) throw bad('the SignerInfo has no signature');
  const attrs = attributesOf(signedAttrs.content);
  if (oidOf(attrs.get(OID.contentType)) !== OID.tstInfo) throw bad('the signed content type is not TSTInfo');
  const md = attrs.get(OID.messageDigest);
  if (!md || md.tag !== 0x04 || !md.content.equals(createHash(digest).update(tstInfoDer).digest())) throw bad('the TSTInfo differs from what the TSA signed');

  // The TSA's certificate: the one the ESS signing-certificate attribute names by its hash.
  const certs = certificates ? elements(certificates.content).filter((c) => c.tag === 0x30).map((c) => Buffer.from(c.raw)) : [];
  const ess = attrs.get(OID.signingCertificateV2) ?? attrs.get(OID.signingCertificate);
  if (!ess) throw bad('the token lacks the signing-certificate attribute that names the TSA\'s certificate (RFC 3161 §2.4.2)');
  const essIds = elements(one(ess.raw, 0x30, 'the signing-certificate attribute').content)[0];
  const firstId = essIds && essIds.tag === 0x30 ? elements(essIds.content)[0] : undefined;
  if (!firstId || firstId.tag !== 0x30) throw bad('the signing-certificate attribute names no certificate');
  const idParts = elements(firstId.content);
  const v2 = attrs.has(OID.signingCertificateV2);
  const [certHashAlg, certHash] = v2 && idParts[0]?.tag === 0x30 ? [DIGESTS[algorithmOf(idParts[0])], idParts[1]] : [v2 ? 'sha256' : 'sha1', idParts[0]];
  if (!certHashAlg || !certHash || certHash.tag !== 0x04) throw bad('the signing-certificate attribute\'s hash cannot be read');
  const signer = certs.find((c) => createHash(certHashAlg).update(c).digest().equals(certHash.content));
  if (!signer) throw bad('the token does not carry the certificate its signer names; ask the TSA to include it (certReq)');
  if (!sidNames(sid, signer)) throw bad('the SignerInfo identifies another certificate than its signing-certificate attribute names');

  // The TSA's signature over the DER of the signed attributes as a SET OF (RFC 5652 §5.4).
  const signedBytes = Buffer.from(signedAttrs.raw);
  signedBytes[0] = 0x31;
  let key;
  try {
    key = new X509Certificate(signer).publicKey;
  } catch {
    throw bad('the TSA\'s certificate cannot be read');
  }
  let ok = false;
  try {
    ok = cryptoVerify(digest, signedBytes, key, signature.content);
  } catch {
    ok = false;
  }
  if (!ok) throw bad('the TSA\'s signature over the token does not verify');
  return { genTime, signer, others: certs.filter((c) => c !== signer) };
}
