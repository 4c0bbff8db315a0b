// One cheap pass over an XML text before any parser builds a tree of it: the size, element
// count, depth and attribute count are bounded (a 9.6 MB document of 2.4 million elements took
// xmldom 15-49 s and 5.8 GB; a 100,000-level one overflowed the stack of the recursive walks
// after it), and what XML 1.0 forbids but xmldom lets through is refused here, as libxml2 (the
// Ministry's xmlsec1) refuses it: characters outside the Char production, raw or as character
// references; entity references other than the five predefined; "]]>" in text; "--" in a
// comment; "<" in an attribute value; mismatched or unclosed tags; an XML declaration that is
// not version 1.0 or names an encoding other than UTF-8 (the text has already been decoded as
// UTF-8: any other declared encoding would make libxml2 read other characters than the gateway
// did, and digest other bytes); and any DTD ("<!DOCTYPE", "<!ENTITY"), which the profile does
// not allow. Nothing is built but a stack of open element names, as deep as maxDepth at most.
// It scans with indexOf from marker to marker, so a valid signed học bạ (15 kB, 300 elements)
// costs a few hundredths of a millisecond.

export interface XmlLimits {
  /** UTF-8 bytes of one document. */
  maxDocumentBytes: number;
  /** Elements in one document. */
  maxElements: number;
  /** Nesting depth (the document element is depth 1). */
  maxDepth: number;
  /** Attributes in one document, namespace declarations included. */
  maxAttributes: number;
}

/**
 * A signed học bạ has about 300 elements, 10 levels, 40 attributes and 15 kB (three
 * certificates included); these leave a generous margin. config/default.json signedRecords.
 */
export const DEFAULT_XML_LIMITS: Readonly<XmlLimits> = Object.freeze({ maxDocumentBytes: 1_048_576, maxElements: 5000, maxDepth: 32, maxAttributes: 1000 });

/** The limits of a settings block that has them (signedRecords). */
export function xmlLimitsOf(s: XmlLimits): XmlLimits {
  return { maxDocumentBytes: s.maxDocumentBytes, maxElements: s.maxElements, maxDepth: s.maxDepth, maxAttributes: s.maxAttributes };
}

/** The UTF-8 length of `s` when it is over `max` bytes (or a lower bound that is), else null; counted only when its UTF-16 length leaves it in doubt. */
export function overBytes(s: string, max: number): number | null {
  if (s.length * 3 <= max) return null;
  if (s.length > max) return s.length; // at least one byte per code unit: enough to refuse
  const bytes = Buffer.byteLength(s, 'utf8');
  return bytes > max ? bytes : null;
}

/** Why not, and where when it is known: the open elements' names, then `@attribute` for one in a start tag. */
export type PrescanRefusal = { kind: 'too-large' | 'limit' | 'malformed'; detail: string; path?: string };

/**
 * Code units that may start a character outside XML 1.0 Char (§2.2): controls, U+FFFE/U+FFFF
 * and surrogates (which are fine in pairs). A plain class without the u flag: the u-flag
 * negated class over the whole Char production took 0.24 ms per 12 kB document, this 0.01.
 */
