import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';

// Enveloped XMLDSig as the Ministry profile asks: RSA-SHA256, exclusive c14n, one Reference
// with URI="" over the whole document, the signer's certificate in KeyInfo.

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

export interface SigningMaterial {
  privateKeyPem: string;
  certificatePem: string;
}

/** Signs `xml` (a document whose root is the element to sign) and returns the signed document. */
export function signEnveloped(xml: string, key: SigningMaterial): string {
  const sig = new SignedXml({
    privateKey: key.privateKeyPem,
    publicCert: key.certificatePem,
    signatureAlgorithm: RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
  });
  sig.addReference({ xpath: '/*', transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: SHA256, isEmptyUri: true });
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: '/*', action: 'append' } });
  return sig.getSignedXml();
}

export type VerifyOutcome =
  | { valid: true; signedXml: string }
  | { valid: false; code: 'SIGNATURE_MISSING' | 'SIGNATURE_INVALID' | 'SIGNATURE_SCOPE'; reason: string };

/**
 * Verifies the one enveloped signature of a document against a certificate the verifier
 * already trusts (never the one the document carries). On success returns the XML that the
 * signature covers: callers must read that, not the original text, so that nothing outside the
 * signed scope (a wrapped or moved element) is ever acted on.
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
  const sig = new SignedXml({ publicCert: trustedCertPem, getCertFromKeyInfo: () => null });
  try {
    sig.loadSignature(signatures[0]);
  } catch (e) {
    return { valid: false, code: 'SIGNATURE_INVALID', reason: (e as Error).message };
  }
  const refs = sig.getReferences();
  if (refs.length !== 1 || !(refs[0].uri === '' || refs[0].uri === undefined)) {
    return { valid: false, code: 'SIGNATURE_SCOPE', reason: 'the signature must have one reference with URI="" covering the whole document' };
  }
  try {
    if (!sig.checkSignature(xml)) return { valid: false, code: 'SIGNATURE_INVALID', reason: 'signature does not verify' };
  } catch (e) {
    return { valid: false, code: 'SIGNATURE_INVALID', reason: (e as Error).message };
  }
  const signed = sig.getSignedReferences();
  if (signed.length !== 1) return { valid: false, code: 'SIGNATURE_SCOPE', reason: 'unexpected signed references' };
  return { valid: true, signedXml: signed[0] };
}
