import {
  C14nUnsupported,
  CDATA_SECTION_NODE,
  compareCodePoints,
  ELEMENT_NODE,
  escapeC14nAttr,
  escapeC14nText,
  PROCESSING_INSTRUCTION_NODE,
  TEXT_NODE,
  XML_NS,
  XMLNS_NS,
} from './exc-c14n.js';

// Canonical XML 1.0 without comments (http://www.w3.org/TR/2001/REC-xml-c14n-20010315) of one
// element that holds text only: what XAdES hashes for a signature time-stamp whose
// CanonicalizationMethod is inclusive c14n or absent (ETSI EN 319 132-1 reads absent as that),
// over a ds:SignatureValue. Inclusive c14n renders every namespace in scope at the apex, those
// declared on its ancestors included, and the xml:* attributes it inherits (§2.4); a general
// implementation is not needed here, so an element with element children is refused.

/** A namespace declaration (`xmlns` or `xmlns:p`), however the parser filed it. */
const isNamespaceDecl = (a: Attr) => a.namespaceURI === XMLNS_NS || a.name === 'xmlns' || a.name.startsWith('xmlns:');

/** The canonical form of `el`, an element with text content only, as the apex of its document subset. */
export function inclusiveC14nOfLeaf(el: Element): string {
  // Namespaces in scope (nearest declaration wins) and the xml:* attributes inherited.
  const namespaces = new Map<string, string>();
  const inheritedXml = new Map<string, string>();
  for (let e: Element | null = el; e && e.nodeType === ELEMENT_NODE; e = e.parentNode as Element | null) {
    const list = e.attributes;
    for (let i = 0; i < list.length; i++) {
      const a = list[i]!;
      if (isNamespaceDecl(a)) {
        const prefix = a.name === 'xmlns' ? '' : a.name.slice(6);
        if (!namespaces.has(prefix)) namespaces.set(prefix, a.value);
      } else if (e !== el && a.namespaceURI === XML_NS && !inheritedXml.has(a.name)) {
        inheritedXml.set(a.name, a.value);
      }
    }
  }
  // The element's own prefix is in scope even where a parser left its declaration implicit.
  const own = el.prefix ?? '';
  if (!namespaces.has(own) && el.namespaceURI) namespaces.set(own, el.namespaceURI);
  let decls = '';
  for (const p of [...namespaces.keys()].sort(compareCodePoints)) {
    const uri = namespaces.get(p)!;
    if (p === 'xml' || (p === '' && uri === '')) continue;
    decls += p === '' ? ` xmlns="${escapeC14nAttr(uri)}"` : ` xmlns:${p}="${escapeC14nAttr(uri)}"`;
  }
  const attrs: { ns: string; local: string; qname: string; value: string }[] = [];
  const list = el.attributes;
  for (let i = 0; i < list.length; i++) {
    const a = list[i]!;
    if (isNamespaceDecl(a)) continue;
    attrs.push({ ns: a.namespaceURI ?? '', local: a.localName ?? a.name, qname: a.name, value: a.value });
  }
  for (const [qname, value] of inheritedXml) if (!attrs.some((a) => a.qname === qname)) attrs.push({ ns: XML_NS, local: qname.slice(4), qname, value });
  attrs.sort((a, b) => compareCodePoints(a.ns, b.ns) || compareCodePoints(a.local, b.local));
  let text = '';
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === TEXT_NODE || n.nodeType === CDATA_SECTION_NODE) text += escapeC14nText(n.nodeValue ?? '');
    else if (n.nodeType === ELEMENT_NODE || n.nodeType === PROCESSING_INSTRUCTION_NODE) throw new C14nUnsupported(`inclusive c14n is supported here for an element with text content only (<${el.tagName}> has more)`);
  }
  return `<${el.tagName}${decls}${attrs.map((a) => ` ${a.qname}="${escapeC14nAttr(a.value)}"`).join('')}>${text}</${el.tagName}>`;
}
