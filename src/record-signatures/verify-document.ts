import { createHash, verify as rsaVerify } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import './xmldom-regexp-cache.js';
import { recordFromXml, RecordXmlError } from '../canonical/from-xml.js';
import { RECORD_NAMESPACE } from '../canonical/record.js';
import { C14nUnsupported, excC14n } from '../signing/exc-c14n.js';
import { inclusiveC14nOfLeaf } from '../signing/inclusive-c14n.js';
import { DEFAULT_XML_LIMITS, prescanXml, type XmlLimits } from '../signing/xml-prescan.js';
import { C14N_10, DSIG_NS, EXC_C14N, RSA_SHA256, SHA256, XADES_NS, parseSigningTime } from '../signing/signature-format.js';
import { RECORD_ID_PATTERN, ROLE_OF_SIGNATURE_ID, SIGNED_NAMESPACE, SIGNED_ROOT, type SignerRole } from './format.js';
import { DEFAULT_ROLE_RULES, type RoleRules } from './policy.js';
import { profileAttributeFault } from './profile-attributes.js';
import { readTimeStampToken, TimeStampRefused, type TimeStampCode } from './time-stamp.js';
import type { CertCode, CertificateProfile, CertificateView, TrustStore } from './trust-store.js';

// Verifies every signature of a signed học bạ document (format.ts) and says, per signature,
// who signed, when, over what, and whether it holds. Only what a signature's references cover
// counts as signed: the record element is located once, by structure, and each signature must
// reference exactly that element (not a copy, not a part of it) plus its own signing time.
// Everything is read from one DOM; c14n is the gateway's own (exc-c14n.ts), checked against
// xml-crypto and xmlsec1 in the tests.

export type SignatureCode =
  | 'SIGNED_RECORD_MALFORMED'
  | 'DOCUMENT_TOO_LARGE'
  | 'DOCUMENT_LIMIT_EXCEEDED'
  | 'SIGNATURE_ROLE_UNKNOWN'
  | 'SIGNATURE_ALGORITHM_UNSUPPORTED'
  | 'SIGNATURE_WRAPPING'
  | 'SIGNATURE_PARTIAL'
  | 'SIGNATURE_DIGEST_MISMATCH'
  | 'SIGNATURE_VALUE_INVALID'
  | 'SIGNING_TIME_INVALID'
  | 'SIGNER_NAME_MISMATCH'
  | 'SIGNER_ROLE_MISMATCH'
  | 'SEAL_NOT_OWN_SCHOOL'
  | 'PROVINCE_KEY_ON_RECORD'
  | 'DEPUTY_NOT_ALLOWED'
  | 'TIMESTAMP_UNSUPPORTED'
  | TimeStampCode
  | CertCode;

export interface SignatureReport {
  id: string | null;
  role: SignerRole | null;
  valid: boolean;
  code?: SignatureCode;
  detail?: string;
  signingTime?: string;
  /** A verified RFC 3161 time-stamp: when a trusted authority saw the signature, and who it is. */
  timeStamp?: { time: string; authority: string };
  signer?: CertificateView;
  chain?: CertificateView[];
  note?: string;
}

export type DocumentVerdict =
  | {
      ok: true;
      recordId: string;
      /** The record element in exclusive canonical form: what the signatures digest, what is stored and sent. */
      recordXml: string;
      record: unknown;
      signatures: SignatureReport[];
    }
  | { ok: false; code: DocumentCode; detail: string; signatures: SignatureReport[]; /** The attribute or element at fault, when there is one. */ path?: string };

/** Why a whole document is refused, before any signature is looked at. */
export type DocumentCode = 'SIGNED_RECORD_MALFORMED' | 'SIGNATURE_WRAPPING' | 'DOCUMENT_TOO_LARGE' | 'DOCUMENT_LIMIT_EXCEEDED';

