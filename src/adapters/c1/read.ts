import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import type ExcelJS from 'exceljs';
import { lazyPackage } from '../../lazy-package.js';
import { BatchFormatError } from '../adapter.js';
import type { ErrorCode } from '../../errors/catalogue.js';
import type { SourceLocation } from '../../validation/types.js';
import { HEADER_KEY_BY_LABEL, HEADER_LABEL_BY_KEY, REQUIRED_HEADER, colLetters, keyOfHeading, normHeading } from './template.js';

// A C1 workbook read as a stream with exceljs's streaming reader, whichever program wrote it
// (shared or inline strings, numbers as text, merged header rows, blank rows). exceljs's reader has
// no limits of its own: it inflates every zip entry to the end, spools worksheets that come before
// the shared strings (Excel and openpyxl write them in that order) to temporary files, builds a
// cell object for every column up to a cell's reference and a column object for every column a
// <col> element spans. A hostile workbook of a few MB could so cost gigabytes or hours. The reader
// below (a subclass that replaces exceljs's `parse` loop, reusing its shared-string, workbook and
// worksheet parsers) bounds every one of these and refuses beyond with WORKBOOK_LIMIT_EXCEEDED.

export const LIMITS = Object.freeze({
  /** Zip entries (a sheet per class: a district's workbook has a few thousand). */
  entries: 20_000,
  /** Inflated bytes of one entry: a 100,000-student sheet is about 400 MB of XML. */
  entryBytes: 1024 * 2 ** 20,
  /** Inflated bytes of the shared strings, which are held in memory while the sheets are read. */
  sharedStringsBytes: 64 * 2 ** 20,
  /** Inflated bytes over compressed bytes read, once 32 MB are inflated (sheets compress 10-30 times; a zip bomb 1,000). */
  inflateRatio: 200,
  /** Excel's own limits: rows of a sheet, characters of a cell. */
  rows: 1_048_576,
  cellChars: 32_767,
  /** Columns: the widest template (THPT) has about 230; two-letter references reach ZZ (702). */
  columns: 702,
});

/** One cell's value as the mapper sees it. */
export type CellValue = string | number | boolean;

/** A sheet's header block and column headings, shared by its rows. */
export interface SheetInfo {
  sheet: string;
  /** Header fields (vnEdu names: MaTruong, NamHoc, Khoi, ...) with the cell each came from. */
  header: Record<string, { v: CellValue; cell: string; label: string }>;
  /** Column key → column letters and heading as printed. */
  columns: Record<string, { col: string; heading: string }>;
}

/** One student row: its sheet, row number and the values of its mapped columns by key. */
export interface C1Item {
  s: SheetInfo;
  row: number;
  v: Record<string, CellValue>;
}

const req = createRequire(createRequire(import.meta.url).resolve('exceljs'));
// exceljs's own zip parser, so the bounded loop reads zips exactly as exceljs does. Its entries
// and their bodies are read with Node's own async iteration of streams: exceljs's helper
// (lib/utils/iterate-stream) lost the workbook part about once in 400 reads of the same valid
// template (measured: "no xl/workbook.xml part" on a workbook that reads fine the other 399 times).
const unzipper = () => req('unzipper') as { Parse(o: { forceStream: boolean }): NodeJS.ReadWriteStream };
const excelJs = lazyPackage<typeof ExcelJS>('exceljs');
const iterateStream = (s: NodeJS.ReadableStream): AsyncIterable<Buffer> => s as unknown as AsyncIterable<Buffer>;

export function workbookError(code: ErrorCode, en: string, vi: string, source?: SourceLocation): BatchFormatError {
  const where = source ? ` (${[source.sheet && `sheet "${source.sheet}"`, source.cell ?? (source.row && `row ${source.row}`)].filter(Boolean).join(', ')})` : '';
  return new BatchFormatError(en + where, [{ path: '', code, detail_en: en + where, detail_vi: vi + where, ...(source ? { source } : {}) }]);
}

