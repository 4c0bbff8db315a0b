import { PassThrough, type Writable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { lazyPackage } from '../../lazy-package.js';
import type { VneduStudent } from '../vnedu/format.js';
import { sampleVneduBatch } from '../vnedu/sample.js';
import { HEADER_LABELS, LEVELS, columnsOf, levelOfGrade, type Level, type TemplateColumn } from './template.js';

const excelJs = lazyPackage<typeof ExcelJS>('exceljs');

// Writes C1 workbooks with exceljs's streaming writer (inline strings, a sheet committed as soon
// as it is written): the empty templates the gateway serves, and filled samples whose content is
// the vnEdu sample generator's (valid under Circulars 27 and 22), laid into the template at c1's
// schools, class by class.

export const SAMPLE_SCHOOLS = ['01006001', '01006002', '01006003'] as const;
const BLOCK = 500;
/** Fixed workbook dates, so the same input gives the same workbook content. */
const FIXED_DATE = new Date(Date.UTC(2025, 4, 31));

export interface SheetContent {
  name: string;
  level: Level;
  header: Record<string, string | number>;
  students: VneduStudent[];
}

type Cell = string | number | undefined;

const yes = (b: unknown) => (b === true ? 'Có' : b === false ? 'Không' : undefined);
const joined = (a: unknown) => (Array.isArray(a) ? a.join('; ') : undefined);

/** The value a column shows for a vnEdu student (the inverse of map.ts). */
export function cellOf(s: VneduStudent, key: string): Cell {
  const x = s as unknown as Record<string, unknown>;
  if (key === 'LenLop' || key === 'HoanThanhCTLH') return yes(x[key]);
  if (key === 'DanhGiaBoSung.HoanThanh') return yes((x.DanhGiaBoSung as Record<string, unknown> | undefined)?.HoanThanh);
  if (key === 'KhenThuong') return joined(x[key]) || undefined;
  const parts = key.split('.');
  // Parents or guardian by name; titles joined as awards are.
  if (parts[0] === 'LyLich' && (parts[1] === 'Cha' || parts[1] === 'Me' || parts[1] === 'NguoiGiamHo')) return s.LyLich?.GiaDinh?.find((m) => m.QuanHe === parts[1])?.HoTen;
  if (key === 'LyLich.DanhHieu') return joined(s.LyLich?.DanhHieu) || undefined;
  if (parts[0] === 'KQ') {
    const subject = (s.KetQuaHocTap as unknown as Record<string, unknown>[]).find((r) => r.MaMon === parts[1]);
    if (!subject) return undefined;
    let v: unknown = subject;
    for (const p of parts.slice(2)) v = (v as Record<string, unknown> | undefined)?.[p === 'DTB' && !('DTB' in ((v as object) ?? {})) ? 'KQ' : p];
    return Array.isArray(v) ? v.join('; ') : (v as Cell);
  }
  let v: unknown = x;
  for (const p of parts) v = (v as Record<string, unknown> | undefined)?.[p];
  return Array.isArray(v) ? v.join('; ') : (v as Cell);
}

/** One class sheet: title, header block, two heading rows with merges, then the students. */
function writeSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, content: SheetContent): void {
  const ws = wb.addWorksheet(content.name);
  const cols: TemplateColumn[] = columnsOf(content.level);
  ws.getRow(1).getCell(1).value = LEVELS[content.level].title;
  ws.mergeCells(1, 1, 1, 12);
  // Header block: rows 2-4, "label:" merged over two cells, its value in the third.
  HEADER_LABELS.forEach(([label, key], i) => {
    const r = 2 + Math.floor(i / 3);
    const c = 1 + (i % 3) * 4;
    ws.getRow(r).getCell(c).value = `${label}:`;
    ws.mergeCells(r, c, r, c + 1);
    const v = content.header[key];
    if (v !== undefined) ws.getRow(r).getCell(c + 2).value = v;
  });
  for (let r = 1; r <= 4; r++) ws.getRow(r).commit();
  const H = 6;
  const heads = ws.getRow(H);
  const subs = ws.getRow(H + 1);
  cols.forEach((col, i) => {
    const c = i + 1;
    const prev = cols[i - 1];
    if (col.sub === undefined) {
      heads.getCell(c).value = col.group;
      ws.mergeCells(H, c, H + 1, c);
    } else {
      if (!prev || prev.group !== col.group || prev.sub === undefined) {
        heads.getCell(c).value = col.group;
        const span = cols.slice(i).findIndex((x) => x.group !== col.group || x.sub === undefined);
        const last = span === -1 ? cols.length : i + span;
        if (last > c) ws.mergeCells(H, c, H, last);
      }
      subs.getCell(c).value = col.sub;
    }
  });
  heads.commit();
  subs.commit();
  content.students.forEach((s, n) => {
    const row = ws.getRow(H + 2 + n);
    cols.forEach((col, i) => {
      const v = col.key === 'STT' ? n + 1 : cellOf(s, col.key);
      if (v !== undefined && v !== '') row.getCell(i + 1).value = v;
    });
    row.commit();
  });
  ws.commit();
}

