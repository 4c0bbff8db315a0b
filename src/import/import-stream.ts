import type { Readable } from 'node:stream';
import type { BatchFormat, VendorAdapter } from '../adapters/adapter.js';
import type { Settings } from '../config/settings.js';
import { accept } from '../pipeline/accept.js';
import type { BatchIntake } from '../pipeline/intake-pool.js';
import type { BatchIntakeOutcome } from '../pipeline/batch-intake.js';
import type { Credential, Store } from '../storage/store.js';
import type { FieldError, ValidationError } from '../validation/types.js';

// A province's year-end file, streamed into the outbox: the format's streaming reader hands out
// a chunk of items at a time, each chunk is mapped and validated in the intake threads (two chunks
// in flight, so reading, validating and storing overlap), then goes through the one acceptance
// step (pipeline/accept.ts) as one submission, exactly as POST /v1/submissions does. Each chunk's Idempotency-Key is the import's name and the chunk's
// number, so running the same import again stores nothing twice. Memory holds a few chunks,
// whatever the file's size.

export interface ImportOptions {
  adapter: VendorAdapter;
  format: BatchFormat;
  store: Store;
  intake: BatchIntake;
  settings: Pick<Settings, 'delivery'>;
  /** Whose import it is: the vendor, and the schools it may store records for (null: any school of the province). */
  principal: Pick<Credential, 'schools'>;
  /** Names the import for its idempotency keys; without one each chunk is keyed by its content. */
  name: string | null;
  chunkSize: number;
  /** Map, validate and report every record, store nothing (vendor-check). */
  dryRun?: boolean;
  /** Called with each rejected record's errors (for the --errors file). */
  onRejected?: (errors: ValidationError[], chunk: number) => void;
  /** Called after each chunk, with the running summary (the progress bar). */
  onProgress?: (summary: ImportSummary) => void;
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
  /** The batch envelope's own problems, when that is why (vendor-check lists them). */
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

export async function importStream(input: Readable, o: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const summary: ImportSummary = { records: 0, queued: 0, rejected: 0, submissions: 0, skipped: 0, conflicts: 0, seconds: 0 };
  const vendor = o.adapter.vendor;

  // Chunks are validated in parallel but stored in order, one at a time.
  const inFlight: Promise<void>[] = [];
  let storing: Promise<void> = Promise.resolve();
  let chunkNo = 0;
  const launch = (no: number, batch: Awaited<ReturnType<BatchFormat['read']>>) => {
    const validated = o.intake.run({ vendor, batch });
    validated.catch(() => undefined); // awaited in order below; a failure surfaces there
    storing = storing.then(async () => storeChunk(no, await validated));
    storing.catch(() => undefined);
    inFlight.push(storing);
  };
  const storeChunk = async (no: number, outcome: BatchIntakeOutcome) => {
    if (outcome.kind === 'format') throw new ImportError(`chunk ${no}: ${outcome.errors.map((e) => `${e.path} ${e.code}: ${e.detail_en}`).join('; ')}`, outcome.errors);
    if (outcome.kind !== 'ok') throw new ImportError(`chunk ${no}: ${outcome.kind}`);
    const key = `import:${o.name ?? outcome.requestHash}:${no}`;
    const accepted = await accept(
      { store: o.store, settings: o.settings, nudge: () => undefined },
      { principal: { vendor, schools: o.principal.schools }, idempotencyKey: key, requestHash: outcome.requestHash, handling: null, dryRun: o.dryRun === true, result: outcome.result },
    );
    if (accepted.kind === 'replayed') return void (summary.skipped += 1);
    if (accepted.kind === 'conflict') return void (summary.conflicts += 1);
    const { response } = accepted;
    summary.queued += response.queued;
    summary.rejected += response.rejected;
    for (const outcomeOfRecord of response.records) if (outcomeOfRecord.errors) o.onRejected?.(outcomeOfRecord.errors, no);
    if (accepted.kind === 'stored') summary.submissions += 1;
    o.onProgress?.(summary);
  };

  try {
    for await (const batch of o.format.stream(input, o.chunkSize)) {
      summary.records += batch.items.length;
      launch(chunkNo++, batch);
      // Back-pressure: stop reading while IN_FLIGHT chunks are being validated or stored.
      while (inFlight.length >= IN_FLIGHT) await inFlight.shift();
    }
  } catch (e) {
    // Bad text further on: the whole chunks before it are stored (each is a complete
    // submission), the chunk it cut short is not; a re-run of a corrected file skips the former.
    await Promise.allSettled(inFlight);
    throw e;
  }
  await Promise.all(inFlight);
  await storing;
  summary.seconds = Math.round((performance.now() - started) / 100) / 10;
  return summary;
}
