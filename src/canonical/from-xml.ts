import { DOMParser } from '@xmldom/xmldom';
import { RECORD_PROFILES, type RecordProfile } from './profiles.js';

// Reads the XML rendition of a record (canonical/xml.ts, profile README) back to JSON, so the
// receiver can validate what was signed against the same JSON Schema the sender used. The
// namespace of <hocba> names the profile; its tables say which elements are arrays, numbers
// and booleans (canonical/profiles.ts); everything else is a string.

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

export class RecordXmlError extends Error {}

function readElement(el: Element, profile: RecordProfile): unknown {
  if (el.namespaceURI !== profile.namespace) {
    throw new RecordXmlError(`element ${el.localName} is not in namespace ${profile.namespace}`);
  }
  // One pass for the text and whether there are elements; most elements are leaves, and a
  // second pass over the children is taken only by those that have some.
  let text = '';
  let hasElements = false;
  for (let n = el.firstChild; n; n = n.nextSibling) {
    const type = n.nodeType;
    if (type === ELEMENT_NODE) hasElements = true;
    else if (type === TEXT_NODE || type === CDATA_SECTION_NODE) text += n.nodeValue ?? '';
  }
  const name = el.localName;
  if (hasElements && text.trim() !== '') throw new RecordXmlError(`element ${name} mixes text and elements`);

  if (profile.arrays.has(name)) {
    const items: unknown[] = [];
    for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === ELEMENT_NODE) items.push(readElement(n as Element, profile));
    return items;
  }
  if (hasElements) {
    // No prototype: an element named __proto__ is then a field like any other, which the schema
    // refuses as unknown, instead of becoming the object's prototype (invisible to the schema and
    // to the character checks, and forwarded).
    const obj: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (let n = el.firstChild; n; n = n.nextSibling) {
      if (n.nodeType !== ELEMENT_NODE) continue;
      const child = n as Element;
      // Only arrays repeat an element; a repeated field would silently lose a value.
      if (Object.hasOwn(obj, child.localName)) throw new RecordXmlError(`element ${child.localName} repeated in ${name}`);
      obj[child.localName] = readElement(child, profile);
    }
    return obj;
  }
  // A value that does not convert stays a string so that schema validation reports its type.
  if (profile.numbers.has(name)) return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
  if (profile.booleans.has(name)) return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

/** The profile a `<hocba>` element declares by its namespace, or undefined for an unknown one. */
export function profileOf(hocbaElement: Element): RecordProfile | undefined {
  return RECORD_PROFILES.get(hocbaElement.namespaceURI ?? '');
}

/** The JSON record carried by a `<hocba>` element. Throws RecordXmlError on a shape JSON cannot hold. */
export function recordFromXml(hocbaElement: Element): unknown {
  if (hocbaElement.localName !== 'hocba') throw new RecordXmlError(`expected <hocba>, got <${hocbaElement.localName}>`);
  const profile = profileOf(hocbaElement);
  if (!profile) throw new RecordXmlError(`<hocba> namespace ${hocbaElement.namespaceURI ?? '(none)'} names no known profile`);
  const value = readElement(hocbaElement, profile);
  if (typeof value !== 'string') return value;
  // An empty <hocba></hocba> reads as '' above: an empty record, which schema validation refuses.
  if (value.trim() === '') return Object.create(null) as object;
  throw new RecordXmlError('<hocba> holds text instead of fields');
}

/** The JSON record of a canonical record document as the gateway stores it (its own output, not a vendor's). */
export function recordFromXmlText(xml: string): unknown {
  const doc = new DOMParser({ onError: () => undefined }).parseFromString(xml, 'text/xml') as unknown as Document;
  if (!doc.documentElement) throw new RecordXmlError('not well-formed XML');
  return recordFromXml(doc.documentElement);
}