const tooMuch = (what: string, vi: string, source?: SourceLocation) => workbookError('WORKBOOK_LIMIT_EXCEEDED', `the workbook exceeds a limit: ${what}`, `tệp Excel vượt giới hạn: ${vi}`, source);

interface Budget {
  compressed: number;
  inflated: number;
}

/**
 * An entry's bytes, counted against its limit and the workbook's ratio, and checked for cell
 * references beyond the column limit, <col> spans beyond Excel's 16,384 columns and runs of text
 * longer than any cell may hold, before exceljs sees them.
 */
async function* guarded(chunks: AsyncIterable<Buffer>, entry: string, limit: number, budget: Budget): AsyncGenerator<string> {
  // Text, decoded across chunk boundaries: exceljs decodes each chunk alone, which breaks a
  // Vietnamese letter (2-3 bytes in UTF-8) that a chunk boundary cuts ("Đ" read as "\ufffd\ufffd").
  const decoder = new StringDecoder('utf8');
  let bytes = 0;
  let textRun = 0;
  let tail = '';
  for await (const chunk of chunks) {
    bytes += chunk.length;
    budget.inflated += chunk.length;
    if (bytes > limit) throw tooMuch(`${entry} inflates beyond ${limit} bytes`, `${entry} giải nén vượt ${limit} byte`);
    if (budget.inflated > 32 * 2 ** 20 && budget.inflated > LIMITS.inflateRatio * Math.max(1, budget.compressed)) {
      throw tooMuch(`it inflates more than ${LIMITS.inflateRatio} times (a zip bomb?)`, `giải nén lớn hơn ${LIMITS.inflateRatio} lần (zip bomb?)`);
    }
    const text = decoder.write(chunk);
    const lt = text.lastIndexOf('<');
    textRun = lt === -1 ? textRun + text.length : text.length - lt - 1;
    // A cell holds 32,767 characters: even escaped (&quot; is 6 characters) no run between tags is longer.
    if (textRun > LIMITS.cellChars * 6) throw tooMuch(`a text in ${entry} is longer than a cell may hold (${LIMITS.cellChars} characters)`, `một ô trong ${entry} dài hơn ${LIMITS.cellChars} ký tự`);
    const scan = tail + text;
    if (REF_BEYOND.test(scan)) throw tooMuch(`a cell of ${entry} lies beyond column ${colLetters(LIMITS.columns)}`, `một ô của ${entry} nằm ngoài cột ${colLetters(LIMITS.columns)}`);
    if (scan.includes('<col ')) {
      for (const m of scan.matchAll(/<col\s[^>]*?\b(?:min|max)="([0-9]+)"/g)) {
        if (Number(m[1]) > 16_384) throw tooMuch(`a column range of ${entry} reaches beyond column 16,384`, `một dải cột của ${entry} vượt quá cột 16.384`);
      }
    }
    tail = scan.slice(-64);
    yield text;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

const REF_BEYOND = /\sr="[A-Za-z]{3,}[0-9]/;

/** exceljs's streaming reader with the limits above, yielding its worksheet readers in zip order. */
const defineBoundedReader = () =>
  class BoundedWorkbookReader extends excelJs().stream.xlsx.WorkbookReader {
    readonly budget: Budget = { compressed: 0, inflated: 0 };
    private spoolDir: string | null = null;

    /**
     * exceljs names a sheet only when its relationship's target is relative ("worksheets/sheet1.xml");
     * openpyxl writes it absolute ("/xl/worksheets/sheet1.xml"), which left every sheet "Sheet1".
     */
    private named<W extends { name: string }>(ws: W, no: string): W {
      const self = this as unknown as { workbookRels?: { Id: string; Target: string }[]; model?: { sheets?: { rId: string; name: string }[] } };
      const rel = (self.workbookRels ?? []).find((r) => r.Target.replace(/^\/?(xl\/)?/, '') === `worksheets/sheet${no}.xml`);
      const sheet = rel && (self.model?.sheets ?? []).find((x) => x.rId === rel.Id);
      if (sheet) ws.name = sheet.name;
      return ws;
    }

    async *sheets(input: Readable): AsyncGenerator<ExcelJS.stream.xlsx.WorksheetReader & { name: string }> {
      // Untyped internals of exceljs's reader (lib/stream/xlsx/workbook-reader.js).
      const self = this as unknown as {
        _parseRels(e: unknown): Promise<void>;
        _parseWorkbook(e: unknown): Promise<void>;
        _parseSharedStrings(e: unknown): AsyncIterable<unknown>;
        _parseWorksheet(it: AsyncIterable<Buffer | string>, no: string): Iterable<{ eventType: string; value: ExcelJS.stream.xlsx.WorksheetReader & { name: string } }>;
        sharedStrings?: unknown[];
        workbookRels?: unknown;
      };
      const counter = new Transform({
        transform: (chunk: Buffer, _e, done) => {
          this.budget.compressed += chunk.length;
          done(null, chunk);
        },
      });
      const zip = unzipper().Parse({ forceStream: true });
      input.on('error', (e) => zip.emit('error', e));
      input.pipe(counter).pipe(zip as unknown as NodeJS.WritableStream);
      const waiting: { no: string; path: string }[] = [];
      let entries = 0;
      const asStream = (it: AsyncIterable<string>) => Readable.from(it, { objectMode: false });
      try {
        for await (const entry of iterateStream(zip) as AsyncIterable<unknown> as AsyncIterable<Readable & { path: string; autodrain(): void }>) {
          if (++entries > LIMITS.entries) throw tooMuch(`more than ${LIMITS.entries} zip entries`, `nhiều hơn ${LIMITS.entries} mục nén`);
          const path = entry.path;
          const body = (limit: number) => guarded(iterateStream(entry), path, limit, this.budget);
          const sheetNo = /^xl\/worksheets\/sheet(\d+)\.xml$/.exec(path)?.[1];
          if (path === 'xl/_rels/workbook.xml.rels') await self._parseRels(asStream(body(LIMITS.sharedStringsBytes)));
          else if (path === 'xl/workbook.xml') await self._parseWorkbook(asStream(body(LIMITS.sharedStringsBytes)));
          else if (path === 'xl/sharedStrings.xml') for await (const _ of self._parseSharedStrings(asStream(body(LIMITS.sharedStringsBytes)))) void _;
          else if (sheetNo !== undefined) {
            if (self.sharedStrings && self.workbookRels) {
              for (const { value } of self._parseWorksheet(body(LIMITS.entryBytes), sheetNo)) yield this.named(value, sheetNo);
            } else {
              // Before the shared strings (or without any): spooled, bounded, to a file of our own.
              this.spoolDir ??= mkdtempSync(join(tmpdir(), 'hocba-c1-'));
              const file = join(this.spoolDir, `sheet${sheetNo}.xml`);
              await pipeline(asStream(body(LIMITS.entryBytes)), createWriteStream(file));
              waiting.push({ no: sheetNo, path: file });
            }
          } else {
            // Anything else (styles, themes, properties) is inflated and counted, not parsed.
            for await (const _ of body(LIMITS.entryBytes)) void _;
          }
          entry.autodrain();
        }
        // A zip without a workbook part (or no zip at all that unzipper still walked) is not xlsx.
        if (!(this as unknown as { model?: unknown }).model) throw new Error('no xl/workbook.xml part: not an xlsx workbook');
        for (const w of waiting) {
          for (const { value } of self._parseWorksheet(createReadStream(w.path, { highWaterMark: 1 << 16, encoding: 'utf8' }) as AsyncIterable<string>, w.no)) yield this.named(value, w.no);
          rmSync(w.path, { force: true });
        }
      } finally {
        if (this.spoolDir) rmSync(this.spoolDir, { recursive: true, force: true });
        input.unpipe();
        counter.destroy();
      }
    }
  };
let BoundedReader: ReturnType<typeof defineBoundedReader> | undefined;
/** The class, made on the first workbook (exceljs is loaded then). */
const boundedWorkbookReader = () => (BoundedReader ??= defineBoundedReader());

/** A cell's value from exceljs (rich text, formula results, shared-string objects), as text, number or boolean. */
function valueOf(v: unknown): CellValue | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'boolean') return v;
  if (v instanceof Date) return `${String(v.getUTCDate()).padStart(2, '0')}/${String(v.getUTCMonth() + 1).padStart(2, '0')}/${v.getUTCFullYear()}`;
  if (typeof v === 'object') {
    const o = v as { richText?: { text?: string }[]; result?: unknown; error?: string; text?: unknown };
    if (Array.isArray(o.richText)) return valueOf(o.richText.map((r) => r.text ?? '').join(''));
    if ('result' in o) return valueOf(o.result);
    if (typeof o.error === 'string') return o.error;
    if ('text' in o) return valueOf(o.text);
  }
  return undefined;
}

