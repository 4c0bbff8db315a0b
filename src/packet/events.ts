import { escapeText, sha256Hex } from '../canonical/xml.js';

// Corrections and withdrawals as events (issue 15 item 10), in the spirit of the national data
// centre's exchange convention: each record of a packet says what it does to the Ministry's copy
// of the record book, with a version that only goes up.
//   NEW     the Ministry holds no record book under this key (or holds a withdrawn one);
//   UPDATE  it holds an earlier version, which this one replaces;
//   CANCEL  it holds a version, which is withdrawn. A withdrawal takes the next version of the
//           record book, so a later submission needs a version above it.
// The gateway chooses NEW or UPDATE when it sends (outbox/events.ts): UPDATE when the Ministry
// has acknowledged a version of the key that is not withdrawn, NEW otherwise.
// specs/ministry-profile/v0/README.md, "Events", is the contract.

export const PACKET_EVENTS = Object.freeze(['NEW', 'UPDATE', 'CANCEL'] as const);
export type PacketEvent = (typeof PACKET_EVENTS)[number];

/** The namespace of the <withdrawal> element a CANCEL carries instead of a <hocba>. */
export const EVENT_NAMESPACE = 'urn:moet:hocba:event:v0';

/** What the outbox row of a record is: a record book's version, or the withdrawal of one. */
export const RECORD_KINDS = Object.freeze(['record', 'withdrawal'] as const);
export type RecordKind = (typeof RECORD_KINDS)[number];

export interface Withdrawal {
  recordKey: string;
  /** The withdrawal's own version: one above the version it withdraws. */
  version: number;
  /** The content hash of the version the Ministry holds and this withdraws. */
  withdrawnContentHash: string;
  /** Why, in the words of whoever asked (sent to the Ministry; never logged). */
  reason: string;
  /** ISO 8601, UTC. */
  requestedAt: string;
}

/**
 * The <withdrawal> element in exclusive canonical form (no whitespace, its own namespace declared,
 * as a <hocba> declares its own), so that it is written into the packet byte for byte and its
 * content hash is the SHA-256 of these bytes, as a record's is.
 */
export function withdrawalXml(w: Withdrawal): { xml: string; contentHash: string } {
  const xml =
    `<withdrawal xmlns="${EVENT_NAMESPACE}">` +
    `<recordKey>${escapeText(w.recordKey)}</recordKey>` +
    `<version>${w.version}</version>` +
    `<withdrawnContentHash>${escapeText(w.withdrawnContentHash)}</withdrawnContentHash>` +
    `<reason>${escapeText(w.reason)}</reason>` +
    `<requestedAt>${escapeText(w.requestedAt)}</requestedAt>` +
    `</withdrawal>`;
  return { xml, contentHash: sha256Hex(xml) };
}

/** The event of a claimed row: a withdrawal is a CANCEL; a record an UPDATE when the Ministry holds a live version of its key. */
export function eventOf(kind: RecordKind, ministryHoldsKey: boolean): PacketEvent {
  if (kind === 'withdrawal') return 'CANCEL';
  return ministryHoldsKey ? 'UPDATE' : 'NEW';
}