/** Writes sheets as they come to `out`; resolves when the workbook is complete. */
export async function writeWorkbook(out: Writable, sheets: Iterable<SheetContent>): Promise<void> {
  const wb = new (excelJs().stream.xlsx.WorkbookWriter)({ stream: out, useSharedStrings: false, useStyles: false });
  wb.creator = 'hocba-gateway';
  wb.created = FIXED_DATE;
  wb.modified = FIXED_DATE;
  for (const sheet of sheets) writeSheet(wb, sheet);
  await wb.commit();
}

export async function workbookBytes(sheets: Iterable<SheetContent>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => out.on('end', resolve));
  await writeWorkbook(out, sheets);
  await done;
  return Buffer.concat(chunks);
}

/** The empty template of a level: one class sheet, labels and headings, no students. */
export function emptyTemplate(level: Level): Promise<Buffer> {
  return workbookBytes([{ name: 'Lớp', level, header: { MaSoGD: '', MaTruong: '', NamHoc: '2024-2025' }, students: [] }]);
}

const schoolOfGrade = (g: number) => (g <= 5 ? SAMPLE_SCHOOLS[0] : g <= 9 ? SAMPLE_SCHOOLS[1] : SAMPLE_SCHOOLS[2]);

/**
 * Class sheets of `records` valid students, made 500 at a time (each block sampled with its own
 * seed, its learner IDs numbered on from the block before), at one grade or, by default, at the
 * three c1 schools in turn (grades 1-12).
 */
export function* sampleSheets(records: number, seed: number, grade?: number): Generator<SheetContent> {
  if (grade !== undefined) return yield* sampleGradeSheets(records, seed, grade);
  let sheetNo = 0;
  for (let b = 0; b * BLOCK < records; b++) {
    const size = Math.min(BLOCK, records - b * BLOCK);
    const schoolId = SAMPLE_SCHOOLS[b % SAMPLE_SCHOOLS.length]!;
    const batch = sampleVneduBatch(size, seed + b, { schoolId });
    const byClass = new Map<string, VneduStudent[]>();
    batch.DanhSachHocSinh.forEach((s, j) => {
      const n = b * BLOCK + j + 1;
      s.MaHocSinh = `${schoolId}${String(n).padStart(7, '0')}`;
      s.SoHocBa = `HB-${schoolId}-${batch.NamHoc.slice(0, 4)}-${String(n).padStart(7, '0')}`;
      const list = byClass.get(s.Lop) ?? [];
      list.push(s);
      byClass.set(s.Lop, list);
    });
    for (const [className, students] of [...byClass].sort(([a], [b2]) => a.localeCompare(b2, 'en', { numeric: true }))) {
      const first = students[0]!;
      sheetNo += 1;
      yield {
        name: `${className} (${sheetNo})`,
        level: levelOfGrade(first.Khoi),
        header: { MaSoGD: batch.MaSoGD, MaTruong: batch.MaTruong, TenTruong: batch.TenTruong, NamHoc: batch.NamHoc, Khoi: first.Khoi, Lop: className, HieuTruong: batch.HieuTruong, GVCN: first.GVCN },
        students,
      };
    }
  }
}

/** `records` students all of `grade`: sampled at the grade's c1 school, keeping that grade only. */
export function* sampleGradeSheets(records: number, seed: number, grade: number): Generator<SheetContent> {
  const schoolId = schoolOfGrade(grade);
  const per = grade <= 5 ? 5 : grade <= 9 ? 4 : 3;
  const kept: VneduStudent[] = [];
  let header: SheetContent['header'] = {};
  for (let b = 0; kept.length < records; b++) {
    const batch = sampleVneduBatch(BLOCK, seed + b, { schoolId });
    header = { MaSoGD: batch.MaSoGD, MaTruong: batch.MaTruong, TenTruong: batch.TenTruong, NamHoc: batch.NamHoc, Khoi: grade, HieuTruong: batch.HieuTruong };
    for (const s of batch.DanhSachHocSinh) if (s.Khoi === grade && kept.length < records) kept.push(s);
    if (b > (records * per) / BLOCK + 10) break;
  }
  kept.forEach((s, j) => {
    s.MaHocSinh = `${schoolId}${String(j + 1).padStart(7, '0')}`;
    s.SoHocBa = `HB-${schoolId}-2024-${String(j + 1).padStart(7, '0')}`;
  });
  const byClass = new Map<string, VneduStudent[]>();
  for (const s of kept) byClass.set(s.Lop, [...(byClass.get(s.Lop) ?? []), s]);
  for (const [className, students] of [...byClass].sort(([a], [b]) => a.localeCompare(b))) {
    yield { name: className, level: levelOfGrade(grade), header: { ...header, Lop: className, GVCN: students[0]!.GVCN }, students };
  }
}
