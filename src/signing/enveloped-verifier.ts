import { createHash, createPublicKey, verify as rsaVerify, X509Certificate, type KeyObject } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
// Shares xmldom's grammar RegExps between parses (a quarter of parse time); see that file.
import '../record-signatures/xmldom-regexp-cache.js';
import { C14nUnsupported, excC14n, excC14nWithSubtrees } from './exc-c14n.js';
import { DSIG_NS, ENVELOPED, EXC_C14N, RSA_SHA256, SHA256, parseSigningTime } from './signature-format.js';

// The province's packet signature verified without xml-crypto: one parse, one walk, the
// gateway's own exclusive c14n (exc-c14n.ts) and node:crypto. It accepts exactly the profile's
// shape (specs/ministry-profile/v0/README.md, "Packet") and nothing else: an enveloped
// ds:Signature, a child of the document element and the only Signature in the document, with
// exclusive c14n, RSA-SHA256 and two references: URI="" (enveloped-signature then exc-c14n,
// SHA-256) over the document, and one over the signature's own SignatureProperties (exc-c14n,
// SHA-256), which hold the signing time. Every departure is refused with its own `refusal`, so a
// test (and an operator) can tell a wrapped signature from a tampered record from a foreign
// key. xml-crypto's path (xmldsig.ts verifyEnveloped) stays as the independent reference: the
// tests feed both, and xmlsec1, the same documents.

/** Why a document was refused; one value per check, stable for tests and logs. */
export type EnvelopedRefusal =
  | 'NOT_WELL_FORMED'
  | 'DOCTYPE'
  | 'PROCESSING_INSTRUCTION'
  | 'COMMENT'
  | 'NO_SIGNATURE'
  | 'SIGNATURE_NOT_CHILD_OF_ROOT'
  | 'SECOND_SIGNATURE'
  | 'SIGNATURE_SHAPE'
  | 'C14N_METHOD'
  | 'SIGNATURE_METHOD'
  | 'REFERENCE_COUNT'
  | 'REFERENCE_URI'
  | 'TRANSFORMS'
  | 'DIGEST_METHOD'
  | 'PROPERTIES_REFERENCE'
  | 'DUPLICATE_ID'
  | 'SIGNING_TIME'
  | 'CERTIFICATE_MISMATCH'
  | 'SIGNATURE_VALUE'
  | 'PROPERTIES_DIGEST'
  | 'DOCUMENT_DIGEST';

/**
 * The outcome of xmldsig.ts verifyEnveloped (same `valid`, `code`, `reason`, `signedXml`,
 * `signingTime`), plus the verified DOM: `signedRoot` is the document element with the
 * Signature detached, i.e. exactly the nodes the URI="" digest covered, so callers read the
 * packet from it without parsing `signedXml` again.
 */
export type EnvelopedVerifyOutcome =
  | { valid: true; signedXml: string; signingTime: Date; signedRoot: Element; subtrees?: Map<Element, string> }
  | { valid: false; code: 'SIGNATURE_MISSING' | 'SIGNATURE_INVALID' | 'SIGNATURE_SCOPE'; reason: string; refusal: EnvelopedRefusal };

type Refused = Extract<EnvelopedVerifyOutcome, { valid: false }>;

/** The outcome code each refusal answers with, as xmldsig.ts verifyEnveloped would. */
const CODE_OF: Record<EnvelopedRefusal, Refused['code']> = {
  NOT_WELL_FORMED: 'SIGNATURE_INVALID',
  DOCTYPE: 'SIGNATURE_INVALID',
  PROCESSING_INSTRUCTION: 'SIGNATURE_SCOPE',
  COMMENT: 'SIGNATURE_SCOPE',
  NO_SIGNATURE: 'SIGNATURE_MISSING',
  SIGNATURE_NOT_CHILD_OF_ROOT: 'SIGNATURE_SCOPE',
  SECOND_SIGNATURE: 'SIGNATURE_SCOPE',
  SIGNATURE_SHAPE: 'SIGNATURE_SCOPE',
  C14N_METHOD: 'SIGNATURE_INVALID',
  SIGNATURE_METHOD: 'SIGNATURE_INVALID',
  REFERENCE_COUNT: 'SIGNATURE_SCOPE',
  REFERENCE_URI: 'SIGNATURE_SCOPE',
  TRANSFORMS: 'SIGNATURE_SCOPE',
  DIGEST_METHOD: 'SIGNATURE_INVALID',
  PROPERTIES_REFERENCE: 'SIGNATURE_SCOPE',
  DUPLICATE_ID: 'SIGNATURE_SCOPE',
  SIGNING_TIME: 'SIGNATURE_SCOPE',
  CERTIFICATE_MISMATCH: 'SIGNATURE_INVALID',
  SIGNATURE_VALUE: 'SIGNATURE_INVALID',
  PROPERTIES_DIGEST: 'SIGNATURE_INVALID',
  DOCUMENT_DIGEST: 'SIGNATURE_INVALID',
};

