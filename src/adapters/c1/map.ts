import type { MapOutcome } from '../adapter.js';
import { isObject, type Json } from '../json-values.js';
import { COMPETENCY_BY_VNEDU_KEY, QUALITY_BY_VNEDU_KEY } from '../vnedu/codes.js';
import { mapVneduStudent } from '../vnedu/map.js';
import type { FieldError, SourceLocation } from '../../validation/types.js';
import type { C1Item, CellValue } from './read.js';
import { FORM_SUBS, PHYSICAL_SUBS, PRIMARY_SUBJECT_SUBS, SECONDARY_SUBJECT_SUBS, subjectsOf } from './template.js';

// A C1 row is laid into the shape of a vnEdu student (the column keys are vnEdu's field names)
// and mapped by vnEdu's mapper: one mapping to canonical for both. What is particular to
// workbooks is done here: numbers typed as text ("8,5"), Excel date serials, Có/Không, lists in a
// cell, and every error's place (sheet, row, cell, heading).

/** Excel's day 0 in the 1900 system, as a UTC time (serial 60 is the fictitious 29/02/1900). */
const EXCEL_EPOCH = Date.UTC(1899, 11, 30);

function dateText(v: CellValue | undefined): unknown {
  if (typeof v === 'number' && v > 0 && v < 2_958_466) {
    const d = new Date(EXCEL_EPOCH + Math.round(v * 86_400_000));
    return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
  }
  if (typeof v === 'string') {
    const iso = /^\s*([0-9]{4})-([0-9]{2})-([0-9]{2})\s*$/.exec(v);
    if (iso) return `${iso[3]}/${iso[2]}/${iso[1]}`;
    return v.trim().replace(/[-.]/g, '/');
  }
  return v;
}

/** A date-time of signing: text as is; an Excel date-time serial in Vietnam's time (+07:00). */
function dateTimeText(v: CellValue | undefined): unknown {
  if (typeof v !== 'number') return typeof v === 'string' ? v.trim() : v;
  const d = new Date(EXCEL_EPOCH + Math.round(v * 86_400_000));
  return d.toISOString().slice(0, 19) + '+07:00';
}

/** A score typed as text: "8,5" and "8.5" alike; other text passes through for validation to judge. */
function decimal(v: CellValue | undefined): unknown {
  if (typeof v === 'string') {
    const t = v.trim().replace(/^([0-9]+),([0-9]+)$/, '$1.$2');
    return /^[0-9]+(\.[0-9]+)?$/.test(t) ? Number(t) : t;
  }
  return v;
}

/** Several values in one cell: "7; 8,5; 9" or "7 8,5 9" (a number alone is a list of one). */
function list(v: CellValue | undefined, each: (x: CellValue) => unknown): unknown {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') return [each(v)];
  return v.split(/[;|\s]+/).filter((x) => x !== '').map(each);
}

/** Personal IDs lose their leading zero when Excel takes them for numbers; they are always 12 digits. */
function personalId(v: CellValue | undefined): unknown {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 1e12) return String(v).padStart(12, '0');
  return v === undefined ? undefined : String(v);
}

const str = (v: CellValue | undefined): unknown => (v === undefined ? undefined : typeof v === 'number' ? String(v) : v);
const int = (v: CellValue | undefined): unknown => (typeof v === 'string' && /^\s*[0-9]+\s*$/.test(v) ? Number(v) : v);

const YES = new Set(['có', 'co', 'x', 'yes', 'true', '1', 'đ', 'đạt']);
const NO = new Set(['không', 'khong', 'no', 'false', '0']);

/** Reads "Có"/"Không" (also x, 1/0, TRUE/FALSE); anything else is left for the caller to report. */
function yesNo(v: CellValue | undefined): boolean | undefined | 'invalid' {
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') return v;
  const t = String(v).normalize('NFC').trim().toLowerCase();
  return YES.has(t) ? true : NO.has(t) ? false : 'invalid';
}

/** The subject codes this row fills (any cell of the subject's columns), in template order. */
export function subjectsOfRow(item: C1Item): string[] {
  const grade = Number(item.s.header.Khoi?.v);
  const level = grade <= 5 ? 'tt27' : grade <= 9 ? 'thcs' : 'thpt';
  const subs = level === 'tt27' ? PRIMARY_SUBJECT_SUBS : SECONDARY_SUBJECT_SUBS;
  return subjectsOf(level).filter((code) => subs.some(([f]) => item.v[`KQ.${code}.${f}`] !== undefined));
}

