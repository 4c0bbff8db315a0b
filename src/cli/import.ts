import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { getAdapter } from '../adapters/registry.js';
import { loadSettings } from '../config/settings.js';
import { importStream, type ImportSummary } from '../import/import-stream.js';
import { createBatchIntake } from '../pipeline/intake-pool.js';
import { openStore } from '../storage/open-store.js';

// `hocba-gw import`: the operator's side of the bulk import (src/import/): settings, store,
// intake threads, the errors file.

export interface ImportCommand {
  vendor: string;
  /** A file path, or '-' for standard input. */
  source: string;
  chunk: number;
  name: string | null;
  errorsFile: string | null;
  /** Intake threads; 0 maps and validates on the import's own thread (least memory). */
  workers: number;
}

export async function runImport(c: ImportCommand): Promise<ImportSummary> {
  const adapter = getAdapter(c.vendor);
  if (!adapter) throw new Error(`unknown vendor: ${c.vendor}`);
  if (!Number.isInteger(c.chunk) || c.chunk < 1) throw new Error('--chunk must be a positive whole number');
  if (!Number.isInteger(c.workers) || c.workers < 0) throw new Error('--workers must be a whole number');
  const settings = loadSettings();
  if (c.chunk > settings.maxRecordsPerBatch) throw new Error(`--chunk is at most maxRecordsPerBatch (${settings.maxRecordsPerBatch})`);
  const fromStdin = c.source === '-';
  // A file's import is named by the file (name and size), so a re-run of the same file is
  // recognised; standard input has no name unless given one, and its chunks are keyed by content.
  const name = c.name ?? (fromStdin ? null : `${basename(c.source)}:${statSync(c.source).size}`);
  const store = await openStore(settings.databaseUrl);
  await store.migrate();
  const intake = createBatchIntake({
    workers: c.workers,
    maxRecords: settings.maxRecordsPerBatch,
    validation: { rules: settings.rules, referenceData: settings.referenceData, provinceCode: settings.provinceCode },
    // A chunk of 500 needs a few MB; without a limit V8 lets each thread's heap grow far beyond.
    maxHeapMb: 96,
  });
  const errors = c.errorsFile ? createWriteStream(c.errorsFile) : null;
  try {
    return await importStream(fromStdin ? process.stdin : createReadStream(c.source, { highWaterMark: 1 << 20 }), {
      adapter,
      store,
      intake,
      settings,
      name,
      chunkSize: c.chunk,
      onRejected: errors ? (list, chunk) => errors.write(list.map((e) => JSON.stringify({ chunk, ...e })).join('\n') + '\n') : undefined,
    });
  } finally {
    await intake.close();
    await store.close();
    if (errors) await new Promise((done) => errors.end(done));
  }
}