class Refusal extends Error {
  constructor(
    readonly refusal: EnvelopedRefusal,
    message: string,
  ) {
    super(message);
  }
}

const refuse = (refusal: EnvelopedRefusal, reason: string): never => {
  throw new Refusal(refusal, reason);
};

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
const PROCESSING_INSTRUCTION_NODE = 7;
const COMMENT_NODE = 8;
const DOCUMENT_TYPE_NODE = 10;

/** The XML 1.0 parse: only CR and CRLF become LF (xmldom 0.9 would also fold U+0085/U+2028). */
export function parseForVerification(xml: string): Document | { error: string } {
  const errors: string[] = [];
  const parser = new DOMParser({
    locator: false, // node positions are never read
    normalizeLineEndings: (s: string) => s.replace(/\r\n?/g, '\n'),
    onError: (level, message) => {
      if (level !== 'warning') errors.push(message);
    },
  });
  try {
    const doc = parser.parseFromString(xml, 'text/xml') as unknown as Document;
    if (errors.length > 0 || !doc.documentElement) return { error: errors[0] ?? 'no document element' };
    return doc;
  } catch (e) {
    return { error: (e as Error).message };
  }
}

const isDsig = (el: Element, localName: string): boolean => el.localName === localName && el.namespaceURI === DSIG_NS;

/** The element children of a signature structure element; text other than whitespace is refused. */
function dsChildren(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === ELEMENT_NODE) out.push(n as Element);
    else if ((n.nodeType === TEXT_NODE || n.nodeType === CDATA_SECTION_NODE) && (n.nodeValue ?? '').trim() !== '') {
      refuse('SIGNATURE_SHAPE', `unexpected text in <${el.tagName}>`);
    }
  }
  return out;
}

/** `el` must be ds:<localName>, with no element children (the algorithm elements: no parameters). */
function expectDs(el: Element | undefined, localName: string, refusal: EnvelopedRefusal = 'SIGNATURE_SHAPE'): Element {
  if (!el || !isDsig(el, localName)) refuse(refusal, `expected ds:${localName}, found ${el ? `<${el.tagName}>` : 'nothing'}`);
  return el!;
}

function algorithmOf(el: Element, refusal: EnvelopedRefusal, expected: string): void {
  const algorithm = el.getAttribute('Algorithm');
  if (algorithm !== expected) refuse(refusal, `ds:${el.localName} must be ${expected}, found ${algorithm ?? 'none'}`);
  // Parameters (InclusiveNamespaces, HMACOutputLength, an XPath) would change what is signed.
  if (dsChildren(el).length > 0) refuse(refusal, `ds:${el.localName} ${expected} takes no parameters`);
}

/** The text of a leaf element (DigestValue, SignatureValue, ...), whitespace removed. */
function base64Of(el: Element): Buffer {
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== TEXT_NODE) refuse('SIGNATURE_SHAPE', `ds:${el.localName} must hold only base64 text`);
  }
  const text = (el.textContent ?? '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) refuse('SIGNATURE_SHAPE', `ds:${el.localName} is not base64`);
  return Buffer.from(text, 'base64');
}

interface ReferenceParts {
  uri: string;
  transforms: string[];
  digest: Buffer;
}