const isCommentValue = (v: CellValue | undefined) => typeof v === 'string' && !/^[0-9.,\s]+$/.test(v);

/** Grades 6-12: which subjects went to scoreSubjects and which to commentSubjects (vnEdu's rule: Cả năm Đ/CĐ is a comment subject). */
export function splitByKind(item: C1Item, codes: string[]): { score: string[]; comment: string[] } {
  const score: string[] = [];
  const comment: string[] = [];
  for (const code of codes) (isCommentValue(item.v[`KQ.${code}.CaNam`]) ? comment : score).push(code);
  return { score, comment };
}

/** The row as a vnEdu student, and the vnEdu batch header of its sheet. */
function asVnedu(item: C1Item, errors: FieldError[]): { student: Json; context: Json } {
  const v = item.v;
  const h = item.s.header;
  const hv = (k: string) => h[k]?.v;
  const bool = (key: string) => {
    const b = yesNo(v[key]);
    if (b !== 'invalid') return b;
    errors.push(at(item, key, 'VENDOR_FIELD_INVALID', `expected Có or Không, got "${v[key]}"`, `cần "Có" hoặc "Không", nhận được "${v[key]}"`));
    return undefined;
  };
  const grade = int(hv('Khoi'));
  const primary = typeof grade === 'number' && grade <= 5;
  const codes = subjectsOfRow(item);
  const student: Json = {
    MaHocSinh: str(v.MaHocSinh),
    MaDinhDanh: personalId(v.MaDinhDanh),
    HoTen: str(v.HoTen),
    NgaySinh: dateText(v.NgaySinh),
    GioiTinh: str(v.GioiTinh),
    DanToc: str(v.DanToc),
    QuocTich: str(v.QuocTich),
    Khoi: grade,
    Lop: str(hv('Lop')),
    GVCN: str(hv('GVCN')),
    SoHocBa: str(v.SoHocBa),
    MaTraCuu: str(v.MaTraCuu),
    NgayHieuLuc: dateText(v.NgayHieuLuc),
    PhienBan: int(v.PhienBan),
    LenLop: bool('LenLop'),
    KhenThuong: v.KhenThuong === undefined ? [] : String(v.KhenThuong).split(/\s*[;\n]\s*/).filter((x) => x !== ''),
    NhanXet: str(v.NhanXet),
    SoBuoiNghiCoPhep: int(v.SoBuoiNghiCoPhep),
    SoBuoiNghiKhongPhep: int(v.SoBuoiNghiKhongPhep),
    ChuKy: Object.fromEntries(['GVCN', 'HieuTruong', 'DauTruong'].filter((k) => v[`ChuKy.${k}`] !== undefined).map((k) => [k, dateTimeText(v[`ChuKy.${k}`])])),
    ...lyLich(v),
  };
  if (primary) {
    student.KetQuaHocTap = codes.map((code) => {
      const s: Json = { MaMon: code, MucDat: str(v[`KQ.${code}.MucDat`]) };
      for (const f of ['DiemGKI', 'DiemCKI', 'DiemGKII', 'DiemKTDK']) if (v[`KQ.${code}.${f}`] !== undefined) s[f] = decimal(v[`KQ.${code}.${f}`]);
      // Tin học và Công nghệ's parts, when the sheet fills their columns.
      for (const part of ['PhanTinHoc', 'PhanCongNghe']) {
        const at = (f: string) => v[`KQ.${code}.${part}.${f}`];
        if (at('MucDat') === undefined && at('DiemCKI') === undefined && at('DiemKTDK') === undefined) continue;
        const p: Json = { MucDat: str(at('MucDat')) };
        for (const f of ['DiemCKI', 'DiemKTDK']) if (at(f) !== undefined) p[f] = decimal(at(f));
        s[part] = p;
      }
      return s;
    });
    student.PhamChat = Object.fromEntries(Object.keys(QUALITY_BY_VNEDU_KEY).map((k) => [k, str(v[`PhamChat.${k}`])]));
    student.NangLuc = Object.fromEntries(Object.keys(COMPETENCY_BY_VNEDU_KEY).map((k) => [k, str(v[`NangLuc.${k}`])]));
    student.DanhGiaCuoiNam = str(v.DanhGiaCuoiNam);
    student.HoanThanhCTLH = bool('HoanThanhCTLH');
    // The supplementary assessment after the summer, for a student who did not complete the grade.
    if (v['DanhGiaBoSung.Ngay'] !== undefined || v['DanhGiaBoSung.HoanThanh'] !== undefined) {
      student.DanhGiaBoSung = { Ngay: dateText(v['DanhGiaBoSung.Ngay']), HoanThanh: bool('DanhGiaBoSung.HoanThanh') };
    }
  } else {
    student.KetQuaHocTap = codes.map((code) => {
      const c = (f: string) => v[`KQ.${code}.${f}`];
      const comment = isCommentValue(c('CaNam'));
      const term = (t: string) =>
        comment
          ? { DDGtx: list(c(`${t}.DDGtx`), str), DDGgk: str(c(`${t}.DDGgk`)), DDGck: str(c(`${t}.DDGck`)), KQ: str(c(`${t}.DTB`)) }
          : { DDGtx: list(c(`${t}.DDGtx`), (x) => decimal(typeof x === 'string' ? x : x)), DDGgk: decimal(c(`${t}.DDGgk`)), DDGck: decimal(c(`${t}.DDGck`)), DTB: decimal(c(`${t}.DTB`)) };
      return { MaMon: code, SoTiet: int(c('SoTiet')), HK1: term('HK1'), HK2: term('HK2'), CaNam: comment ? str(c('CaNam')) : decimal(c('CaNam')) };
    });
    for (const part of ['HocTap', 'RenLuyen']) {
      const r: Json = { HK1: str(v[`${part}.HK1`]), HK2: str(v[`${part}.HK2`]), CaNam: str(v[`${part}.CaNam`]) };
      if (v[`${part}.SauHe`] !== undefined) r.SauHe = str(v[`${part}.SauHe`]);
      student[part] = r;
    }
  }
  const context: Json = {
    MaSoGD: str(hv('MaSoGD')) ?? (typeof hv('MaTruong') === 'string' || typeof hv('MaTruong') === 'number' ? String(hv('MaTruong')).trim().slice(0, 2) : undefined),
    MaTruong: typeof hv('MaTruong') === 'string' ? (hv('MaTruong') as string).trim() : str(hv('MaTruong')),
    TenTruong: str(hv('TenTruong')),
    NamHoc: typeof hv('NamHoc') === 'string' ? (hv('NamHoc') as string).trim() : str(hv('NamHoc')),
    HieuTruong: str(hv('HieuTruong')),
  };
  return { student, context };
}

