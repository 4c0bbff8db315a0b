import { escapeAttr, escapeText } from '../canonical/xml.js';
import type { PacketEvent } from './events.js';

export const PACKET_NAMESPACE = 'urn:moet:hocba:packet:v0';

export interface PacketRecord {
  recordKey: string;
  contentHash: string;
  /** The canonical `<hocba>` element (canonical/xml.ts), or a CANCEL's `<withdrawal>` (events.ts). */
  xml: string;
  /** What the record does to the Ministry's copy (events.ts); absent only in packets written before events. */
  event?: PacketEvent;
}

export interface PacketInput {
  packetId: string;
  provinceCode: string;
  createdAt: string;
  records: PacketRecord[];
}

/**
 * The unsigned packet document (specs/ministry-profile/v0/README.md), written directly in
 * exclusive canonical form (no whitespace, attributes sorted, `<a></a>`), so that the province's
 * signature can digest the bytes as written (signing/enveloped-writer.ts). Record XML must be
 * canonical too (canonical/xml.ts); a test checks the whole against xml-crypto's c14n.
 */
export function buildPacket(p: PacketInput): string {
  const parts: string[] = [
    `<packet xmlns="${PACKET_NAMESPACE}" id="${escapeAttr(p.packetId)}">`,
    '<header>',
    `<packetId>${escapeText(p.packetId)}</packetId>`,
    `<provinceCode>${escapeText(p.provinceCode)}</provinceCode>`,
    `<createdAt>${escapeText(p.createdAt)}</createdAt>`,
    `<recordCount>${p.records.length}</recordCount>`,
    '</header>',
    '<records>',
  ];
  for (const r of p.records) {
    // Attributes in exc-c14n order (sorted by name), so the packet is canonical as written.
    const event = r.event ? ` event="${r.event}"` : '';
    parts.push(`<record contentHash="${escapeAttr(r.contentHash)}"${event} key="${escapeAttr(r.recordKey)}">`, r.xml, '</record>');
  }
  parts.push('</records>', '</packet>');
  return parts.join('');
}
