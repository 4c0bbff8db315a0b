import { createHash } from 'node:crypto';
import { ITEM_NAMES } from './profiles.js';
import { RECORD_NAMESPACE, type CanonicalRecord } from './record.js';

// Writes the XML rendition of a canonical record directly in exclusive canonical form
// (xml-exc-c14n): no declaration, no whitespace between elements, `<a></a>` for empty
// elements, the namespace declared once on the root. Because the bytes written are already
// canonical, the content hash is a hash of these bytes; tests check it against xml-crypto's c14n.

// XML 1.0 Char production (§2.2): anything else is ill-formed, even as a character reference,
// and one such character would make the Ministry refuse the whole packet. Validation rejects
// these at the door (validation/rules/xml-chars.ts); this is the last line of defence.
export const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

function assertXmlChars(s: string): void {
  const m = NOT_XML_CHAR.exec(s);
  if (m) throw new RangeError(`U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML 1.0`);
}

export function escapeText(s: string): string {
  assertXmlChars(s);
  return s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#xD;'));
}

export function escapeAttr(s: string): string {
  assertXmlChars(s);
  return s.replace(/[&<"\t\n\r]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '"' ? '&quot;' : c === '\t' ? '&#x9;' : c === '\n' ? '&#xA;' : '&#xD;',
  );
}

function writeValue(name: string, value: unknown, out: string[]): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    out.push(`<${name}>`);
    const item = Object.hasOwn(ITEM_NAMES, name) ? ITEM_NAMES[name]! : 'item';
    for (const v of value) writeValue(item, v, out);
    out.push(`</${name}>`);
  } else if (typeof value === 'object') {
    out.push(`<${name}>`);
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) writeValue(k, v, out);
    out.push(`</${name}>`);
  } else {
    out.push(`<${name}>${escapeText(String(value))}</${name}>`);
  }
}

/** The `<hocba>` element of a record, in exclusive canonical form. */
export function recordToXml(record: CanonicalRecord): string {
  const out: string[] = [`<hocba xmlns="${RECORD_NAMESPACE}">`];
  for (const [k, v] of Object.entries(record)) writeValue(k, v, out);
  out.push('</hocba>');
  return out.join('');
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Content hash of a record as the Ministry computes it: SHA-256 of the canonical `<hocba>` element. */
export function contentHashOf(recordXml: string): string {
  return sha256Hex(recordXml);
}