/** The place of a column key (or a header field) of this row. */
export function placeOf(item: C1Item, key: string): SourceLocation {
  const h = item.s.header[key];
  if (h) return { sheet: item.s.sheet, row: Number(/[0-9]+$/.exec(h.cell)![0]), cell: h.cell, field: h.label };
  const col = item.s.columns[key];
  if (col) return { sheet: item.s.sheet, row: item.row, cell: `${col.col}${item.row}`, field: col.heading };
  return { sheet: item.s.sheet, row: item.row };
}

function at(item: C1Item, key: string, code: FieldError['code'], en: string, vi: string): FieldError {
  return { path: `/${key.replace(/\./g, '/')}`, code, detail_en: en, detail_vi: vi, source: placeOf(item, key) };
}

/** The lý lịch columns as vnEdu's LyLich (profile v2's form), when the row fills any of them. */
function lyLich(v: C1Item['v']): Json {
  const f = (k: string) => v[`LyLich.${k}`];
  if (![...FORM_SUBS, ...PHYSICAL_SUBS].some(([k]) => f(k) !== undefined)) return {};
  const out: Json = {};
  const put = (k: string, x: unknown) => {
    if (x !== undefined) out[k] = x;
  };
  // An ethnicity code typed as a number loses its leading zero: 1 is 01.
  const code = str(f('MaDanToc'));
  put('MaDanToc', typeof code === 'string' && /^[0-9]$/.test(code) ? `0${code}` : code);
  put('NoiSinh', str(f('NoiSinh')));
  put('QueQuan', str(f('QueQuan')));
  put('NoiO', str(f('NoiO')));
  put('DoiTuongChinhSach', str(f('DoiTuongChinhSach')));
  put('SoDangBo', str(f('SoDangBo')));
  put('NgayNhapHoc', f('NgayNhapHoc') === undefined ? undefined : dateText(f('NgayNhapHoc')));
  const family = (['Cha', 'Me', 'NguoiGiamHo'] as const).filter((k) => f(k) !== undefined).map((k) => ({ QuanHe: k, HoTen: str(f(k)) }));
  if (family.length) out.GiaDinh = family;
  if (f('ChieuCao') !== undefined) out.ChieuCao = decimal(f('ChieuCao'));
  if (f('CanNang') !== undefined) out.CanNang = decimal(f('CanNang'));
  if (f('DanhHieu') !== undefined) out.DanhHieu = String(f('DanhHieu')).split(/\s*[;\n]\s*/).filter((x) => x !== '');
  return { LyLich: out };
}

