// The algorithm URIs and names of the signature profile (specs/ministry-profile/v0/README.md,
// "Signatures"), shared by the packet writer, the packet verifier and the record verifier.

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
/** Canonical XML 1.0 without comments: what XAdES reads an absent CanonicalizationMethod of a time-stamp as. */
export const C14N_10 = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
/** XAdES 1.3.2 (ETSI EN 319 132-1): the namespace of a signature's qualifying properties (its time-stamp). */
export const XADES_NS = 'http://uri.etsi.org/01903/v1.3.2#';
export const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
export const SIGNATURE_PROPERTIES_TYPE = 'http://www.w3.org/2000/09/xmldsig#SignatureProperties';

/** The Id of the province's packet signature and of its SignatureProperties; record Ids may not start with `pkt-`. */
export const PACKET_SIGNATURE_ID = 'pkt-sig';
export const PACKET_PROPERTIES_ID = 'pkt-sig-props';
export const RESERVED_ID_PREFIX = 'pkt-';

/** Signing time as the profile writes it: UTC, milliseconds, `Z`. */
export function signingTimeText(at: Date): string {
  return at.toISOString();
}

/**
 * Reads a SigningTime value. Vietnamese signing tools often write local time without a zone
 * (`2025-05-31T10:00:00`); that is read as Vietnam time (UTC+7). Returns null when unreadable.
 */
export function parseSigningTime(text: string): Date | null {
  const s = text.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?$/.exec(s);
  if (!m) return null;
  const zone = m[8] ?? '+07:00';
  const fraction = m[7] ? m[7].slice(0, 4) : '';
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${fraction}${zone}`);
  return Number.isFinite(ms) ? new Date(ms) : null;
}
