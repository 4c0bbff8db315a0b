import { escapeAttr, escapeText } from '../canonical/xml.js';

export const PACKET_NAMESPACE = 'urn:moet:hocba:packet:v0';

export interface PacketRecord {
  recordKey: string;
  contentHash: string;
  /** The canonical `<hocba>` element (canonical/xml.ts). */
  xml: string;
}

export interface PacketInput {
  packetId: string;
  provinceCode: string;
  createdAt: string;
  records: PacketRecord[];
}

/** The unsigned packet document (specs/ministry-profile/v0/README.md), without whitespace. */
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
    parts.push(`<record key="${escapeAttr(r.recordKey)}" contentHash="${r.contentHash}">`, r.xml, '</record>');
  }
  parts.push('</records>', '</packet>');
  return parts.join('');
}
