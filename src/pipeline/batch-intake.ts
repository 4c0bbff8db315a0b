import { createHash } from 'node:crypto';
import { BatchFormatError, BodyUnreadableError, readXmlBatch, type BatchFormat, type SplitBatch, type VendorAdapter } from '../adapters/adapter.js';
import { getAdapter } from '../adapters/registry.js';
import { readEnvelope } from '../adapters/soap-envelope.js';
import { standaloneParts, XmlTreeError, type XNode } from '../adapters/xml-tree.js';
import type { ValidationContext } from '../validation/context.js';
import type { FieldError } from '../validation/types.js';
import { intake, IntakeRun, type IntakeOptions, type IntakeResult } from './intake.js';

// One vendor batch, from a request's body (or a chunk the import has read) to records ready for
// the acceptance step: read with the adapter's format for the body's media type, hash (for
// Idempotency-Key), then the stateless intake steps. The body is read here only, not also by the
// HTTP layer: for a 500-record JSON batch that parse and its garbage were the largest cost of
// the event loop after the outbox insert. Pure and self-contained so that it runs the same in a
// worker thread (intake-pool.ts) as in the calling thread; everything it returns is plain data.

export { requestHashOf } from '../adapters/json-format.js';

/** Every batch here goes on to the store, which needs a record's XML packed only (IntakeRun). */
const PACKED_ONLY: IntakeOptions = { keepXml: false };

/** A whole body, with its media type; or a batch the bulk import has already read. */
export type IntakeTask =
  | { vendor: string; mediaType: string; body: string | Uint8Array }
  | { vendor: string; batch: SplitBatch };

/** A SOAP SubmitBatch envelope of the vendor's service, read whole with its batch (adapters/soap-envelope.ts); bytes are UTF-8. */
export interface EnvelopeTask {
  vendor: string;
  envelope: string | Uint8Array;
}

export type EnvelopeIntakeOutcome =
  /** Not well-formed, or over a bound (the envelope's or the batch's): BODY_MALFORMED. */
  | { kind: 'envelope-malformed'; message: string }
  /** The operation's tree (batch left out), how many batch elements it held, and the first one's intake (null: none). */
  | { kind: 'envelope'; op: XNode | undefined; batches: number; batch: BatchIntakeOutcome | null };

export type BatchIntakeOutcome =
  | { kind: 'malformed'; message: string }
  | { kind: 'not-object' }
  | { kind: 'too-deep' }
  | { kind: 'ok'; requestHash: string; result: IntakeResult }
  | { kind: 'format'; requestHash: string; errors: FieldError[] }
  | { kind: 'too-many'; requestHash: string; count: number }
  | { kind: 'no-adapter'; requestHash: string }
  | { kind: 'unsupported-media-type'; accepted: string[] };

export function sha256(body: string | Uint8Array | Iterable<string>): string {
  const hash = createHash('sha256');
  if (typeof body === 'string' || body instanceof Uint8Array) return hash.update(body).digest('hex');
  for (const part of body) hash.update(part);
  return hash.digest('hex');
}

export async function runBatchIntake(task: IntakeTask, ctx: ValidationContext, maxRecords: number): Promise<BatchIntakeOutcome>;
export async function runBatchIntake(task: EnvelopeTask, ctx: ValidationContext, maxRecords: number): Promise<EnvelopeIntakeOutcome>;
export async function runBatchIntake(task: IntakeTask | EnvelopeTask, ctx: ValidationContext, maxRecords: number): Promise<BatchIntakeOutcome | EnvelopeIntakeOutcome>;
export async function runBatchIntake(task: IntakeTask | EnvelopeTask, ctx: ValidationContext, maxRecords: number): Promise<BatchIntakeOutcome | EnvelopeIntakeOutcome> {
  if ('envelope' in task) return envelopeIntake(task, ctx, maxRecords);
  const adapter = getAdapter(task.vendor);
  let split: SplitBatch;
  let requestHash: string;
  if ('batch' in task) {
    split = task.batch;
    requestHash = split.requestHash ?? sha256(JSON.stringify([split.context, split.items]));
    if (!adapter) return { kind: 'no-adapter', requestHash };
  } else {
    const format = adapter?.formats.find((f) => f.mediaType === task.mediaType);
    if (!adapter || !format) {
      if (adapter) return { kind: 'unsupported-media-type', accepted: adapter.formats.map((f) => f.mediaType) };
      return { kind: 'no-adapter', requestHash: sha256(task.body) };
    }
    // A Buffer that crossed to an intake thread arrives as a plain Uint8Array (structured clone):
    // readers get a Buffer again, which streams as one chunk rather than byte by byte. A text
    // format's bytes are decoded (UTF-8) here, off the event loop.
    const bytesOrText = typeof task.body === 'string' || Buffer.isBuffer(task.body) ? task.body : Buffer.from(task.body.buffer, task.body.byteOffset, task.body.byteLength);
    const body = format.binary || typeof bytesOrText === 'string' ? bytesOrText : bytesOrText.toString('utf8');
    try {
      if (format.xmlBatch) return readingEach(format.xmlBatch, adapter, body, ctx, maxRecords);
      split = await format.read(body);
    } catch (e) {
      return unreadable(e, task.body);
    }
    requestHash = split.requestHash ?? sha256(task.body);
  }
  if (split.items.length > maxRecords) return { kind: 'too-many', requestHash, count: split.items.length };
  return { kind: 'ok', requestHash, result: intake(adapter, split.items, split.context, ctx, PACKED_ONLY) };
}

