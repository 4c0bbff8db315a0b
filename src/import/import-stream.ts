import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { VendorAdapter } from '../adapters/adapter.js';
import type { Settings } from '../config/settings.js';
import { uuidv7 } from '../ids/uuid-v7.js';
import type { BatchIntake } from '../pipeline/intake-pool.js';
import { retryPolicyOf, submissionResponse } from '../pipeline/submission.js';
import { applyVersionRule, queuedKeys } from '../pipeline/versions.js';
import type { Store } from '../storage/store.js';
import type { ValidationError } from '../validation/types.js';
import { JsonBatchReader } from './json-batch-reader.js';

// A province's year-end file, streamed into the outbox: read the batch a chunk of items at a
// time, map and validate each chunk in the intake threads (two chunks in flight, so reading,
// validating and storing overlap), then the version rule and one submission per chunk, exactly as
// POST /v1/submissions does. Each chunk's Idempotency-Key is the import's name and the chunk's
// number, so running the same import again stores nothing twice. Memory holds a few chunks,
// whatever the file's size.

export interface ImportOptions {
  adapter: VendorAdapter;
  store: Store;
  intake: BatchIntake;
  settings: Pick<Settings, 'delivery'>;
  /** Names the import for its idempotency keys; without one each chunk is keyed by its content. */
  name: string | null;
  chunkSize: number;
  /** Called with each rejected record's errors (for the --errors file). */
  onRejected?: (errors: ValidationError[], chunk: number) => void;
}

export interface ImportSummary {
  records: number;
  queued: number;
  rejected: number;
  submissions: number;
  /** Chunks already imported by an earlier run (same key, same content). */
  skipped: number;
  /** Chunks whose key was used before for other content: not imported. */
  conflicts: number;
  seconds: number;
}

const IN_FLIGHT = 2;

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

export async function importStream(input: Readable, o: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const summary: ImportSummary = { records: 0, queued: 0, rejected: 0, submissions: 0, skipped: 0, conflicts: 0, seconds: 0 };
  const vendor = o.adapter.vendor;
  let headerJson: string | null = null;
  let items: string[] = [];
  let chunkNo = 0;
  const ready: { no: number; json: string }[] = [];
  const reader = new JsonBatchReader(o.adapter.itemsField, {
    header: (fields) => {
      // The header's own problems (no school, wrong year format) come back with the first chunk.
      headerJson = JSON.stringify(fields).slice(0, -1);
    },
    item: (json) => {
      summary.records += 1;
      items.push(json);
      if (items.length === o.chunkSize) cut();
    },
  });
  const cut = () => {
    const sep = headerJson === '{' ? '' : ',';
    ready.push({ no: chunkNo++, json: `${headerJson}${sep}${JSON.stringify(o.adapter.itemsField)}:[${items.join(',')}]}` });
    items = [];
  };

  // Chunks are validated in parallel but stored in order, one at a time.
  const inFlight: Promise<void>[] = [];
  let storing: Promise<void> = Promise.resolve();
  const launch = (chunk: { no: number; json: string }) => {
    const validated = o.intake.run(vendor, chunk.json);
    validated.catch(() => undefined); // awaited in order below; a failure surfaces there
    storing = storing.then(async () => storeChunk(chunk.no, chunk.json, await validated));
    storing.catch(() => undefined);
    inFlight.push(storing);
  };
  const storeChunk = async (no: number, json: string, outcome: Awaited<ReturnType<BatchIntake['run']>>) => {
    if (outcome.kind === 'format') throw new ImportError(`chunk ${no}: ${outcome.errors.map((e) => `${e.path} ${e.code}: ${e.detail_en}`).join('; ')}`);
    if (outcome.kind !== 'ok') throw new ImportError(`chunk ${no}: ${outcome.kind}`);
    const key = `import:${o.name ?? createHash('sha256').update(json).digest('hex')}:${no}`;
    const prior = await o.store.findSubmissionByIdempotencyKey(vendor, key);
    const { result } = outcome;
    if (prior) {
      if (prior.requestHash === outcome.requestHash) summary.skipped += 1;
      else summary.conflicts += 1;
      return;
    }
    applyVersionRule(result, await o.store.latestVersions(queuedKeys(result)));
    const response = submissionResponse(uuidv7(), vendor, result);
    summary.queued += response.queued;
    summary.rejected += response.rejected;
    for (const outcomeOfRecord of result.outcomes) if (outcomeOfRecord.errors) o.onRejected?.(outcomeOfRecord.errors, no);
    if (response.queued === 0) return; // as over HTTP: nothing to store, the rejections are reported
    await o.store.insertSubmission(
      { id: response.submissionId, vendor, idempotencyKey: key, requestHash: outcome.requestHash, response, createdAt: Date.now() },
      result.records,
      retryPolicyOf(o.settings),
    );
    summary.submissions += 1;
  };

  input.setEncoding('utf8');
  try {
    for await (const text of input as AsyncIterable<string>) {
      reader.push(text);
      while (ready.length > 0) {
        launch(ready.shift()!);
        // Back-pressure: stop reading while IN_FLIGHT chunks are being validated or stored.
        while (inFlight.length >= IN_FLIGHT) await inFlight.shift();
      }
    }
    reader.end();
  } catch (e) {
    // Bad text further on: the whole chunks before it are stored (each is a complete
    // submission), the chunk it cut short is not; a re-run of a corrected file skips the former.
    await Promise.allSettled(inFlight);
    throw e;
  }
  if (items.length > 0) cut();
  for (const chunk of ready.splice(0)) launch(chunk);
  await Promise.all(inFlight);
  await storing;
  summary.seconds = Math.round((performance.now() - started) / 100) / 10;
  return summary;
}
