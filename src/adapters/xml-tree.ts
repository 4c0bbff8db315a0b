import type { SaxesParser, SaxesTagNS } from 'saxes';
import { SaxesParserWithHandlers } from './saxes-parser.js';

// Reading vendor XML (and SOAP envelopes) safely with saxes, a conformant non-validating parser
// that expands no entity beyond XML's five and character references. On top of it:
//   - a DOCTYPE is refused outright (no DTD, no internal subset, no entity tricks);
//   - depth, elements and characters are bounded per captured subtree, so a hostile file costs
//     at most those bounds in memory however large it is;
//   - element names never become object keys: a subtree is { name, ns, text, children[] }, so
//     an element called __proto__ or constructor is just a string in `name`. Subtrees are plain
//     data (structured-cloneable) and cross to the intake threads as they are.
// The caller decides, element by element, which subtrees to build (`capture`), which keeps a
// streaming reader's memory to one record at a time.

export interface XNode {
  /** Local name. */
  name: string;
  /** Namespace URI ('' for none). */
  ns: string;
  /** Text content (text and CDATA, concatenated; not trimmed). */
  text: string;
  children: XNode[];
  /** xsi:nil="true": the element says it has no value. */
  nil?: true;
  /** Its attributes other than namespace declarations, when it has any (an array: names are never keys). */
  attrs?: { name: string; ns: string; value: string }[];
  /** 1-based line of its start tag. */
  line: number;
}

export interface XmlLimits {
  /** Nesting depth of the whole document. */
  maxDepth: number;
  /** Elements in one captured subtree. */
  maxElements: number;
  /** Characters of text in one captured subtree. */
  maxChars: number;
}

export class XmlTreeError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'XmlTreeError';
  }

  /** The message with the line it was found on, as the gateway's answers give it. */
  get described(): string {
    return this.line !== undefined ? `${this.message} (line ${this.line})` : this.message;
  }
}

export interface OpenElement {
  name: string;
  ns: string;
  line: number;
}

/** Where a raw element lies in the text, and the namespace bindings it needs to stand alone. */
export interface RawSpan {
  /** Just past `<qname` (the `<` is the last one before it). */
  tagOpen: number;
  /** Just past its end tag. */
  end: number;
  qname: string;
  /** Namespace bindings in effect at the element, by prefix ('' for the default namespace). */
  ns: Readonly<Record<string, string>>;
  /** Prefixes it declares itself ('' for the default namespace). */
  declared: string[];
}

export interface TreeParserHandlers {
  /** At the start of an element outside any captured subtree: true builds its whole subtree. `path` ends with this element. */
  capture(path: readonly OpenElement[]): boolean;
  /** A captured subtree, complete; `path` ends with its element. */
  onTree(node: XNode, path: readonly OpenElement[]): void;
  /** At the end of an element that was not captured. */
  onClose?(path: readonly OpenElement[]): void;
  /**
   * At the start of any element: true leaves it out of any tree and hands its span of the text
   * instead (`onRaw`), checked for well-formedness and depth but not built: for a part that is
   * passed on as text, to be read again elsewhere.
   */
  raw?(path: readonly OpenElement[]): boolean;
  /** A raw element's span: `tagOpen` is just past `<name` (the `<` is the last one before it), `end` just past its end tag; `ns` the bindings in scope. */
  onRaw?(span: RawSpan, path: readonly OpenElement[]): void;
  /**
   * At the start of any element (where `raw` is asked, before it): other handlers that read this
   * element and everything in it, as if it were the root of a document of its own (their paths
   * start at it; their limits bound its depth and its subtrees), for a part that has a reader of
   * its own and is read where it lies: a vendor's batch inside a SOAP envelope, read in one
   * pass with the envelope instead of passed on as text and read again. Not asked inside it.
   */
  delegate?(path: readonly OpenElement[]): Delegate | undefined;
}

/** Handlers (and their limits) for an element and its content; `onEnd` gets its span at its end. */
export interface Delegate {
  handlers: TreeParserHandlers;
  limits: XmlLimits;
  onEnd?(span: RawSpan): void;
}

/** The handlers a parser is reading with, and what they have under way. */
interface Frame {
  handlers: TreeParserHandlers;
  limits: XmlLimits;
  /** Elements of the document above the handlers' root (0: the document's root is theirs). */
  base: number;
  /** The subtree being built: its open elements, outermost first. */
  stack: XNode[];
  elements: number;
  chars: number;
}

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const XMLNS = 'http://www.w3.org/2000/xmlns/';
const NO_BINDINGS: Readonly<Record<string, string>> = Object.freeze(Object.create(null));