function readReference(ref: Element): ReferenceParts {
  for (const a of Array.from(ref.attributes)) {
    if (!['URI', 'Type', 'Id'].includes(a.name)) refuse('SIGNATURE_SHAPE', `ds:Reference has an unexpected attribute ${a.name}`);
  }
  if (!ref.hasAttribute('URI')) refuse('REFERENCE_URI', 'a ds:Reference has no URI (the profile never leaves it to the application)');
  const children = dsChildren(ref);
  const [transformsEl, digestMethod, digestValue, ...rest] = children;
  if (rest.length > 0 || children.length !== 3) refuse('SIGNATURE_SHAPE', 'a ds:Reference must hold Transforms, DigestMethod and DigestValue');
  expectDs(transformsEl, 'Transforms', 'TRANSFORMS');
  const transforms = dsChildren(transformsEl).map((t) => {
    expectDs(t, 'Transform', 'TRANSFORMS');
    const algorithm = t.getAttribute('Algorithm') ?? '';
    algorithmOf(t, 'TRANSFORMS', algorithm);
    return algorithm;
  });
  algorithmOf(expectDs(digestMethod, 'DigestMethod', 'DIGEST_METHOD'), 'DIGEST_METHOD', SHA256);
  return { uri: ref.getAttribute('URI')!, transforms, digest: base64Of(expectDs(digestValue, 'DigestValue')) };
}

/** The X509 certificate DER of each trusted PEM, and its public key, read once. */
const trustedCache = new Map<string, { der: Buffer; key: KeyObject }>();

function trusted(pem: string): { der: Buffer; key: KeyObject } {
  let t = trustedCache.get(pem);
  if (!t) {
    const cert = new X509Certificate(pem);
    t = { der: cert.raw, key: createPublicKey(pem) };
    if (trustedCache.size > 16) trustedCache.clear();
    trustedCache.set(pem, t);
  }
  return t;
}

/** KeyInfo is optional; when present it holds X509Data whose first certificate is the trusted one. */
function checkKeyInfo(keyInfo: Element | undefined, trustedDer: Buffer): void {
  if (!keyInfo) return;
  const data = dsChildren(keyInfo);
  if (data.length !== 1) refuse('SIGNATURE_SHAPE', 'ds:KeyInfo must hold exactly one ds:X509Data');
  const certs = dsChildren(expectDs(data[0], 'X509Data'));
  if (certs.length === 0) refuse('SIGNATURE_SHAPE', 'ds:X509Data holds no certificate');
  // Further certificates (a chain) are carried for other verifiers and not used here.
  for (const c of certs) expectDs(c, 'X509Certificate');
  if (!base64Of(certs[0]).equals(trustedDer)) {
    refuse('CERTIFICATE_MISMATCH', 'the certificate in KeyInfo is not the province certificate on file');
  }
}

const ID_ATTRIBUTES = new Set(['Id', 'ID', 'id']);

interface DocumentScan {
  signatures: Element[];
  /** Elements whose Id, ID or id attribute (any namespace, as xml-crypto matches) is `targetId`. */
  targets: Element[];
}

/**
 * One walk over the whole document: where the signature may be, what it references, and that
 * there is nothing a c14n without comments would silently drop or refuse to render.
 */
function scanDocument(doc: Document, targetId: string | null): DocumentScan {
  const scan: DocumentScan = { signatures: [], targets: [] };
  for (let n = doc.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === DOCUMENT_TYPE_NODE) refuse('DOCTYPE', 'a document type declaration is not allowed (entities, default attributes)');
    if (n.nodeType === COMMENT_NODE) refuse('COMMENT', 'comments are not allowed: no signature covers them');
    // The XML declaration is the only processing instruction allowed: xmldom reports it as one.
    if (n.nodeType === PROCESSING_INSTRUCTION_NODE && !(n === doc.firstChild && (n as ProcessingInstruction).target === 'xml')) {
      refuse('PROCESSING_INSTRUCTION', 'processing instructions are not allowed');
    }
  }
  const stack: Element[] = [doc.documentElement!];
  while (stack.length > 0) {
    const el = stack.pop()!;
    if (el.localName === 'Signature' && el.namespaceURI === DSIG_NS) scan.signatures.push(el);
    if (targetId !== null) {
      const attrs = el.attributes;
      for (let i = 0; i < attrs.length; i++) {
        const a = attrs[i];
        if (ID_ATTRIBUTES.has(a.localName ?? a.name) && a.value === targetId) {
          scan.targets.push(el);
          break;
        }
      }
    }
    for (let c = el.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === ELEMENT_NODE) stack.push(c as Element);
      else if (c.nodeType === COMMENT_NODE) refuse('COMMENT', 'comments are not allowed: no signature covers them');
      else if (c.nodeType === PROCESSING_INSTRUCTION_NODE) refuse('PROCESSING_INSTRUCTION', 'processing instructions are not allowed');
    }
  }
  return scan;
}