/** A vnEdu path (/KetQuaHocTap/3/HK1/DDGtx/0) as the C1 column key it came from (KQ.TO.HK1.DDGtx). */
function keyOfVneduPath(item: C1Item, path: string, codes: string[]): string {
  const parts = path.split('/').slice(1);
  if (parts[0] === 'KetQuaHocTap' && parts[1] !== undefined) {
    const code = codes[Number(parts[1])] ?? parts[1];
    const rest = parts.slice(2).filter((p) => !/^[0-9]+$/.test(p)).map((p) => (p === 'KQ' ? 'DTB' : p));
    return ['KQ', code, ...(rest.length ? rest : [Number(item.s.header.Khoi?.v) <= 5 ? 'MucDat' : 'CaNam'])].join('.');
  }
  // LyLich/GiaDinh/1/HoTen: the column of that member (Cha, Me, NguoiGiamHo); LyLich/DanhHieu/0: the titles'.
  if (parts[0] === 'LyLich' && parts[1] === 'GiaDinh') {
    const family = (['Cha', 'Me', 'NguoiGiamHo'] as const).filter((k) => item.v[`LyLich.${k}`] !== undefined);
    return `LyLich.${family[Number(parts[2])] ?? 'Cha'}`;
  }
  if (parts[0] === 'LyLich' && parts[1] === 'DanhHieu') return 'LyLich.DanhHieu';
  return parts.join('.');
}

export function mapC1Row(raw: unknown, _context: unknown): MapOutcome {
  if (!isObject(raw) || !isObject(raw.s) || !isObject(raw.v)) {
    return { ok: false, errors: [{ path: '', code: 'VENDOR_FIELD_INVALID', detail_en: 'not a C1 row', detail_vi: 'không phải một dòng của mẫu C1' }] };
  }
  const item = raw as unknown as C1Item;
  const errors: FieldError[] = [];
  const { student, context } = asVnedu(item, errors);
  const mapped = mapVneduStudent(student, context);
  if (mapped.ok && errors.length === 0) return mapped;
  const codes = (student.KetQuaHocTap as Json[]).map((s) => String(s.MaMon));
  const vendorErrors = mapped.ok
    ? []
    : mapped.errors.map((e) => {
        const key = keyOfVneduPath(item, e.path, codes);
        return { ...e, path: `/${key.replace(/\./g, '/')}`, source: placeOf(item, key) };
      });
  return { ok: false, errors: [...errors, ...vendorErrors] };
}

const STUDENT_KEYS: Record<string, string> = {
  learnerId: 'MaHocSinh', personalId: 'MaDinhDanh', fullName: 'HoTen', birthDate: 'NgaySinh', sex: 'GioiTinh', ethnicity: 'DanToc', nationality: 'QuocTich',
};
const TOP_KEYS: Record<string, string> = {
  recordId: 'SoHocBa', lookupCode: 'MaTraCuu', effectiveDate: 'NgayHieuLuc', version: 'PhienBan', schoolYear: 'NamHoc', grade: 'Khoi', className: 'Lop',
  homeroomTeacher: 'GVCN', principal: 'HieuTruong',
};
const RESULT_KEYS: Record<string, string> = {
  promoted: 'LenLop', commendations: 'KhenThuong', remarks: 'NhanXet', yearEndResult: 'DanhGiaCuoiNam', completedProgramme: 'HoanThanhCTLH',
};
const TEST_KEYS: Record<string, string> = { midTermI: 'DiemGKI', endOfTermI: 'DiemCKI', midTermII: 'DiemGKII', endOfYear: 'DiemKTDK' };
const TERM_FIELD_KEYS: Record<string, string> = {
  regularScores: 'DDGtx', regularResults: 'DDGtx', midTermScore: 'DDGgk', midTermResult: 'DDGgk', endOfTermScore: 'DDGck', endOfTermResult: 'DDGck', average: 'DTB', result: 'DTB',
};

