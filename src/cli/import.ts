import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { formatNamed } from '../adapters/adapter.js';
import { getAdapter } from '../adapters/registry.js';
import { loadSettings } from '../config/settings.js';
import { importStream, type ImportSummary } from '../import/import-stream.js';
import { createBatchIntake } from '../pipeline/intake-pool.js';
import { hashKey } from '../plugins/auth.js';
import { openStore } from '../storage/open-store.js';
import type { ValidationError } from '../validation/types.js';

// `hocba-gw import`: the operator's side of the bulk import (src/import/): settings, store,
// intake threads, the errors file. The import acts for a vendor key (`--key`: that key's schools
// only), for a list of schools (`--schools`), or, by default, for the operator, who may store
// records of any school of the province.

export interface ImportCommand {
  vendor: string;
  /** The adapter's format by name (json, xml, xlsx); default by the file's extension, else the adapter's first. */
  format?: string;
  /** A file path, or '-' for standard input. */
  source: string;
  chunk: number;
  name: string | null;
  errorsFile: string | null;
  /** Intake threads; 0 maps and validates on the import's own thread (least memory). */
  workers: number;
  /** A vendor key whose schools bound the import. */
  key?: string | null;
  /** Schools the import may store records for. */
  schools?: string[] | null;
  /** Store nothing: map, validate and report (vendor-check). */
  dryRun?: boolean;
  /** Instead of the settings' DATABASE_URL (vendor-check: ':memory:', no gateway database needed). */
  databaseUrl?: string;
  onRejected?: (errors: ValidationError[], chunk: number) => void;
  onProgress?: (summary: ImportSummary) => void;
  /** The stream being read (a file's has bytesRead: the progress bar's ETA). */
  onInput?: (input: NodeJS.ReadableStream & { bytesRead?: number }) => void;
}

/** The format a file's extension names (.json, .xml, .xlsx), if it names one. */
export function formatOfFile(source: string): string | undefined {
  const ext = extname(source).toLowerCase().slice(1);
  return ['json', 'xml', 'xlsx'].includes(ext) ? ext : undefined;
}

export async function runImport(c: ImportCommand): Promise<ImportSummary> {
  const adapter = getAdapter(c.vendor);
  if (!adapter) throw new Error(`unknown vendor: ${c.vendor}`);
  // An .xml file for a vendor that sends only JSON is refused by name below, rather than read
  // as JSON and refused for its first character.
  const format = formatNamed(adapter, c.format ?? formatOfFile(c.source));
  if (!format) throw new Error(`vendor ${c.vendor} has no format ${c.format ?? formatOfFile(c.source)} (it reads ${adapter.formats.map((f) => f.name).join(', ')}; give --format)`);
  if (!Number.isInteger(c.chunk) || c.chunk < 1) throw new Error('--chunk must be a positive whole number');
  if (!Number.isInteger(c.workers) || c.workers < 0) throw new Error('--workers must be a whole number');
  const settings = loadSettings();
  if (c.chunk > settings.maxRecordsPerBatch) throw new Error(`--chunk is at most maxRecordsPerBatch (${settings.maxRecordsPerBatch})`);
  const fromStdin = c.source === '-';
  // A file's import is named by the file (name and size), so a re-run of the same file is
  // recognised; standard input has no name unless given one, and its chunks are keyed by content.
  const name = c.name ?? (fromStdin ? null : `${basename(c.source)}:${statSync(c.source).size}`);
  const store = await openStore(c.databaseUrl ?? settings.databaseUrl);
  await store.migrate();
  let schools = c.schools ?? null;
  if (c.key) {
    const cred = await store.findCredential(hashKey(c.key));
    if (!cred || cred.kind !== 'vendor') throw new Error('--key is not a vendor key of this gateway');
    if (cred.vendor !== c.vendor) throw new Error(`--key is a key of ${cred.vendor}, not of ${c.vendor}`);
    schools = cred.schools === null ? schools : schools === null ? cred.schools : schools.filter((s) => cred.schools!.includes(s));
  }
  const intake = createBatchIntake({
    workers: c.workers,
    maxRecords: settings.maxRecordsPerBatch,
    validation: { rules: settings.rules, referenceData: settings.referenceData, provinceCode: settings.provinceCode },
    // A chunk of 500 needs a few MB; without a limit V8 lets each thread's heap grow far beyond.
    maxHeapMb: 96,
  });
  const errors = c.errorsFile ? createWriteStream(c.errorsFile) : null;
  try {
    const input = fromStdin ? process.stdin : createReadStream(c.source, { highWaterMark: 1 << 20 });
    c.onInput?.(input);
    return await importStream(input, {
      adapter,
      format,
      store,
      intake,
      settings,
      principal: { schools },
      name,
      chunkSize: c.chunk,
      dryRun: c.dryRun === true,
      onRejected: (list, chunk) => {
        c.onRejected?.(list, chunk);
        errors?.write(list.map((e) => JSON.stringify({ chunk, ...e })).join('\n') + '\n');
      },
      onProgress: c.onProgress,
    });
  } finally {
    await intake.close();
    await store.close();
    if (errors) await new Promise((done) => errors.end(done));
  }
}