export interface VerifyOptions {
  now?: Date;
  maxClockSkewMs?: number;
  matchSignerNames?: boolean;
  /** What each role's certificate must be (policy.ts); the defaults when absent. */
  roles?: RoleRules;
  /** Size, element, depth and attribute bounds checked before parsing (settings signedRecords). */
  limits?: Partial<XmlLimits>;
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const XPATH_TRANSFORMS = new Set(['http://www.w3.org/TR/1999/REC-xpath-19991116', 'http://www.w3.org/2002/06/xmldsig-filter2']);

class Refused extends Error {
  constructor(
    readonly code: SignatureCode,
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

function children(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === ELEMENT_NODE) out.push(n as Element);
  return out;
}

const isDs = (e: Element | undefined, name: string): e is Element => !!e && e.localName === name && e.namespaceURI === DSIG_NS;

function isWithin(node: Node, ancestor: Node): boolean {
  for (let n: Node | null = node; n; n = n.parentNode) if (n === ancestor) return true;
  return false;
}

const PRESCAN_CODE = { 'too-large': 'DOCUMENT_TOO_LARGE', limit: 'DOCUMENT_LIMIT_EXCEEDED', malformed: 'SIGNED_RECORD_MALFORMED' } as const;

function parse(xml: string, limits: XmlLimits): Document {
  // Bounds and what XML 1.0 forbids but xmldom lets through, before xmldom builds anything.
  const refused = prescanXml(xml, limits);
  if (refused) throw new Refused(PRESCAN_CODE[refused.kind], refused.kind === 'malformed' ? `not well-formed XML: ${refused.detail}` : refused.detail, refused.path);
  try {
    return new DOMParser({
      normalizeLineEndings: (s: string) => s.replace(/\r\n?/g, '\n'),
      onError: (level: string, message: string) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(xml, 'text/xml') as unknown as Document;
  } catch (e) {
    throw new Refused('SIGNED_RECORD_MALFORMED', `not well-formed XML: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Every element carrying an Id (Id, ID or id, as xml-crypto and most verifiers look them up). */
function indexIds(doc: Document): Map<string, Element> {
  const ids = new Map<string, Element>();
  const all = doc.getElementsByTagName('*');
  for (let i = 0; i < all.length; i++) {
    const el = all[i] as Element;
    for (const name of ['Id', 'ID', 'id']) {
      const v = el.getAttribute(name);
      if (v === null || v === '') continue;
      if (ids.has(v) && ids.get(v) !== el) throw new Refused('SIGNATURE_WRAPPING', `Id ${JSON.stringify(v)} appears on more than one element`);
      ids.set(v, el);
    }
  }
  return ids;
}

const digestOf = (canonical: string) => createHash('sha256').update(canonical).digest('base64');
const text = (e: Element | undefined) => (e?.textContent ?? '').replace(/\s+/g, '');

/** Names compared as people write them: Unicode NFC, case and spacing ignored. */
export function sameName(a: string, b: string): boolean {
  const n = (s: string) => s.normalize('NFC').toLocaleLowerCase('vi').replace(/\s+/g, ' ').trim();
  return n(a) === n(b);
}

function checkTransforms(ref: Element, what: string): void {
  const transformsEl = children(ref).find((e) => isDs(e, 'Transforms'));
  const transforms = transformsEl ? children(transformsEl) : [];
  const algorithms = transforms.map((t) => t.getAttribute('Algorithm') ?? '');
  if (algorithms.some((a) => XPATH_TRANSFORMS.has(a))) throw new Refused('SIGNATURE_PARTIAL', `the ${what} reference filters the content with XPath, so it covers only part of it`);
  if (algorithms.length !== 1 || algorithms[0] !== EXC_C14N) {
    throw new Refused('SIGNATURE_ALGORITHM_UNSUPPORTED', `the ${what} reference must have exactly one transform, exc-c14n (has ${algorithms.join(', ') || 'none'})`);
  }
  for (const t of transforms) {
    for (const inc of children(t)) {
      if (inc.localName === 'InclusiveNamespaces' && (inc.getAttribute('PrefixList') ?? '').trim() !== '') {
        throw new Refused('SIGNATURE_ALGORITHM_UNSUPPORTED', 'InclusiveNamespaces prefix lists are not supported');
      }
    }
  }
  const digestMethod = children(ref).find((e) => isDs(e, 'DigestMethod'))?.getAttribute('Algorithm');
  if (digestMethod !== SHA256) throw new Refused('SIGNATURE_ALGORITHM_UNSUPPORTED', `the ${what} reference must use SHA-256 (has ${digestMethod ?? 'none'})`);
}

function signingTimeIn(props: Element, signatureId: string): Date {
  const properties = props.localName === 'Object' ? children(props).filter((e) => isDs(e, 'SignatureProperties')) : [props];
  for (const p of properties) {
    for (const prop of children(p)) {
      if (!isDs(prop, 'SignatureProperty') || prop.getAttribute('Target') !== `#${signatureId}`) continue;
      const time = children(prop).find((e) => e.localName === 'SigningTime');
      if (!time) continue;
      const at = parseSigningTime(time.textContent ?? '');
      if (!at) throw new Refused('SIGNING_TIME_INVALID', `unreadable signing time ${JSON.stringify(time.textContent)}`);
      return at;
    }
  }
  throw new Refused('SIGNING_TIME_INVALID', 'no signing time for this signature in the SignatureProperties it references');
}

interface Context {
  hocba: Element;
  recordDigest: string;
  record: Record<string, unknown>;
  ids: Map<string, Element>;
  trust: TrustStore;
  now: number;
  maxSkewMs: number;
  matchNames: boolean;
  roles: RoleRules;
}

/**
 * The role a signature claims (by its Id) bound to what its certificate is: never the province's
 * packet key; teacher and principal personal certificates, the seal the record's own school's
 * organisation certificate (subject organizationIdentifier = prefix + Ministry school ID); the
 * role's policy OIDs and key usages; a deputy on sig-hieutruong only where allowed.
 * Returns a note for the report, or throws Refused.
 */
function checkRole(role: SignerRole, p: CertificateProfile, subject: string, ctx: Context): { deputy: boolean } {
  if (p.province) throw new Refused('PROVINCE_KEY_ON_RECORD', `${subject} is the province's packet-signing certificate; it never signs a record`);
  const rule = ctx.roles[role];
  const lacking = rule.keyUsage.filter((k) => !p.keyUsage[k]);
  if (lacking.length) throw new Refused('CERT_KEY_USAGE', `the ${role}'s certificate ${subject} lacks the key usage ${lacking.join(', ')}`);
  if (rule.policyOids.length && !rule.policyOids.some((o) => p.policies.includes(o))) {
    throw new Refused('SIGNER_ROLE_MISMATCH', `the ${role}'s certificate must carry one of the policies ${rule.policyOids.join(', ')} (has ${p.policies.join(', ') || 'none'})`);
  }
  if (role === 'seal') {
    if (p.organizationIdentifier === null) throw new Refused('SIGNER_ROLE_MISMATCH', `the seal must be the school's organisation certificate; ${subject} is a personal certificate (no organizationIdentifier)`);
    const school = (ctx.record.school as { schoolId?: unknown } | undefined)?.schoolId;
    const expected = `${ctx.roles.seal.schoolIdentifierPrefix}${String(school ?? '')}`;
    if (typeof school !== 'string' || p.organizationIdentifier !== expected) {
      throw new Refused('SEAL_NOT_OWN_SCHOOL', `the seal's certificate identifies ${JSON.stringify(p.organizationIdentifier)}, not the record's school ${JSON.stringify(expected)}`);
    }
    return { deputy: false };
  }
  if (p.organizationIdentifier !== null) throw new Refused('SIGNER_ROLE_MISMATCH', `the ${role} signs with a personal certificate; ${subject} is an organisation certificate (${p.organizationIdentifier})`);
  if (role === 'principal' && p.title !== null && ctx.roles.principal.deputyTitles.some((t) => sameName(t, p.title!))) {
    if (!ctx.roles.principal.allowDeputy) throw new Refused('DEPUTY_NOT_ALLOWED', `${subject} is a deputy's certificate (${p.title}); signing on the principal's behalf is not allowed here`);
    return { deputy: true };
  }
  return { deputy: false };
}

const TIMESTAMP_ELEMENTS = ['SignatureTimeStamp', 'EncapsulatedTimeStamp', 'TimeStampToken'];
/** Where XAdES (ETSI EN 319 132-1) puts a signature time-stamp, from the stamp up to its ds:Object. */
const STAMP_PATH = ['UnsignedSignatureProperties', 'UnsignedProperties', 'QualifyingProperties'];

/**
 * The time a trusted authority attests the signature value existed (time-stamp.ts), or null when
 * the signature carries no time-stamp. The stamp is XAdES's: ds:Object / QualifyingProperties /
 * UnsignedProperties / UnsignedSignatureProperties / SignatureTimeStamp, with the token in
 * EncapsulatedTimeStamp; its message imprint is over this signature's ds:SignatureValue element
 * in the canonical form its CanonicalizationMethod names (exc-c14n, or inclusive c14n 1.0, which
 * is also what an absent one means).
 */
function timeStampOf(sig: Element, signatureValue: Element, ctx: Context, report: SignatureReport): Date | null {
  const found = TIMESTAMP_ELEMENTS.flatMap((name) => Array.from(sig.getElementsByTagNameNS('*', name) as unknown as ArrayLike<Element>));
  if (found.length === 0) return null;
  const authorities = ctx.trust.timeStamping;
  if (!authorities) {
    throw new Refused('TIMESTAMP_UNSUPPORTED', `the signature carries a time-stamp token (<${found[0]!.localName}>), and this gateway trusts no time-stamp authority (signedRecords.tsa.trustAnchors is empty)`);
  }
  const invalid = (detail: string) => new Refused('TIMESTAMP_INVALID', detail);
  const stamps = found.filter((e) => e.localName === 'SignatureTimeStamp' && e.namespaceURI === XADES_NS);
  if (stamps.length === 0) throw invalid(`the signature carries <${found[0]!.localName}> outside any xades:SignatureTimeStamp (${XADES_NS})`);
  if (stamps.length > 1) throw invalid(`a signature carries one xades:SignatureTimeStamp; this one has ${stamps.length}`);
  const stamp = stamps[0]!;
  let up = stamp.parentNode as Element | null;
  for (const name of STAMP_PATH) {
    if (!up || up.localName !== name || up.namespaceURI !== XADES_NS) throw invalid(`the SignatureTimeStamp is not where XAdES puts it (ds:Object/${[...STAMP_PATH].reverse().join('/')})`);
    if (name === 'QualifyingProperties' && up.hasAttribute('Target') && up.getAttribute('Target') !== `#${report.id}`) {
      throw invalid(`the QualifyingProperties qualify ${up.getAttribute('Target')}, not this signature`);
    }
    up = up.parentNode as Element | null;
  }
  if (!up || !isDs(up, 'Object') || up.parentNode !== sig) throw invalid('the time-stamp\'s QualifyingProperties are not in a ds:Object of this signature');
  const parts = children(stamp);
  const method = parts[0] && isDs(parts[0], 'CanonicalizationMethod') ? parts.shift() : undefined;
  // Absent, XAdES reads it as inclusive c14n.
  const algorithm = method ? method.getAttribute('Algorithm') : C14N_10;
  if (algorithm !== EXC_C14N && algorithm !== C14N_10) {
    throw new Refused('SIGNATURE_ALGORITHM_UNSUPPORTED', `the time-stamp's ds:CanonicalizationMethod must be exc-c14n or inclusive c14n 1.0, without comments (has ${algorithm})`);
  }
  const [encapsulated, ...more] = parts;
  if (!encapsulated || encapsulated.localName !== 'EncapsulatedTimeStamp' || encapsulated.namespaceURI !== XADES_NS || more.length > 0 || found.length !== 2) {
    throw invalid('a SignatureTimeStamp holds one xades:EncapsulatedTimeStamp, and the signature no other time-stamp element');
  }
  let token;
  try {
    const stamped = algorithm === EXC_C14N ? excC14n(signatureValue) : inclusiveC14nOfLeaf(signatureValue);
    token = readTimeStampToken(Buffer.from(text(encapsulated), 'base64'), Buffer.from(stamped, 'utf8'));
  } catch (e) {
    if (e instanceof TimeStampRefused) throw new Refused(e.code, e.message);
    throw e;
  }
  if (token.genTime.getTime() > ctx.now + ctx.maxSkewMs) throw invalid(`the time stamped, ${token.genTime.toISOString()}, is in the future`);
  const verdict = authorities.evaluateTimeStamper(token.signer, token.others, token.genTime, new Date(ctx.now));
  if (!verdict.ok) throw new Refused('TIMESTAMP_UNTRUSTED', verdict.detail);
  report.timeStamp = { time: token.genTime.toISOString(), authority: verdict.authority.subject };
  return token.genTime;
}

function verifySignature(sig: Element, ctx: Context, report: SignatureReport): void {
  const id = report.id;
  if (!id || !report.role) throw new Refused('SIGNATURE_ROLE_UNKNOWN', `signature Id ${JSON.stringify(id)} names no known signer (sig-gvcn, sig-hieutruong, sig-seal)`);
  const [signedInfo, signatureValue, keyInfo, ...objects] = children(sig);
  if (!isDs(signedInfo, 'SignedInfo') || !isDs(signatureValue, 'SignatureValue') || !isDs(keyInfo, 'KeyInfo') || !objects.every((o) => isDs(o, 'Object'))) {
    throw new Refused('SIGNED_RECORD_MALFORMED', 'a Signature holds SignedInfo, SignatureValue, KeyInfo and Objects, in that order');
  }
  const [c14nMethod, sigMethod, ...refs] = children(signedInfo);
  if (!isDs(c14nMethod, 'CanonicalizationMethod') || !isDs(sigMethod, 'SignatureMethod') || !refs.every((r) => isDs(r, 'Reference'))) {
    throw new Refused('SIGNED_RECORD_MALFORMED', 'SignedInfo holds CanonicalizationMethod, SignatureMethod and References');
  }
  if (c14nMethod.getAttribute('Algorithm') !== EXC_C14N || children(c14nMethod).length > 0) {
    throw new Refused('SIGNATURE_ALGORITHM_UNSUPPORTED', `SignedInfo must be canonicalised with exc-c14n (has ${c14nMethod.getAttribute('Algorithm')})`);
  }
  if (sigMethod.getAttribute('Algorithm') !== RSA_SHA256) throw new Refused('SIGNATURE_ALGORITHM_UNSUPPORTED', `the signature must be RSA-SHA256 (has ${sigMethod.getAttribute('Algorithm')})`);

  // What each reference covers, by the element it resolves to.
  let recordRef: Element | null = null;
  let propsRef: { ref: Element; target: Element } | null = null;
  for (const ref of refs) {
    const uri = ref.getAttribute('URI') ?? '';
    if (!uri.startsWith('#')) {
      throw new Refused(uri === '' ? 'SIGNATURE_WRAPPING' : 'SIGNED_RECORD_MALFORMED', `reference URI ${JSON.stringify(uri)}: the profile signs the record by its Id`);
    }
    const target = ctx.ids.get(uri.slice(1));
    if (!target) throw new Refused('SIGNED_RECORD_MALFORMED', `reference ${uri} points at nothing in the document`);
    if (target === ctx.hocba) {
      if (recordRef) throw new Refused('SIGNED_RECORD_MALFORMED', 'two references to the record');
      recordRef = ref;
    } else if (isWithin(target, ctx.hocba)) {
      throw new Refused('SIGNATURE_PARTIAL', `reference ${uri} covers only the <${target.localName}> part of the record`);
    } else if (isWithin(target, sig) && (isDs(target, 'SignatureProperties') || isDs(target, 'Object'))) {
      if (propsRef) throw new Refused('SIGNED_RECORD_MALFORMED', 'two references to signature properties');
      propsRef = { ref, target };
    } else {
      throw new Refused('SIGNATURE_WRAPPING', `reference ${uri} points at <${target.localName}> outside the record and this signature`);
    }
  }
  if (!recordRef) throw new Refused('SIGNATURE_PARTIAL', 'no reference covers the record');
  if (!propsRef) throw new Refused('SIGNING_TIME_INVALID', 'no reference covers the signing time');
  if (refs.length !== 2) throw new Refused('SIGNED_RECORD_MALFORMED', 'a signature has exactly two references: the record and its signing time');
  checkTransforms(recordRef, 'record');
  checkTransforms(propsRef.ref, 'signature properties');

  // Stage A: the digests.
  if (text(children(recordRef).find((e) => isDs(e, 'DigestValue'))) !== ctx.recordDigest) {
    throw new Refused('SIGNATURE_DIGEST_MISMATCH', 'the record differs from what was signed');
  }
  const propsCanonical = excC14n(propsRef.target);
  if (text(children(propsRef.ref).find((e) => isDs(e, 'DigestValue'))) !== digestOf(propsCanonical)) {
    throw new Refused('SIGNATURE_DIGEST_MISMATCH', 'the signing time differs from what was signed');
  }

  // Stage B: the signature value, with the key of the certificate the signature carries.
  const x509Data = children(keyInfo).find((e) => isDs(e, 'X509Data'));
  const certs = x509Data ? children(x509Data).filter((e) => isDs(e, 'X509Certificate')).map((e) => Buffer.from(text(e), 'base64')) : [];
  if (certs.length === 0) throw new Refused('SIGNED_RECORD_MALFORMED', 'KeyInfo carries no X509Certificate');
  let cert;
  try {
    cert = ctx.trust.certificate(certs[0]);
  } catch {
    throw new Refused('SIGNED_RECORD_MALFORMED', 'the KeyInfo certificate cannot be read');
  }
  report.signer = cert.view;
  if (cert.node.publicKey.asymmetricKeyType !== 'rsa') throw new Refused('SIGNATURE_ALGORITHM_UNSUPPORTED', 'the certificate key is not RSA');
  const value = Buffer.from(text(signatureValue), 'base64');
  if (!rsaVerify('sha256', Buffer.from(excC14n(signedInfo), 'utf8'), cert.node.publicKey, value)) {
    throw new Refused('SIGNATURE_VALUE_INVALID', 'the signature value does not verify with the certificate in KeyInfo');
  }

  // The signing time, then whether the certificate could sign then.
  const at = signingTimeIn(propsRef.target, id);
  report.signingTime = at.toISOString();
  if (at.getTime() > ctx.now + ctx.maxSkewMs) throw new Refused('SIGNING_TIME_INVALID', `the signing time ${at.toISOString()} is in the future`);
  // The SigningTime is the signer's claim; only a verified RFC 3161 time-stamp moves the
  // certificate checks away from the time of receipt, to the time it attests.
  const stamped = timeStampOf(sig, signatureValue, ctx, report);
  if (stamped && at.getTime() > stamped.getTime() + ctx.maxSkewMs) {
    throw new Refused('SIGNING_TIME_INVALID', `the signing time ${at.toISOString()} is after the time-stamp ${stamped.toISOString()} that attests the signature already existed`);
  }
  const verdict = ctx.trust.evaluate(certs[0], certs.slice(1), at, stamped ?? new Date(ctx.now));
  report.chain = verdict.chain;
  if (!verdict.ok) throw new Refused(verdict.code, verdict.detail);
  if (verdict.note) report.note = verdict.note;
  const { deputy } = checkRole(report.role, verdict.profile, verdict.signer.subject, ctx);
  if (deputy) report.note = `${verdict.signer.commonName ?? verdict.signer.subject} signed on behalf of the principal (KT. Hiệu trưởng)`;

  if (ctx.matchNames && report.role !== 'seal' && !deputy) {
    const expected = report.role === 'teacher' ? ctx.record.homeroomTeacher : ctx.record.principal;
    const cn = verdict.signer.commonName ?? '';
    if (typeof expected !== 'string' || !sameName(cn, expected)) {
      throw new Refused('SIGNER_NAME_MISMATCH', `the ${report.role} of the record is ${JSON.stringify(expected)} but the certificate names ${JSON.stringify(cn)}`);
    }
  }
}

export function verifySignedDocument(xml: string, trust: TrustStore, o: VerifyOptions = {}): DocumentVerdict {
  let doc: Document;
  let ids: Map<string, Element>;
  try {
    doc = parse(xml, o.limits ? { ...DEFAULT_XML_LIMITS, ...o.limits } : DEFAULT_XML_LIMITS);
    ids = indexIds(doc);
  } catch (e) {
    if (e instanceof Refused) return { ok: false, code: e.code as DocumentCode, detail: e.message, signatures: [], ...(e.path ? { path: e.path } : {}) };
    throw e;
  }
  const bad = (code: DocumentCode, detail: string, path?: string): DocumentVerdict => ({ ok: false, code, detail, signatures: [], ...(path ? { path } : {}) });
  const root = doc.documentElement;
  if (!root || root.localName !== SIGNED_ROOT || root.namespaceURI !== SIGNED_NAMESPACE) {
    return bad('SIGNED_RECORD_MALFORMED', `the document element must be <${SIGNED_ROOT} xmlns="${SIGNED_NAMESPACE}">`);
  }
  const hocbas = doc.getElementsByTagNameNS(RECORD_NAMESPACE, 'hocba');
  if (hocbas.length === 0) return bad('SIGNED_RECORD_MALFORMED', 'the document holds no <hocba> record');
  if (hocbas.length > 1) return bad('SIGNATURE_WRAPPING', `the document holds ${hocbas.length} <hocba> elements; exactly one is allowed`);
  const hocba = hocbas[0] as Element;
  if (hocba.parentNode !== root) return bad('SIGNATURE_WRAPPING', 'the record has been moved from where the profile puts it (a child of the document element)');
  const signatures: Element[] = [];
  for (let n = root.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === TEXT_NODE && (n.nodeValue ?? '').trim() !== '') return bad('SIGNED_RECORD_MALFORMED', `text in <${SIGNED_ROOT}>`);
    if (n.nodeType !== ELEMENT_NODE || n === hocba) continue;
    if (!isDs(n as Element, 'Signature')) return bad('SIGNED_RECORD_MALFORMED', `unexpected <${(n as Element).localName}> in <${SIGNED_ROOT}>`);
    signatures.push(n as Element);
  }
  if (doc.getElementsByTagNameNS(DSIG_NS, 'Signature').length !== signatures.length) {
    return bad('SIGNATURE_WRAPPING', 'a signature sits somewhere other than beside the record');
  }
  const referenced = new Set<string>();
  for (const sig of signatures) {
    const refs = sig.getElementsByTagNameNS(DSIG_NS, 'Reference');
    for (let i = 0; i < refs.length; i++) referenced.add((refs[i].getAttribute('URI') ?? '').slice(1));
  }
  const fault = profileAttributeFault(root, hocba, referenced);
  if (fault) return bad('SIGNED_RECORD_MALFORMED', fault.detail, fault.path);
  const recordId = hocba.getAttribute('Id') ?? '';
  // The Id travels to the Ministry with the record, signed or not: never one of the packet's.
  if ((signatures.length > 0 || hocba.hasAttribute('Id')) && !RECORD_ID_PATTERN.test(recordId)) {
    return bad('SIGNED_RECORD_MALFORMED', 'the <hocba> element needs an Id attribute (letters, digits, _ . -; not starting with "pkt-")');
  }
  let recordXml: string;
  let record: Record<string, unknown>;
  try {
    recordXml = excC14n(hocba);
    record = recordFromXml(hocba) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof C14nUnsupported || e instanceof RecordXmlError) return bad('SIGNED_RECORD_MALFORMED', e.message);
    throw e;
  }
  const ctx: Context = {
    hocba,
    recordDigest: digestOf(recordXml),
    record,
    ids,
    trust,
    now: (o.now ?? new Date()).getTime(),
    maxSkewMs: o.maxClockSkewMs ?? 300_000,
    matchNames: o.matchSignerNames ?? true,
    roles: o.roles ?? DEFAULT_ROLE_RULES,
  };
  const reports = signatures.map((sig): SignatureReport => {
    const id = sig.getAttribute('Id');
    const report: SignatureReport = { id, role: (id && ROLE_OF_SIGNATURE_ID.get(id)) || null, valid: false };
    try {
      verifySignature(sig, ctx, report);
      report.valid = true;
    } catch (e) {
      if (!(e instanceof Refused) && !(e instanceof C14nUnsupported)) throw e;
      report.code = e instanceof Refused ? e.code : 'SIGNED_RECORD_MALFORMED';
      report.detail = e.message;
    }
    return report;
  });
  return { ok: true, recordId, recordXml, record, signatures: reports };
}
