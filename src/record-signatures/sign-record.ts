import { createHash, sign as rsaSign, type KeyObject } from 'node:crypto';
import { DSIG_NS, EXC_C14N, RSA_SHA256, SHA256, SIGNATURE_PROPERTIES_TYPE, signingTimeText } from '../signing/signature-format.js';
import { SIGNATURE_ID_OF, SIGNED_NAMESPACE, SIGNED_ROOT, type SignerRole } from './format.js';

// How a school management system signs a học bạ in the profile's format: the teacher, the
// principal and the school seal each sign the canonical <hocba> element by its Id, with the
// signing time in a covered SignatureProperties object. The gateway itself never signs records;
// this exists for the demo (`hocba-gw sample --signed`), the tests and the benchmark, and as the
// executable half of specs/ministry-profile/v1/signed-record.md.

export interface RecordSigner {
  role: SignerRole;
  key: KeyObject;
  /** The signer's certificate (DER), then any intermediates. */
  certificates: Buffer[];
  signingTime: Date;
}

const b64 = (data: string) => createHash('sha256').update(data).digest('base64');

/** Adds `Id="…"` to a canonical `<hocba xmlns="…">` element; the result is still canonical. */
export function withRecordId(canonicalHocba: string, id: string): string {
  const start = `<hocba xmlns="${SIGNED_NAMESPACE}">`;
  if (!canonicalHocba.startsWith(start)) throw new Error('expected a canonical <hocba> element');
  return `<hocba xmlns="${SIGNED_NAMESPACE}" Id="${id}">` + canonicalHocba.slice(start.length);
}

function signature(recordId: string, recordDigest: string, s: RecordSigner): string {
  const sigId = SIGNATURE_ID_OF[s.role];
  const propsId = `${sigId}-props`;
  const props =
    `<ds:SignatureProperties Id="${propsId}"><ds:SignatureProperty Target="#${sigId}">` +
    `<ds:SigningTime>${signingTimeText(s.signingTime)}</ds:SigningTime></ds:SignatureProperty></ds:SignatureProperties>`;
  const canonicalProps = props.replace('<ds:SignatureProperties ', `<ds:SignatureProperties xmlns:ds="${DSIG_NS}" `);
  const body =
    `<ds:CanonicalizationMethod Algorithm="${EXC_C14N}"></ds:CanonicalizationMethod>` +
    `<ds:SignatureMethod Algorithm="${RSA_SHA256}"></ds:SignatureMethod>` +
    `<ds:Reference URI="#${recordId}"><ds:Transforms><ds:Transform Algorithm="${EXC_C14N}"></ds:Transform></ds:Transforms>` +
    `<ds:DigestMethod Algorithm="${SHA256}"></ds:DigestMethod><ds:DigestValue>${recordDigest}</ds:DigestValue></ds:Reference>` +
    `<ds:Reference Type="${SIGNATURE_PROPERTIES_TYPE}" URI="#${propsId}"><ds:Transforms><ds:Transform Algorithm="${EXC_C14N}"></ds:Transform></ds:Transforms>` +
    `<ds:DigestMethod Algorithm="${SHA256}"></ds:DigestMethod><ds:DigestValue>${b64(canonicalProps)}</ds:DigestValue></ds:Reference>` +
    '</ds:SignedInfo>';
  const value = rsaSign('sha256', Buffer.from(`<ds:SignedInfo xmlns:ds="${DSIG_NS}">${body}`), s.key).toString('base64');
  const certs = s.certificates.map((c) => `<ds:X509Certificate>${c.toString('base64')}</ds:X509Certificate>`).join('');
  return (
    `<ds:Signature xmlns:ds="${DSIG_NS}" Id="${sigId}"><ds:SignedInfo>${body}<ds:SignatureValue>${value}</ds:SignatureValue>` +
    `<ds:KeyInfo><ds:X509Data>${certs}</ds:X509Data></ds:KeyInfo><ds:Object>${props}</ds:Object></ds:Signature>`
  );
}

/**
 * The signed document for a record. `hocbaWithId` is the canonical `<hocba>` element carrying its
 * Id (see withRecordId); its SHA-256 is the digest every signature carries, and the record's
 * content hash once the gateway has it.
 */
export function signRecordDocument(hocbaWithId: string, recordId: string, signers: RecordSigner[], covered = hocbaWithId): string {
  // `covered` is the canonical form of the element `recordId` names: the record itself, except in
  // tests that forge a signature over a part of it.
  const digest = b64(covered);
  // The record inherits the root's default namespace, so the redundant declaration goes; its
  // canonical form (what the signatures digest) declares it again as the apex.
  const inner = hocbaWithId.replace(`<hocba xmlns="${SIGNED_NAMESPACE}" `, '<hocba ');
  return `<${SIGNED_ROOT} xmlns="${SIGNED_NAMESPACE}">${inner}${signers.map((s) => signature(recordId, digest, s)).join('')}</${SIGNED_ROOT}>`;
}