/** A format that reads an item at a time: each is mapped as it is read; past `maxRecords` they are only counted. */
function readingEach(xmlBatch: NonNullable<BatchFormat['xmlBatch']>, adapter: VendorAdapter, body: string | Uint8Array, ctx: ValidationContext, maxRecords: number): BatchIntakeOutcome {
  const run = new IntakeRun(adapter, ctx, PACKED_ONLY);
  let count = 0;
  readXmlBatch(
    xmlBatch((item, context) => {
      if (++count <= maxRecords) run.add(item, context);
    }),
    body,
  );
  const requestHash = sha256(body);
  return count > maxRecords ? { kind: 'too-many', requestHash, count } : { kind: 'ok', requestHash, result: run.result };
}

/**
 * A SubmitBatch envelope and its batch in one pass: each pupil mapped as it is read. The
 * fingerprint for IdempotencyKey is the batch element's own text with the namespaces it inherits
 * declared on it, as when the batch was passed on as text (so earlier fingerprints still match).
 */
function envelopeIntake(task: EnvelopeTask, ctx: ValidationContext, maxRecords: number): EnvelopeIntakeOutcome {
  const adapter = getAdapter(task.vendor);
  const service = adapter?.soap;
  const xmlBatch = service && adapter.formats.find((f) => f.mediaType === service.batchMediaType)?.xmlBatch;
  if (!adapter || !service || !xmlBatch) throw new Error(`vendor ${task.vendor} has no SOAP service with an XML batch format`);
  // Decoded here, in the intake thread, not on the event loop.
  const text = typeof task.envelope === 'string' ? task.envelope : Buffer.from(task.envelope.buffer, task.envelope.byteOffset, task.envelope.byteLength).toString('utf8');
  const run = new IntakeRun(adapter, ctx, PACKED_ONLY);
  let count = 0;
  let read;
  try {
    read = readEnvelope(
      text,
      service,
      xmlBatch((item, context) => {
        if (++count <= maxRecords) run.add(item, context);
      }),
    );
  } catch (e) {
    if (e instanceof XmlTreeError) return { kind: 'envelope-malformed', message: e.described };
    throw e;
  }
  const { op, batches, batchSpan, formatError } = read;
  if (!batchSpan) return { kind: 'envelope', op, batches, batch: null };
  const requestHash = sha256(standaloneParts(text, batchSpan));
  const batch: BatchIntakeOutcome = formatError
    ? { kind: 'format', requestHash, errors: formatError.errors }
    : count > maxRecords
      ? { kind: 'too-many', requestHash, count }
      : { kind: 'ok', requestHash, result: run.result };
  return { kind: 'envelope', op, batches, batch };
}

/** What a format's error means for the request; anything else is the gateway's own fault. */
function unreadable(e: unknown, body: string | Uint8Array): BatchIntakeOutcome {
  if (e instanceof BodyUnreadableError) return e.kind === 'malformed' ? { kind: 'malformed', message: e.message } : { kind: e.kind };
  if (e instanceof BatchFormatError) return { kind: 'format', requestHash: sha256(body), errors: e.errors };
  throw e;
}
