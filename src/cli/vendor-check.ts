import { BatchFormatError } from '../adapters/adapter.js';
import { getAdapter } from '../adapters/registry.js';
import { ERRORS } from '../errors/catalogue.js';
import { ImportError } from '../import/import-stream.js';
import type { FieldError, SourceLocation, ValidationError } from '../validation/types.js';
import { formatOfFile, runImport } from './import.js';

// `hocba-gw vendor-check`: a conformance report for a vendor's developer. The file goes through
// exactly what an import does (the format's streaming reader, the adapter's map, validation,
// the acceptance step), as a dry run against an in-memory store: no gateway database, nothing
// stored, any size of file in a few chunks of memory. What it says is what the gateway would
// answer for these records.

export interface VendorCheckOptions {
  vendor: string;
  file: string;
  /** json, xml, xlsx; default by the file's extension, else the adapter's first. */
  format?: string;
  /** Records per chunk (the import's default, 500). */
  chunk?: number;
}

export interface CheckedError {
  /** The record's place in the file, from 0. */
  index: number;
  recordKey?: string;
  path: string;
  code: string;
  message_en: string;
  message_vi: string;
  source?: SourceLocation;
}

export interface VendorCheckReport {
  vendor: string;
  format: string;
  file: string;
  /** Records read (for an unreadable file, those read before the reader stopped). */
  records: number;
  valid: number;
  invalid: number;
  /** Every error, up to MAX_LISTED; `errorCount` counts them all. */
  errors: CheckedError[];
  errorCount: number;
  /** The codes most often broken, most first (ten at most), counted over every error. */
  topCodes: { code: string; count: number }[];
  /** Why the file could not be read at all (exit 2), with the envelope's errors when that was it. */
  unreadable?: { message: string; errors: CheckedError[] };
}

/** Errors kept for the report; beyond, only counted (a file of a million bad records). */
export const MAX_LISTED = 10_000;
const TOP = 10;

/** One envelope error (no record of its own) as the report lists it. */
function envelopeError(e: FieldError): CheckedError {
  const def = ERRORS[e.code];
  return {
    index: -1,
    path: e.path,
    code: e.code,
    message_en: e.detail_en ? `${def.en}: ${e.detail_en}` : def.en,
    message_vi: e.detail_vi ? `${def.vi}: ${e.detail_vi}` : def.vi,
    ...(e.source ? { source: e.source } : {}),
  };
}

/** The report and its exit code: 0 every record valid, 1 some invalid, 2 the file unreadable. */
export async function vendorCheck(o: VendorCheckOptions): Promise<{ report: VendorCheckReport; exitCode: 0 | 1 | 2 }> {
  const adapter = getAdapter(o.vendor);
  if (!adapter) throw new Error(`unknown vendor: ${o.vendor}`);
  const chunk = o.chunk ?? 500;
  const report: VendorCheckReport = {
    vendor: o.vendor,
    format: o.format ?? formatOfFile(o.file) ?? adapter.formats[0]!.name,
    file: o.file,
    records: 0,
    valid: 0,
    invalid: 0,
    errors: [],
    errorCount: 0,
    topCodes: [],
  };
  const counts = new Map<string, number>();
  const collect = (list: ValidationError[], chunkNo: number) => {
    for (const e of list) {
      counts.set(e.code, (counts.get(e.code) ?? 0) + 1);
      report.errorCount += 1;
      if (report.errors.length >= MAX_LISTED) continue;
      report.errors.push({
        index: chunkNo * chunk + e.index,
        ...(e.recordKey !== undefined ? { recordKey: e.recordKey } : {}),
        path: e.path,
        code: e.code,
        message_en: e.message_en,
        message_vi: e.message_vi,
        ...(e.source ? { source: e.source } : {}),
      });
    }
  };
  let exitCode: 0 | 1 | 2;
  try {
    const summary = await runImport({
      vendor: o.vendor,
      format: report.format,
      source: o.file,
      chunk,
      name: null,
      errorsFile: null,
      workers: 0,
      dryRun: true,
      databaseUrl: ':memory:',
      onRejected: collect,
      onProgress: (s) => Object.assign(report, { valid: s.queued, invalid: s.rejected }),
    });
    Object.assign(report, { records: summary.records, valid: summary.queued, invalid: summary.rejected });
    exitCode = summary.rejected > 0 ? 1 : 0;
  } catch (e) {
    // Chunks before the place the reader stopped were checked: their counts stay in the report.
    report.records = report.valid + report.invalid;
    report.unreadable = { message: (e as Error).message, errors: e instanceof ImportError || e instanceof BatchFormatError ? e.errors.map(envelopeError) : [] };
    exitCode = 2;
  }
  report.topCodes = topCodesOf(counts);
  return { report, exitCode };
}

/** The codes most often broken: most first, then by name; ten at most. */
export function topCodesOf(counts: ReadonlyMap<string, number>): { code: string; count: number }[] {
  return [...counts]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .slice(0, TOP)
    .map(([code, count]) => ({ code, count }));
}

const where = (s: SourceLocation) => [s.sheet && `sheet ${s.sheet}`, s.row !== undefined && `row ${s.row}`, s.cell && `cell ${s.cell}`, s.field && `field ${s.field}`].filter(Boolean).join(', ');

/** The report for a person: what was read, each error, the codes most often broken. */
export function reportText(r: VendorCheckReport): string {
  const lines = [`hocba-gw vendor-check: ${r.file} (vendor ${r.vendor}, format ${r.format})`, ''];
  if (r.unreadable) {
    lines.push(`UNREADABLE / KHÔNG ĐỌC ĐƯỢC: ${r.unreadable.message}`);
    for (const e of r.unreadable.errors) lines.push(`  ${e.path || '(batch)'}  ${e.code}`, `    vi: ${e.message_vi}`, `    en: ${e.message_en}`);
    lines.push('');
  }
  lines.push(`Records read / Số hồ sơ đọc được: ${r.records}`, `Valid / Hợp lệ:                   ${r.valid}`, `Invalid / Không hợp lệ:           ${r.invalid}`, '');
  if (r.errorCount > 0) {
    lines.push(`Errors / Lỗi (${r.errorCount}):`);
    for (const e of r.errors) {
      lines.push(`  record ${e.index}${e.recordKey ? ` (${e.recordKey})` : ''}  ${e.path || '(record)'}  ${e.code}${e.source ? `  [${where(e.source)}]` : ''}`);
      lines.push(`    vi: ${e.message_vi}`, `    en: ${e.message_en}`);
    }
    if (r.errorCount > r.errors.length) lines.push(`  … ${r.errorCount - r.errors.length} more / còn ${r.errorCount - r.errors.length} lỗi nữa`);
    lines.push('', 'Most often broken / Lỗi gặp nhiều nhất:');
    const width = Math.max(...r.topCodes.map((c) => c.code.length));
    for (const c of r.topCodes) lines.push(`  ${c.code.padEnd(width)}  ${c.count}`);
    lines.push('');
  }
  const verdict = r.unreadable
    ? 'The file could not be read to the end. / Không đọc được hết tệp.'
    : r.invalid === 0
      ? 'Every record is valid. / Mọi hồ sơ đều hợp lệ.'
      : `${r.invalid} of ${r.records} records would be rejected. / ${r.invalid} trên ${r.records} hồ sơ sẽ bị từ chối.`;
  lines.push(verdict);
  return lines.join('\n') + '\n';
}
