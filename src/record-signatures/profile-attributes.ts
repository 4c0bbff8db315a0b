import { DSIG_NS, EXC_C14N, XADES_NS } from '../signing/signature-format.js';

// Which attributes a signed học bạ may carry, and where (issue 14, 1a). The record is stored and
// sent to the Ministry as the signatures cover it, attributes included, so an attribute the
// gateway does not check travels into the province's packet: an `Id` equal to the packet
// signature's made the Ministry refuse the whole packet (DUPLICATE_ID). The profile's record has
// no attributes but the `Id` of <hocba>; the signatures have those XMLDSig defines; namespace
// declarations are allowed anywhere (exclusive c14n keeps only those an element uses). Anything
// else is refused with the path of the attribute.

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
const ELEMENT_NODE = 1;

const none: ReadonlySet<string> = new Set();
const set = (...names: string[]): ReadonlySet<string> => new Set(names);

/** XMLDSig (xmldsig-core-schema.xsd) attributes of the elements a profile signature has. */
const DSIG_ATTRIBUTES: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['Signature', set('Id')],
  ['SignedInfo', set('Id')],
  ['CanonicalizationMethod', set('Algorithm')],
  ['SignatureMethod', set('Algorithm')],
  ['Reference', set('Id', 'URI', 'Type')],
  ['Transform', set('Algorithm')],
  ['DigestMethod', set('Algorithm')],
  ['SignatureValue', set('Id')],
  ['KeyInfo', set('Id')],
  ['Object', set('Id', 'MimeType', 'Encoding')],
  ['Manifest', set('Id')],
  ['SignatureProperties', set('Id')],
  ['SignatureProperty', set('Id', 'Target')],
]);

/** XAdES (ETSI EN 319 132-1) attributes of the elements that carry a signature time-stamp (verify-document.ts). */
const XADES_ATTRIBUTES: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['QualifyingProperties', set('Id', 'Target')],
  ['UnsignedProperties', set('Id')],
  ['UnsignedSignatureProperties', set('Id')],
  ['SignatureTimeStamp', set('Id')],
  ['EncapsulatedTimeStamp', set('Id', 'Encoding')],
]);

function allowedOn(el: Element, hocba: Element): ReadonlySet<string> {
  if (el === hocba) return set('Id');
  const ns = el.namespaceURI ?? '';
  if (ns === DSIG_NS) return DSIG_ATTRIBUTES.get(el.localName ?? '') ?? none;
  if (ns === XADES_NS) return XADES_ATTRIBUTES.get(el.localName ?? '') ?? none;
  if (ns === EXC_C14N && el.localName === 'InclusiveNamespaces') return set('PrefixList');
  return none;
}

/** Where an element is: its tag names from the document element, with a position among same-named siblings. */
export function elementPath(el: Element): string {
  const parts: string[] = [];
  for (let e: Element | null = el; e && e.nodeType === ELEMENT_NODE; e = e.parentNode as Element | null) {
    let same = 0;
    let position = 0;
    const parent = e.parentNode;
    for (let s = parent?.firstChild ?? null; s; s = s.nextSibling) {
      if (s.nodeType !== ELEMENT_NODE || (s as Element).tagName !== e.tagName) continue;
      same += 1;
      if (s === e) position = same;
    }
    parts.push(same > 1 ? `${e.tagName}[${position}]` : e.tagName);
  }
  return '/' + parts.reverse().join('/');
}

export interface AttributeFault {
  path: string;
  detail: string;
}

/**
 * The first attribute (or namespace use) of the document the profile does not allow, or null.
 * An `Id` that a signature's reference names is left to the signature checks, which refuse the
 * signature with the more telling SIGNATURE_PARTIAL (or SIGNATURE_WRAPPING), and the document with it.
 */
export function profileAttributeFault(root: Element, hocba: Element, referencedIds: ReadonlySet<string> = new Set()): AttributeFault | null {
  const stack: Element[] = [root];
  while (stack.length > 0) {
    const el = stack.pop()!;
    if (el.prefix && !el.namespaceURI) return { path: elementPath(el), detail: `the prefix ${el.prefix} of <${el.tagName}> is not declared` };
    const attrs = el.attributes;
    let allowed: ReadonlySet<string> | undefined;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i]!;
      const at = () => `${elementPath(el)}/@${a.name}`;
      if (a.name === 'xmlns') continue;
      if (a.prefix === 'xmlns' || a.namespaceURI === XMLNS_NS) {
        const prefix = a.localName ?? '';
        if (a.value === '') return { path: at(), detail: `${a.name}="" undeclares a prefix, which XML Namespaces 1.0 does not allow` };
        if (prefix === 'xmlns' || (prefix === 'xml') !== (a.value === XML_NS) || a.value === XMLNS_NS) {
          return { path: at(), detail: `${a.name}="${a.value}" binds a reserved prefix or namespace` };
        }
        continue;
      }
      if (a.prefix && !a.namespaceURI) return { path: at(), detail: `the prefix ${a.prefix} of the attribute ${a.name} is not declared` };
      allowed ??= allowedOn(el, hocba);
      if (a.namespaceURI || (!allowed.has(a.name) && !(a.name === 'Id' && referencedIds.has(a.value)))) {
        const may = allowed.size ? `only ${[...allowed].join(', ')} and namespace declarations` : 'no attributes but namespace declarations';
        return { path: at(), detail: `the attribute ${a.name} is not part of the profile: <${el.tagName}> may carry ${may}` };
      }
    }
    for (let c = el.lastChild; c; c = c.previousSibling) if (c.nodeType === ELEMENT_NODE) stack.push(c as Element);
  }
  return null;
}
