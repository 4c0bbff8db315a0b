import type { Readable } from 'node:stream';
import type { CanonicalRecord } from '../canonical/record.js';
import type { FieldError, SourceLocation } from '../validation/types.js';
import { TreeParser, XmlTreeError, type TreeParserHandlers, type XmlLimits } from './xml-tree.js';

/** The envelope of a vendor batch is unusable as a whole (not one record can be read). */
export class BatchFormatError extends Error {
  constructor(
    message: string,
    readonly errors: FieldError[],
  ) {
    super(message);
    this.name = 'BatchFormatError';
  }
}

/**
 * The body cannot be read as its media type at all (not JSON, not well-formed XML, nested too
 * deep, JSON that is not an object): the routes answer BODY_MALFORMED, BODY_TOO_DEEP or
 * REQUEST_INVALID, whatever the format.
 */
export class BodyUnreadableError extends Error {
  constructor(
    message: string,
    readonly kind: 'malformed' | 'not-object' | 'too-deep',
  ) {
    super(message);
    this.name = 'BodyUnreadableError';
  }
}

export type MapOutcome = { ok: true; record: CanonicalRecord } | { ok: false; errors: FieldError[] };

/** A batch read from a body or a file: the items (one per student) and what they share (school, year). */
export interface SplitBatch {
  items: unknown[];
  context: unknown;
  /**
   * The Idempotency-Key fingerprint of the body, when the format defines its own (JSON: SHA-256 of
   * the parsed batch re-serialised, as stored by earlier versions); otherwise SHA-256 of the bytes.
   */
  requestHash?: string;
}

/**
 * One media type a vendor adapter reads. Routes know no vendor: they find the format by the
 * request's Content-Type among the adapter's formats, and the import by `--format`.
 */
export interface BatchFormat {
  /** Lower case, without parameters: `application/json`, `application/xml`, the xlsx type. */
  readonly mediaType: string;
  /** Its name for `hocba-gw import --format` and `vendor-check --format`: json, xml, xlsx. */
  readonly name: string;
  /** For /docs: what the body is, its schema (JSON Schema) and an example. */
  readonly docs: { summary: string; schema: Record<string, unknown>; example?: unknown };
  /**
   * The whole body of one request, as received (text formats get the text, binary ones the
   * bytes). Throws BatchFormatError. Runs in an intake thread: pure, no I/O.
   */
  read(body: string | Uint8Array): SplitBatch | Promise<SplitBatch>;
  /**
   * XML formats: a reader of the batch element wherever it lies (a body's root, or the batch
   * inside a SOAP SubmitBatch, read in one pass with its envelope) that hands each item to
   * `onItem` as soon as it is complete, so the intake maps it while its tree is young instead of
   * after the whole batch's trees are built. read() gives the same items and errors.
   */
  xmlBatch?(onItem: (item: unknown, context: unknown) => void): XmlBatchReader;
  /** Text formats are handed to read() as a string, binary ones as bytes. */
  readonly binary: boolean;
  /**
   * A file of any size, as it is read: batches of at most `size` items each, all with the batch's
   * context, without holding the file in memory. Throws BatchFormatError naming where it stopped.
   */
  stream(input: Readable, size: number): AsyncIterable<SplitBatch>;
}

/** Reads one batch element as TreeParser events (capture, onTree, onClose; paths from the batch element), an item at a time. */
export interface XmlBatchReader {
  readonly limits: XmlLimits;
  readonly handlers: TreeParserHandlers;
  /** After the batch element has closed: throws BatchFormatError when the batch as a whole is wrong (no items). */
  finish(): void;
}

/** A whole body through an XML batch reader; a body that is not well-formed XML (or breaks the bounds) throws BodyUnreadableError. */
export function readXmlBatch(reader: XmlBatchReader, body: string | Uint8Array): void {
  const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  try {
    const parser = new TreeParser(reader.limits, reader.handlers);
    parser.write(text);
    parser.close();
  } catch (e) {
    // Answered BODY_MALFORMED, as a JSON body that is not JSON is, whatever the format.
    if (e instanceof XmlTreeError) throw new BodyUnreadableError(e.described, 'malformed');
    throw e;
  }
  reader.finish();
}

export interface SampleOptions {
  records: number;
  seed: number;
  /** One grade (1-12) for every student; default: a mix the adapter chooses. */
  grade?: number;
}

/** A sample body, ready to post (or to write to a file). */
export interface Sample {
  mediaType: string;
  body: string | Buffer;
}

/**
 * A vendor adapter turns one vendor's native batch into canonical records. It is stateless:
 * its formats read the envelope, `map` maps one item; neither validates business rules (that is
 * validation/'s job on the canonical record). A new vendor is one folder under adapters/ and one
 * line in registry.ts.
 */
export interface VendorAdapter {
  /** The name used in URLs, credentials and configuration. */
  readonly vendor: string;
  /** For people: "VNPT vnEdu". */
  readonly title: string;
  readonly formats: readonly BatchFormat[];
  map(item: unknown, context: unknown): MapOutcome;
  /**
   * Where in the vendor's document a problem with this item lies (sheet, row, cell, field), for
   * formats whose users think in cells rather than JSON paths. `path` is the error's path: a
   * vendor path for mapping errors, a canonical one otherwise.
   */
  locate?(item: unknown, path: string): SourceLocation | undefined;
  /** The schools its samples use; the demo credential of this vendor may submit for these only. */
  readonly sampleSchools: readonly string[];
  /** A valid synthetic batch, for `hocba-gw sample`, examples and tests. */
  sample(options: SampleOptions): Sample | Promise<Sample>;
  /** A SOAP 1.1 service for this vendor's systems (routes/soap.ts serves every adapter that declares one). */
  readonly soap?: SoapService;
}

/**
 * A vendor's SOAP 1.1 document/literal service: SubmitBatch (one batch in the vendor's XML,
 * an IdempotencyKey, a DryRun flag) and GetSubmission, with WS-Security UsernameToken or Bearer
 * authentication. The operations' elements are in `namespace`; the batch is the element
 * `batchElement` inside SubmitBatch, read by the adapter's format for `batchMediaType`.
 */
export interface SoapService {
  /** The endpoint's path: `/soap/smas/v1` (WSDL at `?wsdl`). */
  readonly path: string;
  /** The WSDL file; served with its soap:address and schemaLocations pointing at this gateway. */
  readonly wsdlFile: string;
  /** XSD files the WSDL includes (by file name, beside it), served at `?xsd=<name>`. */
  readonly xsdFiles: readonly string[];
  readonly namespace: string;
  readonly batchElement: string;
  readonly batchMediaType: string;
}

/** The format of `adapter` for a Content-Type header value (parameters ignored), if it reads it. */
export function formatFor(adapter: VendorAdapter, contentType: string | undefined): BatchFormat | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return adapter.formats.find((f) => f.mediaType === type || (type === 'text/xml' && f.mediaType === 'application/xml'));
}

/** The format of `adapter` by its name (`--format`), or its first when no name is given. */
export function formatNamed(adapter: VendorAdapter, name: string | undefined): BatchFormat | undefined {
  return name === undefined ? adapter.formats[0] : adapter.formats.find((f) => f.name === name);
}