/** A push parser: write() text as it arrives, then close(). Errors are thrown as XmlTreeError. */
export class TreeParser {
  readonly #parser: SaxesParser<{ xmlns: true; position: true }>;
  readonly #path: OpenElement[] = [];
  readonly #nsStack: Readonly<Record<string, string>>[] = [];
  #frame: Frame;
  /** The delegated element being read (delegate()): its depth, its span so far and the frame to go back to. */
  #delegated: { depth: number; span: RawSpan; outer: Frame; onEnd: Delegate['onEnd'] } | null = null;
  #sawRoot = false;
  #tagOpen = 0;
  /** Attributes of the start tag being read (namespace declarations among them). */
  #attributes = 0;
  /** The raw element being skipped: its depth and where it started. */
  #raw: (RawSpan & { depth: number }) | null = null;

  constructor(
    readonly limits: XmlLimits,
    readonly handlers: TreeParserHandlers,
  ) {
    this.#frame = { handlers, limits, base: 0, stack: [], elements: 0, chars: 0 };
    const p = new SaxesParserWithHandlers({ xmlns: true, position: true });
    this.#parser = p;
    p.on('error', (e) => {
      throw new XmlTreeError(`not well-formed XML: ${e.message}`, p.line);
    });
    p.on('doctype', () => {
      throw new XmlTreeError('a DOCTYPE is not accepted (no DTDs, no entities)', p.line);
    });
    p.on('opentagstart', () => {
      this.#tagOpen = p.position;
      this.#attributes = 0;
    });
    // Counted so that a start tag without attributes (nearly every one) skips reading saxes's
    // attribute and namespace maps: they are dictionary-mode objects (Object.create(null)), and
    // enumerating them for each element was most of this parser's own time (#open: 26% of a
    // SMAS batch's read, before the garbage collector's 38%).
    p.on('attribute', () => (this.#attributes += 1));
    p.on('opentag', (tag) => this.#open(tag as SaxesTagNS));
    p.on('closetag', () => this.#close());
    p.on('text', (t) => this.#text(t));
    p.on('cdata', (t) => this.#text(t));
  }

  write(chunk: string): void {
    this.#parser.write(chunk);
  }

  close(): void {
    this.#parser.close();
    if (!this.#sawRoot) throw new XmlTreeError('the document has no root element');
  }

  /** The path as the current handlers see it: from their root. */
  #relative(): readonly OpenElement[] {
    return this.#frame.base === 0 ? this.#path : this.#path.slice(this.#frame.base);
  }

  #open(tag: SaxesTagNS): void {
    this.#sawRoot = true;
    const line = this.#parser.line;
    const el: OpenElement = { name: tag.local, ns: tag.uri, line };
    const path = this.#path;
    path.push(el);
    // saxes gives each tag only the bindings it declares; the ones in effect are kept here.
    const nsStack = this.#nsStack;
    const parentNs = nsStack.length > 0 ? nsStack[nsStack.length - 1]! : NO_BINDINGS;
    const hasAttributes = this.#attributes > 0;
    let own = false;
    if (hasAttributes) for (const _ in tag.ns) own = true;
    const bindings = own ? { ...parentNs, ...tag.ns } : parentNs;
    nsStack.push(bindings);
    let frame = this.#frame;
    if (path.length - frame.base > frame.limits.maxDepth) throw new XmlTreeError(`elements nest deeper than ${frame.limits.maxDepth} levels`, line);
    if (this.#raw) return;
    const delegate = this.#delegated ? undefined : frame.handlers.delegate?.(path);
    if (delegate) {
      this.#delegated = { depth: path.length, span: this.#span(tag, bindings, hasAttributes), outer: frame, onEnd: delegate.onEnd };
      frame = this.#frame = { handlers: delegate.handlers, limits: delegate.limits, base: path.length - 1, stack: [], elements: 0, chars: 0 };
    }
    const relative = this.#relative();
    if (frame.handlers.raw?.(relative)) {
      this.#raw = { ...this.#span(tag, bindings, hasAttributes), depth: path.length };
      return;
    }
    const stack = frame.stack;
    const capturing = stack.length > 0;
    if (!capturing && !frame.handlers.capture(relative)) return;
    if (!capturing) {
      frame.elements = 0;
      frame.chars = 0;
    }
    if (++frame.elements > frame.limits.maxElements) throw new XmlTreeError(`<${stack[0]?.name ?? tag.local}> holds more than ${frame.limits.maxElements} elements`, line);
    const node: XNode = { name: tag.local, ns: tag.uri, text: '', children: [], line };
    if (hasAttributes) for (const a of Object.values(tag.attributes)) {
      if (a.uri === XMLNS || a.name === 'xmlns') continue;
      if (a.uri === XSI && a.local === 'nil' && (a.value === 'true' || a.value === '1')) node.nil = true;
      (node.attrs ??= []).push({ name: a.local, ns: a.uri, value: a.value });
      if (node.attrs.length > 64) throw new XmlTreeError(`<${tag.local}> has more than 64 attributes`, line);
    }
    if (capturing) stack[stack.length - 1]!.children.push(node);
    stack.push(node);
  }

  /** Where the element whose start tag was just read begins, and the bindings it needs to stand alone. */
  #span(tag: SaxesTagNS, bindings: Readonly<Record<string, string>>, hasAttributes: boolean): RawSpan {
    return { tagOpen: this.#tagOpen, end: 0, qname: tag.name, ns: bindings, declared: hasAttributes ? declaredPrefixes(tag) : [] };
  }

  #close(): void {
    const path = this.#path;
    this.#nsStack.pop();
    const frame = this.#frame;
    if (this.#raw) {
      if (path.length === this.#raw.depth) {
        const { depth: _, ...span } = this.#raw;
        this.#raw = null;
        frame.handlers.onRaw?.({ ...span, end: this.#parser.position }, this.#relative());
      }
    } else if (frame.stack.length > 0) {
      const node = frame.stack.pop()!;
      if (frame.stack.length === 0) frame.handlers.onTree(node, this.#relative());
    } else frame.handlers.onClose?.(this.#relative());
    const delegated = this.#delegated;
    if (delegated && path.length === delegated.depth) {
      this.#delegated = null;
      this.#frame = delegated.outer;
      delegated.onEnd?.({ ...delegated.span, end: this.#parser.position });
    }
    path.pop();
  }

  #text(t: string): void {
    if (this.#raw) return;
    const frame = this.#frame;
    const stack = frame.stack;
    if (stack.length === 0) return; // outside captured subtrees text is not kept (whitespace between records)
    frame.chars += t.length;
    if (frame.chars > frame.limits.maxChars) throw new XmlTreeError(`<${stack[0]!.name}> holds more than ${frame.limits.maxChars} characters of text`, this.#parser.line);
    stack[stack.length - 1]!.text += t;
  }
}

/** The prefixes a start tag declares ('' for the default namespace). */
function declaredPrefixes(tag: SaxesTagNS): string[] {
  return Object.values(tag.attributes).flatMap((a) => (a.name === 'xmlns' ? [''] : a.prefix === 'xmlns' ? [a.local] : []));
}

/**
 * An element's text as a standalone document: the span `onRaw` reported, with the namespace
 * bindings it inherited declared on its start tag (those it declares itself are already there).
 */
export function standaloneElement(text: string, span: RawSpan): string {
  return standaloneParts(text, span).join('');
}

/** standaloneElement's text in three pieces (slices of `text` and the added declarations), to hash without copying it. */
export function standaloneParts(text: string, span: RawSpan): [string, string, string] {
  const start = text.lastIndexOf('<', span.tagOpen - 1);
  const afterName = start + 1 + span.qname.length;
  let decls = '';
  for (const prefix in span.ns) {
    if (prefix === 'xml' || prefix === 'xmlns' || span.declared.includes(prefix)) continue;
    decls += ` ${prefix === '' ? 'xmlns' : `xmlns:${prefix}`}="${xmlEscape(span.ns[prefix]!)}"`;
  }
  return [text.slice(start, afterName), decls, text.slice(afterName, span.end)];
}

/** Parses a whole document into one tree (bounded by `limits`). */
export function parseXmlTree(text: string, limits: XmlLimits): XNode {
  let root: XNode | undefined;
  const p = new TreeParser(limits, { capture: () => true, onTree: (n) => (root = n) });
  p.write(text);
  p.close();
  return root!;
}

// ---- Reading a tree (never by object keys) ----

export const attrNamed = (node: XNode | undefined, name: string, ns = ''): string | undefined => node?.attrs?.find((a) => a.name === name && a.ns === ns)?.value;
export const childNamed = (node: XNode | undefined, name: string): XNode | undefined => node?.children.find((c) => c.name === name);
export const childrenNamed = (node: XNode | undefined, name: string): XNode[] => (node ? node.children.filter((c) => c.name === name) : []);

/** Trimmed, NFC-normalised text of a leaf; undefined when absent, nil or empty. */
export function leafText(node: XNode | undefined): string | undefined {
  if (!node || node.nil) return undefined;
  const t = node.text.normalize('NFC').trim();
  return t === '' ? undefined : t;
}

// ---- Writing ----

/** Escapes text for element content and attribute values (XML 1.0). */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;'));
}

/**
 * A subtree as a standalone document fragment: local names, the default namespace declared where
 * it changes, whitespace-only text between elements dropped (so the fingerprint of a batch does
 * not depend on how a client indents or which prefixes it chose), nil elements written empty.
 */
export function serializeTree(node: XNode, parentNs: string | null = null): string {
  const xmlns = node.ns !== parentNs ? ` xmlns="${xmlEscape(node.ns)}"` : '';
  const inner = node.children.length > 0 ? node.children.map((c) => serializeTree(c, node.ns)).join('') : node.nil ? '' : xmlEscape(node.text);
  return `<${node.name}${xmlns}>${inner}</${node.name}>`;
}
