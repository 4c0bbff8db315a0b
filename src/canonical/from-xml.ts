import { RECORD_NAMESPACE } from './record.js';

// Reads the XML rendition of a record (canonical/xml.ts, profile README) back to JSON, so the
// receiver can validate what was signed against the same JSON Schema the sender used. XML
// carries no types, so a small table says which elements are arrays, numbers and booleans;
// everything else is a string.

const ARRAY_ELEMENTS = new Set(['subjects', 'qualities', 'competencies', 'commendations']);
const NUMBER_ELEMENTS = new Set(['grade', 'version', 'testScore']);
const BOOLEAN_ELEMENTS = new Set(['completedProgramme', 'promoted']);

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

export class RecordXmlError extends Error {}

function readElement(el: Element): unknown {
  if (el.namespaceURI !== RECORD_NAMESPACE) {
    throw new RecordXmlError(`element ${el.localName} is not in namespace ${RECORD_NAMESPACE}`);
  }
  const children: Element[] = [];
  let text = '';
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === ELEMENT_NODE) children.push(n as Element);
    else if (n.nodeType === TEXT_NODE || n.nodeType === CDATA_SECTION_NODE) text += n.nodeValue ?? '';
  }
  const name = el.localName;
  if (children.length > 0 && text.trim() !== '') throw new RecordXmlError(`element ${name} mixes text and elements`);

  if (ARRAY_ELEMENTS.has(name)) return children.map(readElement);
  if (children.length > 0) {
    const obj: Record<string, unknown> = {};
    for (const child of children) {
      // Only arrays repeat an element; a repeated field would silently lose a value.
      if (Object.hasOwn(obj, child.localName)) throw new RecordXmlError(`element ${child.localName} repeated in ${name}`);
      obj[child.localName] = readElement(child);
    }
    return obj;
  }
  // A value that does not convert stays a string so that schema validation reports its type.
  if (NUMBER_ELEMENTS.has(name)) return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
  if (BOOLEAN_ELEMENTS.has(name)) return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

/** The JSON record carried by a `<hocba>` element. Throws RecordXmlError on a shape JSON cannot hold. */
export function recordFromXml(hocbaElement: Element): unknown {
  if (hocbaElement.localName !== 'hocba') throw new RecordXmlError(`expected <hocba>, got <${hocbaElement.localName}>`);
  const value = readElement(hocbaElement);
  if (typeof value !== 'string') return value;
  // An empty <hocba></hocba> reads as '' above: an empty record, which schema validation refuses.
  if (value.trim() === '') return {};
  throw new RecordXmlError('<hocba> holds text instead of fields');
}