/** The signature's direct ds:Signature children of the root, before anything else is read. */
function findSignature(root: Element): Element {
  let found: Element | null = null;
  for (let n = root.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === ELEMENT_NODE && isDsig(n as Element, 'Signature')) {
      if (found) refuse('SECOND_SIGNATURE', 'the document carries more than one signature');
      found = n as Element;
    }
  }
  if (!found) {
    const anywhere = root.ownerDocument.getElementsByTagNameNS(DSIG_NS, 'Signature').length > 0;
    return anywhere
      ? refuse('SIGNATURE_NOT_CHILD_OF_ROOT', 'the signature must be a child of the document element')
      : refuse('NO_SIGNATURE', 'the document carries no signature');
  }
  return found;
}

/** The signing time from the SignatureProperties the second reference covers. */
function signingTimeOf(properties: Element, signatureId: string): Date {
  const props = dsChildren(properties);
  if (props.length !== 1) refuse('SIGNING_TIME', 'ds:SignatureProperties must hold exactly one ds:SignatureProperty');
  const prop = expectDs(props[0], 'SignatureProperty', 'SIGNING_TIME');
  if (prop.getAttribute('Target') !== `#${signatureId}`) refuse('SIGNING_TIME', 'the ds:SignatureProperty does not target this signature');
  const times = dsChildren(prop);
  if (times.length !== 1) refuse('SIGNING_TIME', 'ds:SignatureProperty must hold exactly one ds:SigningTime');
  const time = parseSigningTime(expectDs(times[0], 'SigningTime', 'SIGNING_TIME').textContent ?? '');
  return time ?? refuse('SIGNING_TIME', 'the signing time is unreadable');
}

const sha256 = (data: string): Buffer => createHash('sha256').update(data, 'utf8').digest();

/**
 * `keepSubtrees` picks elements of the signed document whose own exclusive canonical form the
 * caller needs as well (a packet's records, for their content hashes): kept from the walk that
 * digests the document instead of a second one per element (exc-c14n.ts excC14nWithSubtrees).
 */
export interface VerifyOptions {
  keepSubtrees?: (el: Element) => boolean;
}

