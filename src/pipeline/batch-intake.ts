import { createHash } from 'node:crypto';
import { BatchFormatError, BodyUnreadableError, type BatchFormat, type SplitBatch, type VendorAdapter } from '../adapters/adapter.js';
import { getAdapter } from '../adapters/registry.js';
import type { ValidationContext } from '../validation/context.js';
import type { FieldError } from '../validation/types.js';
import { intake, IntakeRun, type IntakeResult } from './intake.js';

// One vendor batch, from a request's body (or a chunk the import has read) to records ready for
// the acceptance step: read with the adapter's format for the body's media type, hash (for
// Idempotency-Key), then the stateless intake steps. The body is read here only, not also by the
// HTTP layer: for a 500-record JSON batch that parse and its garbage were the largest cost of
// the event loop after the outbox insert. Pure and self-contained so that it runs the same in a
// worker thread (intake-pool.ts) as in the calling thread; everything it returns is plain data.

export { requestHashOf } from '../adapters/json-format.js';

/** A whole body, with its media type; or a batch the bulk import has already read. */
export type IntakeTask =
  | { vendor: string; mediaType: string; body: string | Uint8Array }
  | { vendor: string; batch: SplitBatch };

export type BatchIntakeOutcome =
  | { kind: 'malformed'; message: string }
  | { kind: 'not-object' }
  | { kind: 'too-deep' }
  | { kind: 'ok'; requestHash: string; result: IntakeResult }
  | { kind: 'format'; requestHash: string; errors: FieldError[] }
  | { kind: 'too-many'; requestHash: string; count: number }
  | { kind: 'no-adapter'; requestHash: string }
  | { kind: 'unsupported-media-type'; accepted: string[] };

export function sha256(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

export async function runBatchIntake(task: IntakeTask, ctx: ValidationContext, maxRecords: number): Promise<BatchIntakeOutcome> {
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
    // readers get a Buffer again, which streams as one chunk rather than byte by byte.
    const body = typeof task.body === 'string' || Buffer.isBuffer(task.body) ? task.body : Buffer.from(task.body.buffer, task.body.byteOffset, task.body.byteLength);
    try {
      if (format.readEach) return readingEach(format.readEach, adapter, body, ctx, maxRecords);
      split = await format.read(body);
    } catch (e) {
      return unreadable(e, task.body);
    }
    requestHash = split.requestHash ?? sha256(task.body);
  }
  if (split.items.length > maxRecords) return { kind: 'too-many', requestHash, count: split.items.length };
  return ok(requestHash, intake(adapter, split.items, split.context, ctx));
}

/** A format that reads an item at a time: each is mapped as it is read; past `maxRecords` they are only counted. */
function readingEach(readEach: NonNullable<BatchFormat['readEach']>, adapter: VendorAdapter, body: string | Uint8Array, ctx: ValidationContext, maxRecords: number): BatchIntakeOutcome {
  const run = new IntakeRun(adapter, ctx);
  let count = 0;
  readEach(body, (item, context) => {
    if (++count <= maxRecords) run.add(item, context);
  });
  const requestHash = sha256(body);
  return count > maxRecords ? { kind: 'too-many', requestHash, count } : ok(requestHash, run.result);
}

/** What a format's error means for the request; anything else is the gateway's own fault. */
function unreadable(e: unknown, body: string | Uint8Array): BatchIntakeOutcome {
  if (e instanceof BodyUnreadableError) return e.kind === 'malformed' ? { kind: 'malformed', message: e.message } : { kind: e.kind };
  if (e instanceof BatchFormatError) return { kind: 'format', requestHash: sha256(body), errors: e.errors };
  throw e;
}

function ok(requestHash: string, result: IntakeResult): BatchIntakeOutcome {
  // A record's XML goes on packed only (payload, about 570 bytes instead of 6 KB): the store
  // needs nothing else of it, and posting it from an intake thread costs by the byte.
  for (const r of result.records) if (r.payload) r.recordXml = null;
  return { kind: 'ok', requestHash, result };
}
