import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import {
  DSIG_NS,
  ENVELOPED,
  EXC_C14N,
  PACKET_PROPERTIES_ID,
  PACKET_SIGNATURE_ID,
  RSA_SHA256,
  SHA256,
  parseSigningTime,
  signingTimeText,
} from './signature-format.js';

// The packet signature read and written with xml-crypto: the reading side is the reference the
// Ministry simulator's fast verifier (enveloped-verifier.ts) is tested against and what
// `hocba-gw verify` uses, the writing side is the reference the fast writer is tested against. The profile: enveloped XMLDSig,
// RSA-SHA256, exclusive c14n, the certificate in KeyInfo, the signing time in a
// SignatureProperties object that a second reference covers.

export { DSIG_NS };
// The fast, strict verifier without xml-crypto (what the Ministry simulator uses); the
// verifyEnveloped below stays the xml-crypto reference for the CLI and the tests.
export { verifyEnvelopedFast, type EnvelopedRefusal, type EnvelopedVerifyOutcome } from './enveloped-verifier.js';

export interface SigningMaterial {
  privateKeyPem: string;
  certificatePem: string;
}

function propertiesObject(at: Date): string {
  return (
    `<ds:SignatureProperties Id="${PACKET_PROPERTIES_ID}"><ds:SignatureProperty Target="#${PACKET_SIGNATURE_ID}">` +
    `<ds:SigningTime>${signingTimeText(at)}</ds:SigningTime></ds:SignatureProperty></ds:SignatureProperties>`
  );
}

/** Signs `xml` (a document whose root is the element to sign) with xml-crypto and returns the signed document. */
export function signEnveloped(xml: string, key: SigningMaterial, at = new Date()): string {
  const sig = new SignedXml({
    privateKey: key.privateKeyPem,
    publicCert: key.certificatePem,
    signatureAlgorithm: RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
    objects: [{ content: propertiesObject(at) }],
  });
  sig.addReference({ xpath: '/*', transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: SHA256, isEmptyUri: true });
  sig.addReference({ xpath: `//*[@Id='${PACKET_PROPERTIES_ID}']`, transforms: [EXC_C14N], digestAlgorithm: SHA256 });
  sig.computeSignature(xml, { prefix: 'ds', attrs: { Id: PACKET_SIGNATURE_ID }, location: { reference: '/*', action: 'append' } });
  return sig.getSignedXml();
}

export type VerifyOutcome =
  | { valid: true; signedXml: string; signingTime: Date }
  | { valid: false; code: 'SIGNATURE_MISSING' | 'SIGNATURE_INVALID' | 'SIGNATURE_SCOPE'; reason: string };

const ELEMENT_NODE = 1;

function elementChildren(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === ELEMENT_NODE) out.push(n as Element);
  return out;
}

function transformsOf(reference: Element): string[] {
  const transforms = elementChildren(reference).find((e) => e.localName === 'Transforms' && e.namespaceURI === DSIG_NS);
  return transforms ? elementChildren(transforms).map((t) => t.getAttribute('Algorithm') ?? '') : [];
}

/**
 * The signing time of `signature`, read only from a SignatureProperties element with the Id the
 * signature's second reference names, inside the signature's own Object.
 */
function signingTimeOf(signature: Element, propertiesId: string): Date | null {
  const sigId = signature.getAttribute('Id');
  for (const obj of elementChildren(signature).filter((e) => e.localName === 'Object' && e.namespaceURI === DSIG_NS)) {
    for (const props of elementChildren(obj)) {
      if (props.localName !== 'SignatureProperties' || props.getAttribute('Id') !== propertiesId) continue;
      for (const prop of elementChildren(props)) {
        if (prop.localName !== 'SignatureProperty' || prop.getAttribute('Target') !== `#${sigId}`) continue;
        const time = elementChildren(prop).find((e) => e.localName === 'SigningTime' && e.namespaceURI === DSIG_NS);
        if (time) return parseSigningTime(time.textContent ?? '');
      }
    }
  }
  return null;
}