function verifyDocument(
  doc: Document,
  trustedCertPem: string,
  options: VerifyOptions,
): { signedXml: string; signingTime: Date; signedRoot: Element; subtrees?: Map<Element, string> } {
  const root = doc.documentElement;
  if (!root) return refuse('NOT_WELL_FORMED', 'no document element');
  const signature = findSignature(root);
  const signatureId = signature.getAttribute('Id');
  if (!signatureId) refuse('SIGNATURE_SHAPE', 'the signature has no Id (its signing time targets it)');

  // Signature: SignedInfo, SignatureValue, KeyInfo?, exactly one Object.
  const parts = dsChildren(signature);
  const signedInfo = expectDs(parts[0], 'SignedInfo');
  const signatureValue = expectDs(parts[1], 'SignatureValue');
  const keyInfo = parts[2] && isDsig(parts[2], 'KeyInfo') ? parts[2] : undefined;
  const objects = parts.slice(keyInfo ? 3 : 2);
  if (objects.length !== 1 || !isDsig(objects[0], 'Object')) refuse('SIGNATURE_SHAPE', 'the signature must end with exactly one ds:Object (its SignatureProperties)');

  // SignedInfo: CanonicalizationMethod, SignatureMethod, two References.
  const [c14nMethod, signatureMethod, ...references] = dsChildren(signedInfo);
  algorithmOf(expectDs(c14nMethod, 'CanonicalizationMethod', 'C14N_METHOD'), 'C14N_METHOD', EXC_C14N);
  algorithmOf(expectDs(signatureMethod, 'SignatureMethod', 'SIGNATURE_METHOD'), 'SIGNATURE_METHOD', RSA_SHA256);
  for (const r of references) expectDs(r, 'Reference');
  if (references.length !== 2) refuse('REFERENCE_COUNT', `expected two references (the document and its signing time), found ${references.length}`);
  const refs = references.map(readReference);
  const whole = refs.filter((r) => r.uri === '');
  const byId = refs.filter((r) => r.uri.startsWith('#'));
  if (whole.length !== 1 || byId.length !== 1) refuse('REFERENCE_URI', 'one reference must be URI="" (the whole document), the other "#<id>" of its SignatureProperties');
  if (whole[0].transforms.join(' ') !== `${ENVELOPED} ${EXC_C14N}`) refuse('TRANSFORMS', 'the URI="" reference must use enveloped-signature then exc-c14n, nothing else');
  if (byId[0].transforms.join(' ') !== EXC_C14N) refuse('TRANSFORMS', 'the SignatureProperties reference must use exc-c14n, nothing else');
  const propertiesId = byId[0].uri.slice(1);
  if (!/^[A-Za-z_][\w.-]*$/.test(propertiesId)) refuse('REFERENCE_URI', 'the second reference must name a bare Id (no XPointer)');

  // The whole document: one Signature, no comments or PIs, the properties Id on one element only.
  const scan = scanDocument(doc, propertiesId);
  if (scan.signatures.length !== 1) refuse('SECOND_SIGNATURE', 'the document carries more than one signature');
  if (scan.targets.length !== 1) refuse('DUPLICATE_ID', `Id ${propertiesId} is on ${scan.targets.length} elements, not exactly one`);
  const properties = scan.targets[0];
  if (!isDsig(properties, 'SignatureProperties') || properties.parentNode !== objects[0] || dsChildren(objects[0]).length !== 1) {
    refuse('PROPERTIES_REFERENCE', 'the second reference must cover the SignatureProperties alone in this signature\'s ds:Object');
  }
  const signingTime = signingTimeOf(properties, signatureId!);

  const key = trusted(trustedCertPem);
  checkKeyInfo(keyInfo, key.der);

  // The signature value over SignedInfo as exc-c14n renders it (its own apex: the in-scope
  // namespaces it visibly uses, no others), then the two digests.
  if (!rsaVerify('sha256', Buffer.from(excC14n(signedInfo), 'utf8'), key.key, base64Of(signatureValue))) {
    refuse('SIGNATURE_VALUE', 'the signature value does not verify with the province certificate');
  }
  if (!sha256(excC14n(properties)).equals(byId[0].digest)) refuse('PROPERTIES_DIGEST', 'the signing time changed after signing');
  // Enveloped-signature: the document without the Signature. Detached for good, so that the
  // root handed back is exactly what was digested.
  root.removeChild(signature);
  const { text: signedXml, subtrees } = options.keepSubtrees ? excC14nWithSubtrees(root, options.keepSubtrees) : { text: excC14n(root), subtrees: undefined };
  if (!sha256(signedXml).equals(whole[0].digest)) refuse('DOCUMENT_DIGEST', 'the document changed after signing');
  return { signedXml, signingTime, signedRoot: root, ...(subtrees ? { subtrees } : {}) };
}

/**
 * Verifies the one enveloped signature of a packet (its text, or a document parsed once by the
 * caller, which this detaches the Signature from) against the certificate the verifier already
 * trusts. Never throws.
 */
export function verifyEnvelopedFast(input: string | Document, trustedCertPem: string, options: VerifyOptions = {}): EnvelopedVerifyOutcome {
  let doc: Document;
  if (typeof input === 'string') {
    const parsed = parseForVerification(input);
    if ('error' in parsed) return { valid: false, code: 'SIGNATURE_INVALID', refusal: 'NOT_WELL_FORMED', reason: `not well-formed XML: ${parsed.error}` };
    doc = parsed;
  } else {
    doc = input;
  }
  try {
    return { valid: true, ...verifyDocument(doc, trustedCertPem, options) };
  } catch (e) {
    if (e instanceof Refusal) return { valid: false, code: CODE_OF[e.refusal], refusal: e.refusal, reason: e.message };
    // Cannot happen after scanDocument (it refuses PIs first); refused rather than thrown.
    if (e instanceof C14nUnsupported) return { valid: false, code: 'SIGNATURE_SCOPE', refusal: 'PROCESSING_INSTRUCTION', reason: e.message };
    return { valid: false, code: 'SIGNATURE_INVALID', refusal: 'SIGNATURE_VALUE', reason: (e as Error).message };
  }
}