/** The C1 column key a canonical path points at, if any. */
export function keyOfCanonicalPath(item: C1Item, path: string): string | undefined {
  const p = path.split('/').slice(1);
  if (p[0] === 'student') return STUDENT_KEYS[p[1] ?? ''];
  if (p[0] === 'school') return { schoolId: 'MaTruong', provinceCode: 'MaSoGD', name: 'TenTruong' }[p[1] ?? ''];
  if (p[0] === 'attendance') return { excusedAbsences: 'SoBuoiNghiCoPhep', unexcusedAbsences: 'SoBuoiNghiKhongPhep' }[p[1] ?? ''];
  if (p[0] === 'signatures') {
    const present = ['GVCN', 'HieuTruong', 'DauTruong'].filter((k) => item.v[`ChuKy.${k}`] !== undefined);
    return p[1] === undefined ? undefined : present[Number(p[1])] && `ChuKy.${present[Number(p[1])]}`;
  }
  if (p[0] === 'primary') {
    if (p[1] === 'subjects' && p[2] !== undefined) {
      const code = subjectsOfRow(item)[Number(p[2])];
      if (!code) return undefined;
      if (p[3] === 'parts' && p[4]) return `KQ.${code}.${p[4] === 'informatics' ? 'PhanTinHoc' : 'PhanCongNghe'}.${p[5] === 'endOfTermI' ? 'DiemCKI' : p[5] === 'endOfYear' ? 'DiemKTDK' : 'MucDat'}`;
      return `KQ.${code}.${p[3] === 'testScores' && p[4] ? TEST_KEYS[p[4]] ?? 'MucDat' : 'MucDat'}`;
    }
    if ((p[1] === 'qualities' || p[1] === 'competencies') && p[2] !== undefined) {
      const keys = Object.keys(p[1] === 'qualities' ? QUALITY_BY_VNEDU_KEY : COMPETENCY_BY_VNEDU_KEY);
      const k = keys[Number(p[2])];
      return k && `${p[1] === 'qualities' ? 'PhamChat' : 'NangLuc'}.${k}`;
    }
    if (p[1] === 'supplementaryAssessment') return p[2] === 'date' ? 'DanhGiaBoSung.Ngay' : 'DanhGiaBoSung.HoanThanh';
    return RESULT_KEYS[p[1] ?? ''];
  }
  if (p[0] === 'secondary') {
    if ((p[1] === 'scoreSubjects' || p[1] === 'commentSubjects') && p[2] !== undefined) {
      const { score, comment } = splitByKind(item, subjectsOfRow(item));
      const code = (p[1] === 'scoreSubjects' ? score : comment)[Number(p[2])];
      if (!code) return undefined;
      if (p[3] === 'termI' || p[3] === 'termII') return `KQ.${code}.${p[3] === 'termI' ? 'HK1' : 'HK2'}.${TERM_FIELD_KEYS[p[4] ?? ''] ?? 'DTB'}`;
      if (p[3] === 'periodsPerYear') return `KQ.${code}.SoTiet`;
      return `KQ.${code}.CaNam`;
    }
    if (p[1] === 'learningResult' || p[1] === 'conductResult') {
      const part = p[1] === 'learningResult' ? 'HocTap' : 'RenLuyen';
      return `${part}.${{ termI: 'HK1', termII: 'HK2', year: 'CaNam', afterSummer: 'SauHe' }[p[2] ?? ''] ?? 'CaNam'}`;
    }
    return RESULT_KEYS[p[1] ?? ''];
  }
  if (p[0] === 'form') {
    if (p[1] === 'physical') return p[2] === 'weightKg' ? 'LyLich.CanNang' : 'LyLich.ChieuCao';
    if (p[1] === 'family') return `LyLich.${(['Cha', 'Me', 'NguoiGiamHo'] as const).filter((k) => item.v[`LyLich.${k}`] !== undefined)[Number(p[2])] ?? 'Cha'}`;
    return FORM_KEYS[p[1] ?? ''];
  }
  return TOP_KEYS[p[0] ?? ''];
}

/** The lý lịch column of a form field, where it has one (profile v2). */
const FORM_KEYS: Record<string, string> = {
  ethnicityCode: 'LyLich.MaDanToc', birthPlace: 'LyLich.NoiSinh', homeTown: 'LyLich.QueQuan', address: 'LyLich.NoiO', policyCategory: 'LyLich.DoiTuongChinhSach',
  registrationNumber: 'LyLich.SoDangBo', enrolmentDate: 'LyLich.NgayNhapHoc', family: 'LyLich.Cha', physical: 'LyLich.ChieuCao', titles: 'LyLich.DanhHieu',
};

/** Where a validation error on the canonical record lies in the workbook. */
export function locateC1(raw: unknown, path: string): SourceLocation | undefined {
  if (!isObject(raw) || !isObject(raw.s)) return undefined;
  const item = raw as unknown as C1Item;
  const key = keyOfCanonicalPath(item, path);
  return key ? placeOf(item, key) : { sheet: item.s.sheet, row: item.row };
}
