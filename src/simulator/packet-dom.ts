import type { SaxesTagNS } from 'saxes';
import { SaxesParserWithHandlers } from '../adapters/saxes-parser.js';

// The simulator's reading of a packet body: saxes (a conformant, namespace-aware, non-validating
// XML 1.0 parser) builds a small read-only tree with exactly the DOM members the packet reader,
// the signature verifier (signing/enveloped-verifier.ts), exclusive c14n (signing/exc-c14n.ts)
// and the record reader (canonical/from-xml.ts) use: node types, sibling links, names,
// namespaces, attributes, text, and removeChild for the enveloped signature. xmldom built a full
// DOM for the same, and its parse and the garbage it left were most of the Ministry's CPU per
// record (bench section c). What is not XML 1.0 well-formed is refused by saxes; what a signature
// must not cover (a DTD, comments, processing instructions) becomes a node here, so that the
// verifier refuses it by name exactly as before.

const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

export class MalformedXml extends Error {
  override readonly name = 'MalformedXml';
}

abstract class PacketNode {
  abstract readonly nodeType: number;
  parentNode: PacketElement | PacketDocument | null = null;
  nextSibling: PacketNode | null = null;
  previousSibling: PacketNode | null = null;
  nodeValue: string | null = null;
  get textContent(): string {
    return this.nodeValue ?? '';
  }
}

class PacketText extends PacketNode {
  constructor(
    readonly nodeType: 3 | 4 | 8,
    value: string,
  ) {
    super();
    this.nodeValue = value;
  }
}

class PacketProcessingInstruction extends PacketNode {
  readonly nodeType = 7;
  constructor(readonly target: string) {
    super();
  }
}

class PacketDoctype extends PacketNode {
  readonly nodeType = 10;
}

export interface PacketAttr {
  readonly name: string;
  readonly localName: string;
  readonly prefix: string | null;
  readonly namespaceURI: string | null;
  readonly value: string;
}

abstract class PacketParent extends PacketNode {
  firstChild: PacketNode | null = null;
  lastChild: PacketNode | null = null;

  append(child: PacketNode): void {
    child.parentNode = this as unknown as PacketElement;
    child.previousSibling = this.lastChild;
    if (this.lastChild) this.lastChild.nextSibling = child;
    else this.firstChild = child;
    this.lastChild = child;
  }

  removeChild<T extends PacketNode>(child: T): T {
    if (child.parentNode !== (this as unknown)) throw new Error('not a child of this node');
    if (child.previousSibling) child.previousSibling.nextSibling = child.nextSibling;
    else this.firstChild = child.nextSibling;
    if (child.nextSibling) child.nextSibling.previousSibling = child.previousSibling;
    else this.lastChild = child.previousSibling;
    child.parentNode = null;
    child.nextSibling = child.previousSibling = null;
    return child;
  }

  override get textContent(): string {
    let text = '';
    for (let n = this.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === 1) text += n.textContent;
      else if (n.nodeType === 3 || n.nodeType === 4) text += n.nodeValue;
    }
    return text;
  }
}

export class PacketElement extends PacketParent {
  readonly nodeType = 1;
  readonly tagName: string;
  readonly localName: string;
  readonly prefix: string | null;
  readonly namespaceURI: string | null;
  readonly attributes: PacketAttr[];

  constructor(
    tag: SaxesTagNS,
    readonly ownerDocument: PacketDocument,
  ) {
    super();
    this.tagName = tag.name;
    this.localName = tag.local;
    this.prefix = tag.prefix || null;
    this.namespaceURI = tag.uri || null;
    const attributes: PacketAttr[] = [];
    for (const name in tag.attributes) {
      const a = tag.attributes[name]!;
      // saxes leaves xmlns="" without a namespace; the DOM (and c14n) file it under xmlns's.
      const ns = a.uri || (a.name === 'xmlns' ? XMLNS_NS : '');
      attributes.push({ name: a.name, localName: a.local, prefix: a.prefix || null, namespaceURI: ns || null, value: a.value });
    }
    this.attributes = attributes;
  }

  getAttribute(name: string): string | null {
    for (const a of this.attributes) if (a.name === name) return a.value;
    return null;
  }

  hasAttribute(name: string): boolean {
    return this.getAttribute(name) !== null;
  }
}

export class PacketDocument extends PacketParent {
  readonly nodeType = 9;
  documentElement: PacketElement | null = null;

  getElementsByTagNameNS(namespaceURI: string, localName: string): PacketElement[] {
    const found: PacketElement[] = [];
    const visit = (n: PacketNode | null): void => {
      for (; n; n = n.nextSibling) {
        if (n instanceof PacketElement) {
          if (n.namespaceURI === namespaceURI && n.localName === localName) found.push(n);
          visit(n.firstChild);
        }
      }
    };
    visit(this.firstChild);
    return found;
  }
}

/** Parses a packet body; throws MalformedXml when it is not well-formed, namespace-correct XML 1.0. */
export function parsePacketXml(xml: string): PacketDocument {
  const doc = new PacketDocument();
  const parser = new SaxesParserWithHandlers({ xmlns: true, position: true });
  let current: PacketParent = doc;
  parser.on('error', (e) => {
    throw new MalformedXml(e.message);
  });
  parser.on('opentag', (tag) => {
    const el = new PacketElement(tag, doc);
    current.append(el);
    if (current === doc) doc.documentElement = el;
    current = el;
  });
  parser.on('closetag', () => {
    current = current.parentNode as PacketParent;
  });
  // Outside the root saxes only lets whitespace through, which the DOM does not keep either.
  parser.on('text', (text) => current !== doc && current.append(new PacketText(3, text)));
  parser.on('cdata', (text) => current.append(new PacketText(4, text)));
  parser.on('comment', (text) => current.append(new PacketText(8, text)));
  parser.on('processinginstruction', (pi) => current.append(new PacketProcessingInstruction(pi.target)));
  parser.on('doctype', () => current.append(new PacketDoctype()));
  parser.write(xml).close();
  if (!doc.documentElement) throw new MalformedXml('no document element');
  return doc;
}