/**
 * Verifies the one enveloped signature of a document against a certificate the verifier
 * already trusts (never the one the document carries). On success returns the XML that the
 * signature covers: callers must read that, not the original text, so that nothing outside the
 * signed scope (a wrapped or moved element) is ever acted on. Strict on shape: exactly two
 * references, one URI="" (enveloped-signature + exc-c14n) over the document and one over the
 * signature's own SignatureProperties (exc-c14n), which must carry the signing time.
 */
export function verifyEnveloped(xml: string, trustedCertPem: string): VerifyOutcome {
  let doc: Document;
  try {
    doc = new DOMParser({ onError: () => undefined }).parseFromString(xml, 'text/xml') as unknown as Document;
  } catch (e) {
    return { valid: false, code: 'SIGNATURE_INVALID', reason: `not well-formed XML: ${(e as Error).message}` };
  }
  const root = doc.documentElement;
  if (!root) return { valid: false, code: 'SIGNATURE_INVALID', reason: 'not well-formed XML' };
  const signatures = Array.from(doc.getElementsByTagNameNS(DSIG_NS, 'Signature'));
  if (signatures.length === 0) return { valid: false, code: 'SIGNATURE_MISSING', reason: 'the document carries no signature' };
  if (signatures.length > 1 || signatures[0].parentNode !== root) {
    return { valid: false, code: 'SIGNATURE_SCOPE', reason: 'expected exactly one signature, a child of the root element' };
  }
  const signature = signatures[0];
  const signedInfo = elementChildren(signature).find((e) => e.localName === 'SignedInfo' && e.namespaceURI === DSIG_NS);
  const referenceElements = signedInfo ? elementChildren(signedInfo).filter((e) => e.localName === 'Reference' && e.namespaceURI === DSIG_NS) : [];
  const whole = referenceElements.filter((r) => r.getAttribute('URI') === '');
  const byId = referenceElements.filter((r) => (r.getAttribute('URI') ?? '').startsWith('#'));
  const scope = (reason: string): VerifyOutcome => ({ valid: false, code: 'SIGNATURE_SCOPE', reason });
  if (referenceElements.length !== 2 || whole.length !== 1 || byId.length !== 1) {
    return scope('the signature must have two references: URI="" over the document and one over its SignatureProperties');
  }
  if (transformsOf(whole[0]).join(' ') !== `${ENVELOPED} ${EXC_C14N}`) return scope('the URI="" reference must use enveloped-signature then exc-c14n');
  if (transformsOf(byId[0]).join(' ') !== EXC_C14N) return scope('the SignatureProperties reference must use exc-c14n');
  const propertiesId = byId[0].getAttribute('URI')!.slice(1);
  // The second reference must cover this signature's own signing time, nothing else in the document.
  const signingTime = signingTimeOf(signature, propertiesId);
  if (!signingTime) return scope('the signature carries no signing time in a SignatureProperties object it references');

  const sig = new SignedXml({ publicCert: trustedCertPem, getCertFromKeyInfo: () => null });
  try {
    sig.loadSignature(signature);
  } catch (e) {
    return { valid: false, code: 'SIGNATURE_INVALID', reason: (e as Error).message };
  }
  try {
    if (!sig.checkSignature(xml)) return { valid: false, code: 'SIGNATURE_INVALID', reason: 'signature does not verify' };
  } catch (e) {
    return { valid: false, code: 'SIGNATURE_INVALID', reason: (e as Error).message };
  }
  const refs = sig.getReferences();
  const signed = sig.getSignedReferences();
  const index = refs.findIndex((r) => r.uri === '');
  if (signed.length !== 2 || index < 0) return scope('unexpected signed references');
  return { valid: true, signedXml: signed[index], signingTime };
}
