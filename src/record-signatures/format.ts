import { RECORD_NAMESPACE } from '../canonical/record.js';

// The signed học bạ document a vendor's SIS sends (specs/ministry-profile/v1/signed-record.md):
//
//   <signedHocba xmlns="urn:moet:hocba:record:v1">
//     <hocba Id="HB-1">…the record…</hocba>
//     <ds:Signature Id="sig-gvcn">…</ds:Signature>        homeroom teacher (GVCN)
//     <ds:Signature Id="sig-hieutruong">…</ds:Signature>  principal (Hiệu trưởng)
//     <ds:Signature Id="sig-seal">…</ds:Signature>        the school's organisation certificate
//   </signedHocba>
//
// Each signature sits beside the record, not inside it, and references it by Id, like the
// signatures of Vietnamese e-invoices: several people sign the same bytes, each signature can be
// added later without breaking the others, and each verifies on its own (xmlsec1 too).

export const SIGNED_ROOT = 'signedHocba';
export const SIGNED_NAMESPACE = RECORD_NAMESPACE;

export const ROLES = ['teacher', 'principal', 'seal'] as const;
export type SignerRole = (typeof ROLES)[number];

/** The Signature Id that declares each role. */
export const SIGNATURE_ID_OF: Readonly<Record<SignerRole, string>> = Object.freeze({
  teacher: 'sig-gvcn',
  principal: 'sig-hieutruong',
  seal: 'sig-seal',
});

export const ROLE_OF_SIGNATURE_ID: ReadonlyMap<string, SignerRole> = new Map(ROLES.map((r) => [SIGNATURE_ID_OF[r], r]));

/** Ids of the record element: XML NCName-like, and not the gateway's reserved `pkt-` prefix. */
export const RECORD_ID_PATTERN = /^(?!pkt-)[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** The time-stamp's time of a signature report as stored (routes/signed-records.ts keeps `timeStamp` as is), or null. */
export function storedStampTime(stored: Record<string, unknown>): string | null {
  const time = (stored.timeStamp as { time?: unknown } | null | undefined)?.time;
  return typeof time === 'string' ? time : null;
}
