import { createHash, webcrypto } from 'node:crypto';
import {
  DSIG_NS,
  ENVELOPED,
  EXC_C14N,
  PACKET_PROPERTIES_ID,
  PACKET_SIGNATURE_ID,
  RSA_SHA256,
  SHA256,
  SIGNATURE_PROPERTIES_TYPE,
  signingTimeText,
} from './signature-format.js';

// The fast path for the province's packet signature. The gateway writes packets itself, already
// in exclusive canonical form (packet/build.ts, canonical/xml.ts), so the digest of the URI=""
// reference (enveloped-signature, then exc-c14n) is simply SHA-256 of the bytes written: no
// parsing, no canonicalisation. SignedInfo and SignatureProperties are written here in their
// canonical form too, so the only costs left are one pass of SHA-256 over the packet and one RSA
// signature. xmlsec1 and xml-crypto verify every kind of output in the tests, which keeps the
// "already canonical" claim honest.

/** Signs SHA-256 over `data` with RSA PKCS#1 v1.5 (the key file, a PKCS#11 token, ...). */
export type RsaSha256 = (data: Buffer) => Buffer | Promise<Buffer>;

function sha256b64(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('base64');
}

/** `<ds:SignatureProperties>` exactly as exc-c14n renders it as an apex (with its xmlns:ds). */
function canonicalProperties(signingTime: string): string {
  return (
    `<ds:SignatureProperties xmlns:ds="${DSIG_NS}" Id="${PACKET_PROPERTIES_ID}">` +
    `<ds:SignatureProperty Target="#${PACKET_SIGNATURE_ID}"><ds:SigningTime>${signingTime}</ds:SigningTime></ds:SignatureProperty>` +
    '</ds:SignatureProperties>'
  );
}

/** The SignedInfo children; the apex start tag differs between the canonical form and the document. */
function signedInfoBody(documentDigest: string, propertiesDigest: string): string {
  return (
    `<ds:CanonicalizationMethod Algorithm="${EXC_C14N}"></ds:CanonicalizationMethod>` +
    `<ds:SignatureMethod Algorithm="${RSA_SHA256}"></ds:SignatureMethod>` +
    '<ds:Reference URI="">' +
    `<ds:Transforms><ds:Transform Algorithm="${ENVELOPED}"></ds:Transform><ds:Transform Algorithm="${EXC_C14N}"></ds:Transform></ds:Transforms>` +
    `<ds:DigestMethod Algorithm="${SHA256}"></ds:DigestMethod><ds:DigestValue>${documentDigest}</ds:DigestValue>` +
    '</ds:Reference>' +
    `<ds:Reference Type="${SIGNATURE_PROPERTIES_TYPE}" URI="#${PACKET_PROPERTIES_ID}">` +
    `<ds:Transforms><ds:Transform Algorithm="${EXC_C14N}"></ds:Transform></ds:Transforms>` +
    `<ds:DigestMethod Algorithm="${SHA256}"></ds:DigestMethod><ds:DigestValue>${propertiesDigest}</ds:DigestValue>` +
    '</ds:Reference>' +
    '</ds:SignedInfo>'
  );
}

export interface EnvelopedSignatureInput {
  /** The whole unsigned document, in exclusive canonical form, without an XML declaration. */
  canonicalXml: string;
  /** The signer's certificate, DER. */
  certificateDer: Buffer;
  signingTime: Date;
  sign: RsaSha256;
}

/**
 * Returns the document with the province's enveloped signature as the last child of its root.
 * The caller vouches that `canonicalXml` is exclusive-canonical; a document that is not would
 * get a signature that no verifier accepts (which the tests would show), never a wrong one.
 */
export async function writeEnvelopedSignature(input: EnvelopedSignatureInput): Promise<string> {
  const xml = input.canonicalXml;
  const close = xml.lastIndexOf('</');
  if (close <= 0 || !xml.endsWith('>') || xml.charCodeAt(0) !== 0x3c) throw new Error('writeEnvelopedSignature: not an XML element');
  const time = signingTimeText(input.signingTime);
  const properties = canonicalProperties(time);
  // The document digest is the one costly step (a 200-record packet is over a megabyte): Web
  // Crypto hashes in libuv's thread pool, off the event loop that answers vendors.
  const documentDigest = Buffer.from(await webcrypto.subtle.digest('SHA-256', Buffer.from(xml, 'utf8'))).toString('base64');
  const body = signedInfoBody(documentDigest, sha256b64(properties));
  const signatureValue = (await input.sign(Buffer.from(`<ds:SignedInfo xmlns:ds="${DSIG_NS}">${body}`, 'utf8'))).toString('base64');
  const signature =
    `<ds:Signature xmlns:ds="${DSIG_NS}" Id="${PACKET_SIGNATURE_ID}">` +
    `<ds:SignedInfo>${body}` +
    `<ds:SignatureValue>${signatureValue}</ds:SignatureValue>` +
    `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${input.certificateDer.toString('base64')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>` +
    // In the document the properties inherit xmlns:ds from <ds:Signature>; their canonical form
    // (what the second reference digests) carries it on the apex, as written above.
    `<ds:Object>${properties.replace(` xmlns:ds="${DSIG_NS}"`, '')}</ds:Object>` +
    '</ds:Signature>';
  return xml.slice(0, close) + signature + xml.slice(close);
}
