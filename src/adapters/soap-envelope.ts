import { StringDecoder } from 'node:string_decoder';
import { BatchFormatError, type SoapService, type XmlBatchReader } from './adapter.js';
import { TreeParser, type OpenElement, type RawSpan, type TreeParserHandlers, type XNode } from './xml-tree.js';

// Reading a vendor's SOAP 1.1 envelope (routes/soap.ts serves the endpoints), in two places:
//   - the head, on the event loop: the root, the Header (WS-Security) and which operation the
//     Body holds, read up to the start of a SubmitBatch's batch element and no further, so the
//     caller is authenticated before anything else is done and the loop never reads the batch;
//   - the whole, in an intake thread (pipeline/batch-intake.ts): the envelope and its batch in
//     one pass, the batch element read where it lies by its format's own reader (TreeParser
//     delegate), each pupil mapped as soon as it is read.
// Before this, the loop checked the whole envelope (a 500-pupil SMAS envelope is 7 MB: 65-85 ms
// of the loop each time, while every other vendor's request waited) and the intake thread then
// read the batch's text again.

export const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
/** The envelope around the batch: its header and operation element are small (the batch has limits of its own). */
export const ENVELOPE_LIMITS = { maxDepth: 32, maxElements: 10_000, maxChars: 1024 * 1024 };
/** Bytes of an envelope decoded at a time while its head is read. */
const HEAD_PIECE = 16 * 1024;
/** Thrown from the handlers at a batch element's start tag: the head ends there (saxes reads no further). */
const HEAD_END = Symbol('the head of the envelope ends here');

export interface EnvelopeRead {
  /** The document's root element. */
  root?: OpenElement;
  /** The root's first child named Header (its namespace is the caller's to check). */
  header?: XNode;
  /** The Body's first element, as it opened. */
  operation?: OpenElement;
  /** Its tree, batch elements left out; complete once it has closed (not when a head stopped inside it). */
  op?: XNode;
  /** The head stopped at the start of a batch element: `op` is not complete, the rest is read whole. */
  batchFollows: boolean;
  /** Batch elements in SubmitBatch (more than one is the caller's error to answer). */
  batches: number;
  /** The first batch element's place in the text (read whole, with a batch reader). */
  batchSpan?: RawSpan;
  /** The batch as a whole was not the vendor's format (header, root): the first such error; the envelope was still read to its end. */
  formatError?: BatchFormatError;
}

function envelopeHandlers(service: SoapService, out: EnvelopeRead, batch: Pick<XmlBatchReader, 'handlers' | 'limits'> | null): TreeParserHandlers {
  const inBody = (path: readonly OpenElement[]) => path.length >= 3 && path[1]!.name === 'Body' && path[1]!.ns === SOAP11_NS;
  const isBatch = (path: readonly OpenElement[]) =>
    path.length === 4 && inBody(path) && path[2]!.name === 'SubmitBatch' && path[2]!.ns === service.namespace && path[3]!.name === service.batchElement;
  return {
    capture: (path) => {
      if (path.length === 1) out.root = path[0];
      if (path.length === 2) return path[1]!.name === 'Header';
      if (path.length !== 3 || !inBody(path) || out.operation !== undefined) return false;
      out.operation = path[2];
      return true;
    },
    // The first batch element is read by the batch's reader; a head stops at its start. Others
    // are only counted (and checked for well-formedness).
    delegate: (path) => (batch && out.batchSpan === undefined && isBatch(path) ? { handlers: batch.handlers, limits: batch.limits, onEnd: (span) => ((out.batches += 1), (out.batchSpan = span)) } : undefined),
    raw: (path) => {
      if (!isBatch(path)) return false;
      if (batch) return true;
      out.batchFollows = true;
      throw HEAD_END;
    },
    onRaw: () => void (out.batches += 1),
    onTree: (node, path) => {
      if (path.length === 2) out.header ??= node;
      else out.op ??= node;
    },
  };
}

/**
 * The envelope up to the start of its batch element, or the whole of it when it has none
 * (GetSubmission, or a SubmitBatch without its batch). Bytes (UTF-8) are decoded a piece at a
 * time, up to where the head ends: the loop never decodes the batch either (a 7 MB envelope of
 * Vietnamese text took the loop 11% of its time to decode, more than the outbox's inserts).
 * Throws XmlTreeError for what it read.
 */
export function readEnvelopeHead(body: string | Uint8Array, service: SoapService): EnvelopeRead {
  const out: EnvelopeRead = { batchFollows: false, batches: 0 };
  const parser = new TreeParser(ENVELOPE_LIMITS, envelopeHandlers(service, out, null));
  try {
    if (typeof body === 'string') parser.write(body);
    else {
      const decoder = new StringDecoder('utf8');
      for (let at = 0; at < body.byteLength; at += HEAD_PIECE) parser.write(decoder.write(body.subarray(at, at + HEAD_PIECE)));
      parser.write(decoder.end());
    }
    parser.close();
  } catch (e) {
    if (e !== HEAD_END) throw e;
  }
  return out;
}

/**
 * The whole envelope, its first batch element read by `batch` where it lies. A BatchFormatError
 * of the batch's reader is kept (formatError) and the rest of the batch skipped, so that the
 * envelope is still judged whole first, as a reader of the text alone would. Throws XmlTreeError.
 */
export function readEnvelope(text: string, service: SoapService, batch: XmlBatchReader): EnvelopeRead {
  const out: EnvelopeRead = { batchFollows: false, batches: 0 };
  const keep = (e: unknown) => {
    if (!(e instanceof BatchFormatError)) throw e;
    out.formatError ??= e;
  };
  // After a format error the batch's reader is told nothing more: it is in no state to read on.
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => R, otherwise: R) =>
    (...args: A): R => {
      if (out.formatError) return otherwise;
      try {
        return fn(...args);
      } catch (e) {
        keep(e);
        return otherwise;
      }
    };
  const h = batch.handlers;
  const guarded: Pick<XmlBatchReader, 'handlers' | 'limits'> = {
    limits: batch.limits,
    handlers: {
      capture: guard((path: readonly OpenElement[]) => h.capture(path), false),
      onTree: guard((node: XNode, path: readonly OpenElement[]) => h.onTree(node, path), undefined),
      onClose: guard((path: readonly OpenElement[]) => h.onClose?.(path), undefined),
    },
  };
  const parser = new TreeParser(ENVELOPE_LIMITS, envelopeHandlers(service, out, guarded));
  parser.write(text);
  parser.close();
  if (out.batchSpan) guard(() => batch.finish(), undefined)();
  return out;
}