type Row = { number: number; values: unknown[] };

/** The row's cells by 1-based column, as plain values; refuses text longer than a cell may hold. */
function cellsOf(row: Row, sheet: string): Map<number, CellValue> {
  const out = new Map<number, CellValue>();
  const values = row.values;
  for (let c = 1; c < values.length; c++) {
    const v = valueOf(values[c]);
    if (v === undefined) continue;
    if (typeof v === 'string' && v.length > LIMITS.cellChars) {
      throw tooMuch(`cell ${colLetters(c)}${row.number} holds more than ${LIMITS.cellChars} characters`, `ô ${colLetters(c)}${row.number} có hơn ${LIMITS.cellChars} ký tự`, { sheet, row: row.number, cell: `${colLetters(c)}${row.number}` });
    }
    out.set(c, v);
  }
  return out;
}

const text = (v: CellValue | undefined) => (v === undefined ? '' : String(v));

/** Reads one sheet: header block, headings, then student rows. */
async function* readSheet(ws: AsyncIterable<Row>, sheet: string): AsyncGenerator<C1Item> {
  const info: SheetInfo = { sheet, header: {}, columns: {} };
  let headingRow: Map<number, CellValue> | null = null;
  let headingAt = 0;
  let columnsReady = false;
  let sawAnything = false;
  const colKeys = new Map<number, string>();

  const buildColumns = (subs: Map<number, CellValue> | null) => {
    const maxCol = Math.max(...headingRow!.keys(), ...(subs ? subs.keys() : []));
    let group = '';
    for (let c = 1; c <= maxCol; c++) {
      const own = headingRow!.get(c);
      if (own !== undefined) group = text(own);
      const sub = subs?.get(c);
      // A sub-heading belongs to the nearest group heading at or left of it (merged cells keep their text in the first).
      const key = sub !== undefined ? keyOfHeading(group, text(sub)) : own !== undefined ? keyOfHeading(text(own)) : undefined;
      if (key !== undefined && !(key in info.columns)) {
        info.columns[key] = { col: colLetters(c), heading: sub !== undefined ? `${group} | ${text(sub)}` : text(own) };
        colKeys.set(c, key);
      }
    }
    columnsReady = true;
    for (const k of REQUIRED_HEADER) {
      if (!(k in info.header)) {
        const label = HEADER_LABEL_BY_KEY.get(k)!;
        throw workbookError('WORKBOOK_HEADER_MISSING', `the header block above row ${headingAt} lacks "${label}"`, `phần đầu trang phía trên dòng ${headingAt} thiếu "${label}"`, { sheet, row: headingAt, field: label });
      }
    }
  };

  const itemOf = (row: Row, cells: Map<number, CellValue>): C1Item | null => {
    const v: Record<string, CellValue> = {};
    let any = false;
    for (const [c, value] of cells) {
      const key = colKeys.get(c);
      if (key === undefined || key === 'STT') continue;
      v[key] = value;
      any = true;
    }
    return any ? { s: info, row: row.number, v } : null;
  };

  for await (const row of ws) {
    if (row.number > LIMITS.rows) throw tooMuch(`row ${row.number} is beyond Excel's last row`, `dòng ${row.number} vượt quá dòng cuối của Excel`, { sheet, row: row.number });
    const cells = cellsOf(row, sheet);
    if (cells.size === 0) continue;
    sawAnything = true;
    if (columnsReady) {
      const item = itemOf(row, cells);
      if (item) yield item;
      continue;
    }
    if (headingRow) {
      // The row after the headings: sub-headings when its STT cell is empty and it holds text, else the first student.
      const sttCol = [...headingRow].find(([, v]) => keyOfHeading(text(v)) === 'STT')?.[0];
      const isSubs = (sttCol === undefined || !cells.has(sttCol)) && [...cells.values()].some((v) => typeof v === 'string');
      buildColumns(isSubs ? cells : null);
      if (!isSubs) {
        const item = itemOf(row, cells);
        if (item) yield item;
      }
      continue;
    }
    const keys = [...cells.values()].map((v) => keyOfHeading(text(v)));
    if (keys.includes('MaHocSinh') && keys.includes('HoTen')) {
      headingRow = cells;
      headingAt = row.number;
      continue;
    }
    // The header block: "Label: value" in one cell, or the label and its value in the next filled cell to the right.
    const sorted = [...cells].sort((a, b) => a[0] - b[0]);
    sorted.forEach(([c, v], i) => {
      if (typeof v !== 'string') return;
      const colon = v.indexOf(':');
      const label = colon === -1 ? v : v.slice(0, colon);
      const key = HEADER_KEY_BY_LABEL.get(normHeading(label));
      if (key === undefined || key in info.header) return;
      const inline = colon === -1 ? '' : v.slice(colon + 1).trim();
      if (inline !== '') info.header[key] = { v: inline, cell: `${colLetters(c)}${row.number}`, label: label.trim() };
      else if (sorted[i + 1]) info.header[key] = { v: sorted[i + 1]![1], cell: `${colLetters(sorted[i + 1]![0])}${row.number}`, label: label.trim() };
    });
  }
  if (headingRow && !columnsReady) buildColumns(null);
  if (!headingRow && sawAnything) {
    throw workbookError('WORKBOOK_HEADER_MISSING', 'no heading row (a row with "STT", "Mã học sinh", "Họ và tên") was found', 'không tìm thấy dòng tiêu đề cột (dòng có "STT", "Mã học sinh", "Họ và tên")', { sheet });
  }
}

/** Every student row of a workbook, in order, as it is read. Throws BatchFormatError. */
export async function* readC1Workbook(input: Readable): AsyncGenerator<C1Item> {
  const reader = new (boundedWorkbookReader())(input, { sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', worksheets: 'emit' });
  let sheet = '';
  try {
    for await (const ws of reader.sheets(input)) {
      sheet = ws.name;
      yield* readSheet(ws as unknown as AsyncIterable<Row>, sheet);
      sheet = '';
    }
  } catch (e) {
    if (e instanceof BatchFormatError) throw e;
    const message = (e as Error).message ?? String(e);
    throw workbookError(
      'WORKBOOK_UNREADABLE',
      `not a readable xlsx workbook: ${message}`,
      `không đọc được tệp Excel (xlsx): ${message}`,
      sheet ? { sheet } : undefined,
    );
  }
}

/** A whole body (bytes) as a stream for the reader. */
export function bytesStream(body: Uint8Array): Readable {
  const s = new PassThrough();
  s.end(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  return s;
}
