import { createHash } from 'node:crypto';
import { ITEM_NAMES } from './profiles.js';
import { namespaceOfRecord, type CanonicalRecord } from './record.js';

// Writes the XML rendition of a canonical record directly in exclusive canonical form
// (xml-exc-c14n): no declaration, no whitespace between elements, `<a></a>` for empty
// elements, the namespace declared once on the root. Because the bytes written are already
// canonical, the content hash is a hash of these bytes; tests check it against xml-crypto's c14n.

// XML 1.0 Char production (§2.2): anything else is ill-formed, even as a character reference,
// and one such character would make the Ministry refuse the whole packet. Validation rejects
// these at the door (validation/rules/xml-chars.ts); this is the last line of defence.
export const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
// Every string that can fail NOT_XML_CHAR holds one of these UTF-16 code units (a control, a
// surrogate, U+FFFE/U+FFFF); the converse is not so (a well-paired surrogate is fine). A test
// without the `u` flag runs about 4x faster (2,850 Vietnamese characters: 4.3 µs against 16.3;
// a name: 45 ns against 116), and a record's ~300 strings are tested twice, in validation and here.
const MAYBE_NOT_XML = '\\0-\\x08\\x0B\\x0C\\x0E-\\x1F\\uD800-\\uDFFF\\uFFFE\\uFFFF';
const MAYBE_NOT_XML_CHAR = new RegExp(`[${MAYBE_NOT_XML}]`);

/** Whether `s` holds a character XML 1.0 cannot carry, even as a character reference. */
export function hasNotXmlChar(s: string): boolean {
  return MAYBE_NOT_XML_CHAR.test(s) && NOT_XML_CHAR.test(s);
}

function assertXmlChars(s: string): void {
  if (!hasNotXmlChar(s)) return;
  const m = NOT_XML_CHAR.exec(s);
  if (m) throw new RangeError(`U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML 1.0`);
}

// Most values need neither escaping nor a closer look at their characters: one test for both
// (what needs escaping, and what MAYBE_NOT_XML_CHAR looks for) returns them as they are.
const TEXT_SPECIALS = /[&<>\r]/;
const ATTR_SPECIALS = /[&<"\t\n\r]/;
const TEXT_PLAIN_NOT = new RegExp(`[&<>\\r${MAYBE_NOT_XML}]`);
const ATTR_PLAIN_NOT = new RegExp(`[&<"\\t\\n\\r${MAYBE_NOT_XML}]`);

export function escapeText(s: string): string {
  if (!TEXT_PLAIN_NOT.test(s)) return s;
  assertXmlChars(s);
  if (!TEXT_SPECIALS.test(s)) return s;
  return s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#xD;'));
}

export function escapeAttr(s: string): string {
  if (!ATTR_PLAIN_NOT.test(s)) return s;
  assertXmlChars(s);
  if (!ATTR_SPECIALS.test(s)) return s;
  return s.replace(/[&<"\t\n\r]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '"' ? '&quot;' : c === '\t' ? '&#x9;' : c === '\n' ? '&#xA;' : '&#xD;',
  );
}

// Each element name's start and end tags, made once: a record repeats some 60 names in ~300
// elements, and building the tags anew each time took a sixth of rendering (45.5 -> 38 µs a
// record with Buffer.from, 2,000 vnEdu records). Capped, as recordToXml also renders records no
// schema has checked (tests, tools).
const TAGS = new Map<string, readonly [string, string]>();
function tagsOf(name: string): readonly [string, string] {
  let tags = TAGS.get(name);
  if (tags === undefined) {
    tags = [`<${name}>`, `</${name}>`];
    if (TAGS.size < 1000) TAGS.set(name, tags);
  }
  return tags;
}

// One string built by concatenation (V8 keeps it as a rope until it is hashed): cheaper than an
// array of parts joined at the end. Numbers and booleans need no escaping.
function writeValue(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  const [start, end] = tagsOf(name);
  if (typeof value === 'string') return start + escapeText(value) + end;
  if (typeof value === 'number' || typeof value === 'boolean') return start + value + end;
  let out = start;
  if (Array.isArray(value)) {
    const item = Object.hasOwn(ITEM_NAMES, name) ? ITEM_NAMES[name]! : 'item';
    for (const v of value) out += writeValue(item, v);
  } else if (typeof value === 'object') {
    for (const k in value) if (Object.hasOwn(value, k)) out += writeValue(k, (value as Record<string, unknown>)[k]);
  } else {
    return start + escapeText(String(value)) + end;
  }
  return out + end;
}

/** The `<hocba>` element of a record, in exclusive canonical form. */
export function recordToXml(record: CanonicalRecord): string {
  let out = `<hocba xmlns="${namespaceOfRecord(record)}">`;
  for (const k in record) if (Object.hasOwn(record, k)) out += writeValue(k, (record as unknown as Record<string, unknown>)[k]);
  return out + '</hocba>';
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Content hash of a record as the Ministry computes it: SHA-256 of the canonical `<hocba>` element. */
export function contentHashOf(recordXml: string | Buffer): string {
  return sha256Hex(recordXml);
}