const SUSPECT = /[\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/g;

/** The first character of `s` outside XML 1.0 Char, with its position, or null. */
export function firstNonXmlChar(s: string): { codePoint: number; index: number } | null {
  SUSPECT.lastIndex = 0;
  for (let m = SUSPECT.exec(s); m; m = SUSPECT.exec(s)) {
    const i = m.index;
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        SUSPECT.lastIndex = i + 2;
        continue;
      }
    }
    return { codePoint: c, index: i };
  }
  return null;
}
const PREDEFINED = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);
const XML_DECL = /^\s+version\s*=\s*(["'])([^"']*)\1(?:\s+encoding\s*=\s*(["'])([^"']*)\3)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\5)?\s*$/;

const u = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
const isXmlChar = (cp: number) => cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
const isSpace = (c: number) => c === 0x20 || c === 0x9 || c === 0xa || c === 0xd;

class Stop extends Error {
  constructor(readonly refusal: PrescanRefusal) {
    super(refusal.detail);
  }
}
const malformed = (detail: string, path?: () => string): never => {
  throw new Stop({ kind: 'malformed', detail, ...(path ? { path: path() } : {}) });
};
const limit = (detail: string): never => {
  throw new Stop({ kind: 'limit', detail });
};

/** Null when `xml` is within `limits` and passes the checks above; otherwise why not. */
export function prescanXml(xml: string, limits: XmlLimits = DEFAULT_XML_LIMITS): PrescanRefusal | null {
  const bytes = overBytes(xml, limits.maxDocumentBytes);
  if (bytes !== null) return { kind: 'too-large', detail: `the document has ${bytes} bytes or more; at most ${limits.maxDocumentBytes} are accepted` };
  const bad = firstNonXmlChar(xml);
  if (bad) return { kind: 'malformed', detail: `the character ${u(bad.codePoint)} at position ${bad.index} is not allowed in XML 1.0` };
  try {
    scan(xml, limits);
    return null;
  } catch (e) {
    if (e instanceof Stop) return e.refusal;
    throw e;
  }
}

function scan(xml: string, limits: XmlLimits): void {
  const n = xml.length;
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (xml.startsWith('<?xml', i) && isSpace(xml.charCodeAt(i + 5))) {
    const end = xml.indexOf('?>', i);
    if (end < 0) malformed('the XML declaration is not closed');
    const m = XML_DECL.exec(xml.slice(i + 5, end));
    if (!m) malformed('the XML declaration is not well-formed');
    if (m![2] !== '1.0') malformed(`the document declares XML version ${m![2]}; only XML 1.0 is accepted`);
    if (m![4] !== undefined && !/^utf-?8$/i.test(m![4])) {
      malformed(`the document declares encoding ${m![4]}; signed documents are UTF-8 (declare encoding="UTF-8", or no encoding)`);
    }
    i = end + 2;
  }
  // Next occurrences of the markers that are searched for in every text run: found once and
  // searched for again only once passed, so that the whole scan stays linear.
  let nextAmp = xml.indexOf('&', i);
  let nextCdataEnd = xml.indexOf(']]>', i);
  const open: string[] = [];
  // Paths are written only for a refusal: a thunk per text run, not a string.
  const pathOf = (...more: string[]) => () => '/' + [...open, ...more].join('/');
  const here = pathOf();
  const refsIn = (start: number, end: number, where: string, path: () => string): void => {
    if (nextAmp !== -1 && nextAmp < start) nextAmp = xml.indexOf('&', start);
    while (nextAmp !== -1 && nextAmp < end) {
      const semi = xml.indexOf(';', nextAmp);
      if (semi < 0 || semi >= end) malformed(`an "&" in ${where} at position ${nextAmp} starts no reference (write &amp;)`, path);
      const ref = xml.slice(nextAmp + 1, semi);
      if (ref.charCodeAt(0) === 0x23 /* # */) {
        const cp = /^#x[0-9A-Fa-f]{1,6}$/.test(ref) ? parseInt(ref.slice(2), 16) : /^#[0-9]{1,7}$/.test(ref) ? parseInt(ref.slice(1), 10) : NaN;
        if (Number.isNaN(cp)) malformed(`the character reference &${ref.slice(0, 40)}; in ${where} at position ${nextAmp} is not well-formed`, path);
        if (!isXmlChar(cp)) malformed(`the character reference &${ref}; in ${where} at position ${nextAmp} is to ${u(cp)}, which XML 1.0 does not allow`, path);
      } else if (!PREDEFINED.has(ref)) {
        malformed(`the entity reference &${ref.slice(0, 40)}; in ${where} at position ${nextAmp} is not defined (only &amp; &lt; &gt; &quot; &apos; are, and no DTD may define others)`, path);
      }
      nextAmp = xml.indexOf('&', semi + 1);
    }
  };

  let elements = 0;
  let attributes = 0;
  let rootDone = false;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) {
      if (open.length === 0) {
        for (let k = i; k < textEnd; k++) if (!isSpace(xml.charCodeAt(k))) malformed(`text outside the document element at position ${k}`);
      } else {
        if (nextCdataEnd !== -1 && nextCdataEnd < i) nextCdataEnd = xml.indexOf(']]>', i);
        if (nextCdataEnd !== -1 && nextCdataEnd + 3 <= textEnd) malformed(`"]]>" in text at position ${nextCdataEnd} (XML 1.0 allows it only to close a CDATA section)`, here);
        refsIn(i, textEnd, 'text', here);
      }
    }
    if (lt < 0) break;
    const c = xml.charCodeAt(lt + 1);
    if (c === 0x21 /* ! */) {
      if (xml.startsWith('<!--', lt)) {
        const end = xml.indexOf('-->', lt + 4);
        if (end < 0) malformed(`a comment at position ${lt} is not closed`);
        const dashes = xml.indexOf('--', lt + 4);
        if (dashes < end) malformed(`"--" inside the comment at position ${lt} (XML 1.0 does not allow it)`, here);
        i = end + 3;
      } else if (xml.startsWith('<![CDATA[', lt)) {
        if (open.length === 0) malformed(`a CDATA section outside the document element at position ${lt}`);
        const end = xml.indexOf(']]>', lt + 9);
        if (end < 0) malformed(`the CDATA section at position ${lt} is not closed`);
        i = end + 3;
      } else {
        malformed(`a DTD or declaration ("${xml.slice(lt, lt + 10)}…") at position ${lt}: documents with a DTD are not accepted`);
      }
      continue;
    }
    if (c === 0x3f /* ? */) {
      const end = xml.indexOf('?>', lt + 2);
      if (end < 0) malformed(`the processing instruction at position ${lt} is not closed`);
      let k = lt + 2;
      while (k < end && !isSpace(xml.charCodeAt(k))) k++;
      if (xml.slice(lt + 2, k).toLowerCase() === 'xml') malformed(`an XML declaration at position ${lt}, not at the start of the document`);
      i = end + 2;
      continue;
    }
    if (c === 0x2f /* / */) {
      const end = xml.indexOf('>', lt + 2);
      if (end < 0) malformed(`the end tag at position ${lt} is not closed`);
      let k = end;
      while (k > lt + 2 && isSpace(xml.charCodeAt(k - 1))) k--;
      const name = xml.slice(lt + 2, k);
      const expected = open.pop();
      if (name !== expected) malformed(expected === undefined ? `an end tag </${name.slice(0, 40)}> with no element open` : `the end tag </${name.slice(0, 40)}> does not close <${expected}>`);
      if (open.length === 0) rootDone = true;
      i = end + 1;
      continue;
    }
    // A start tag: its name, then attributes up to ">" or "/>".
    if (rootDone) malformed(`a second document element at position ${lt}`);
    let j = lt + 1;
    while (j < n) {
      const ch = xml.charCodeAt(j);
      if (isSpace(ch) || ch === 0x3e /* > */ || ch === 0x2f /* / */) break;
      j++;
    }
    const name = xml.slice(lt + 1, j);
    if (name === '' || name.includes('<')) malformed(`a "<" at position ${lt} starts no element (write &lt;)`);
    if (++elements > limits.maxElements) limit(`the document has more than ${limits.maxElements} elements`);
    if (open.length + 1 > limits.maxDepth) limit(`elements are nested more than ${limits.maxDepth} deep`);
    let selfClosing = false;
    for (;;) {
      const spaceAt = j;
      while (j < n && isSpace(xml.charCodeAt(j))) j++;
      if (j >= n) malformed(`the start tag <${name.slice(0, 40)}> at position ${lt} is not closed`);
      const ch = xml.charCodeAt(j);
      if (ch === 0x3e /* > */) {
        j++;
        break;
      }
      if (ch === 0x2f /* / */) {
        if (xml.charCodeAt(j + 1) !== 0x3e) malformed(`a "/" in the start tag <${name.slice(0, 40)}> at position ${j}`);
        j += 2;
        selfClosing = true;
        break;
      }
      if (j === spaceAt) malformed(`attributes of <${name.slice(0, 40)}> at position ${j} are not separated by white space`);
      const nameAt = j;
      while (j < n) {
        const a = xml.charCodeAt(j);
        if (a === 0x3d /* = */ || isSpace(a) || a === 0x3e || a === 0x2f || a === 0x3c) break;
        j++;
      }
      if (j === nameAt) malformed(`an attribute of <${name.slice(0, 40)}> at position ${j} has no name`);
      while (j < n && isSpace(xml.charCodeAt(j))) j++;
      if (xml.charCodeAt(j) !== 0x3d) malformed(`the attribute ${xml.slice(nameAt, j).trim().slice(0, 40)} at position ${nameAt} has no value`);
      j++;
      while (j < n && isSpace(xml.charCodeAt(j))) j++;
      const valueAt = j;
      const quote = xml.charCodeAt(j);
      if (quote !== 0x22 && quote !== 0x27) malformed(`the value of the attribute at position ${nameAt} is not quoted`);
      const end = xml.indexOf(quote === 0x22 ? '"' : "'", j + 1);
      if (end < 0) malformed(`the value of the attribute at position ${nameAt} is not closed`);
      const ltIn = xml.indexOf('<', j + 1);
      const attrPath = () => pathOf(name, `@${xml.slice(nameAt, valueAt).replace(/[\s=]+$/, '')}`)();
      if (ltIn !== -1 && ltIn < end) malformed(`a "<" in the value of the attribute at position ${nameAt} (write &lt;)`, attrPath);
      refsIn(j + 1, end, 'an attribute value', attrPath);
      if (++attributes > limits.maxAttributes) limit(`the document has more than ${limits.maxAttributes} attributes`);
      j = end + 1;
    }
    if (selfClosing) {
      if (open.length === 0) rootDone = true;
    } else {
      open.push(name);
    }
    i = j;
  }
  if (open.length > 0) malformed(`<${open[open.length - 1]}> is not closed`);
  if (!rootDone) malformed('no document element');
}
