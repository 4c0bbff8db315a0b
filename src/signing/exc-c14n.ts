// Exclusive XML Canonicalization without comments (http://www.w3.org/2001/10/xml-exc-c14n#) of
// one element subtree of an @xmldom/xmldom DOM. xml-crypto's implementation is general but slow
// (most of its 230 verifications/s go there); this one is a single walk that writes the octets
// straight out. It covers what signed học bạ documents can hold: elements, attributes, text,
// CDATA and comments (dropped); it refuses processing instructions. Tests compare it with xml-crypto's c14n
// and xmlsec1 on the same documents, so a difference shows up as a failing test, not a forged
// signature accepted. Documents with a DTD never get here (the verifier refuses them).

export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** DOM node types the canonicalisers read (inclusive-c14n.ts too). */
export const ELEMENT_NODE = 1;
export const TEXT_NODE = 3;
export const CDATA_SECTION_NODE = 4;
export const PROCESSING_INSTRUCTION_NODE = 7;

export function escapeC14nText(s: string): string {
  return /[&<>\r]/.test(s) ? s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#xD;')) : s;
}

export function escapeC14nAttr(s: string): string {
  return /[&<"\t\n\r]/.test(s)
    ? s.replace(/[&<"\t\n\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '"' ? '&quot;' : c === '\t' ? '&#x9;' : c === '\n' ? '&#xA;' : '&#xD;'))
    : s;
}

export class C14nUnsupported extends Error {}

/** prefix ('' for the default namespace) → namespace URI rendered by an output ancestor. */
type Rendered = ReadonlyMap<string, string>;

const EMPTY: Rendered = new Map([['', '']]);

interface Attr {
  ns: string;
  local: string;
  qname: string;
  value: string;
}

/**
 * Orders two strings by Unicode code point, as Canonical XML sorts attributes (and namespace
 * declarations) and as libxml2 does by comparing UTF-8 bytes. JavaScript's `<` compares UTF-16
 * code units, which differs exactly where one string has a surrogate (a character beyond U+FFFF,
 * 0xD800-0xDFFF) and the other a character from U+E000 to U+FFFF at the first difference: the
 * code units are shifted there so that surrogates sort above them.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  let x = a.charCodeAt(i);
  let y = b.charCodeAt(i);
  if (x >= 0xd800 && y >= 0xd800) {
    x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
  }
  return x - y;
}

function compareAttrs(a: Attr, b: Attr): number {
  return compareCodePoints(a.ns, b.ns) || compareCodePoints(a.local, b.local);
}

/**
 * Subtrees to keep while writing a larger one (`wanted`), and where their text is kept. A kept
 * subtree's text is its own exclusive canonical form, as excC14n(el) alone would write it; one
 * whose output context would change that text is not kept (see `standsAlone`).
 */
interface Capture {
  wanted: (el: Element) => boolean;
  subtrees: Map<Element, string>;
}

/**
 * Whether `el` written in the context `rendered` gives the same octets as written alone. Its
 * output depends on the context only through the prefixes it and its descendants look up; with
 * nothing rendered but the default namespace, and that one undone or re-declared by `el` itself,
 * every lookup below `el` answers as it would alone.
 */
function standsAlone(el: Element, rendered: Rendered): boolean {
  for (const p of rendered.keys()) if (p !== '') return false;
  const outer = rendered.get('') ?? '';
  if (outer === '') return true;
  const ns = el.namespaceURI ?? '';
  return (el.prefix ?? '') === '' && ns !== '' && ns !== outer;
}

function writeElement(el: Element, rendered: Rendered, out: string[], capture?: Capture): void {
  if (capture?.wanted(el) && standsAlone(el, rendered)) {
    // Joined once, kept, and handed on as one piece: the whole document's join is then short.
    const own: string[] = [];
    writeElement(el, rendered, own);
    const text = own.join('');
    capture.subtrees.set(el, text);
    out.push(text);
    return;
  }
  const prefix = el.prefix ?? '';
  const elementNs = el.namespaceURI ?? '';
  const list = el.attributes;
  if (list.length === 0 && (rendered.get(prefix) ?? (prefix === '' ? '' : undefined)) === elementNs) {
    // The common case (most elements of a record): no attributes, namespace already in scope.
    const name = el.tagName;
    out.push(`<${name}>`);
    writeChildren(el, rendered, out, capture);
    out.push(`</${name}>`);
    return;
  }
  const attrs: Attr[] = [];
  // Namespaces this element visibly utilises: its own prefix (or the default namespace) and the
  // prefixes of its attributes. Only these are rendered, and only where the output does not
  // already have them in scope with the same URI.
  const used = new Map<string, string>([[prefix, elementNs]]);
  for (let i = 0; i < list.length; i++) {
    const a = list[i] as Attr & globalThis.Attr;
    const ns = a.namespaceURI ?? '';
    if (ns === XMLNS_NS) continue;
    const aPrefix = a.prefix ?? '';
    if (aPrefix !== '' && ns !== XML_NS) used.set(aPrefix, ns);
    attrs.push({ ns, local: a.localName ?? a.name, qname: a.name, value: a.value });
  }
  let decls = '';
  let next: Map<string, string> | null = null;
  const prefixes = used.size > 1 ? [...used.keys()].sort(compareCodePoints) : [...used.keys()];
  for (const p of prefixes) {
    const uri = used.get(p)!;
    if (p === 'xml') continue;
    if ((rendered.get(p) ?? (p === '' ? '' : undefined)) === uri) continue;
    // An empty default namespace needs `xmlns=""` only to undo a rendered non-empty one.
    if (p === '' && uri === '' && (rendered.get('') ?? '') === '') continue;
    decls += p === '' ? ` xmlns="${escapeC14nAttr(uri)}"` : ` xmlns:${p}="${escapeC14nAttr(uri)}"`;
    next ??= new Map(rendered);
    next.set(p, uri);
  }
  if (attrs.length > 1) attrs.sort(compareAttrs);
  let attrText = '';
  for (const a of attrs) attrText += ` ${a.qname}="${escapeC14nAttr(a.value)}"`;
  const name = el.tagName;
  out.push(`<${name}${decls}${attrText}>`);
  writeChildren(el, next ?? rendered, out, capture);
  out.push(`</${name}>`);
}

function writeChildren(el: Element, inScope: Rendered, out: string[], capture: Capture | undefined): void {
  for (let n = el.firstChild; n; n = n.nextSibling) {
    switch (n.nodeType) {
      case ELEMENT_NODE:
        writeElement(n as Element, inScope, out, capture);
        break;
      case TEXT_NODE:
      case CDATA_SECTION_NODE:
        out.push(escapeC14nText(n.nodeValue ?? ''));
        break;
      case PROCESSING_INSTRUCTION_NODE:
        // Nothing a học bạ or a signature needs, and no reference c14n to test ours against.
        throw new C14nUnsupported('processing instructions inside signed content are not supported');
      // Comments are dropped (c14n without comments); entity references do not occur (no DTD).
    }
  }
}

/** The exclusive canonical form (without comments, no InclusiveNamespaces) of `el` and its subtree. */
export function excC14n(el: Element): string {
  const out: string[] = [];
  writeElement(el, EMPTY, out);
  return out.join('');
}

/**
 * excC14n(el), keeping on the way the canonical form of each subtree `wanted` picks, each as
 * excC14n would write it alone: a packet's digest and its records' content hashes from one walk.
 * A wanted subtree whose text would differ alone (a namespace context it shares with its
 * ancestors) is left out of `subtrees`; the caller canonicalises it on its own.
 */
export function excC14nWithSubtrees(el: Element, wanted: (el: Element) => boolean): { text: string; subtrees: Map<Element, string> } {
  const out: string[] = [];
  const capture: Capture = { wanted, subtrees: new Map() };
  writeElement(el, EMPTY, out, capture);
  return { text: out.join(''), subtrees: capture.subtrees };
}
