import { SECONDARY_SUBJECT_BY_VNEDU_CODE, SUBJECT_BY_VNEDU_CODE, QUALITY_BY_VNEDU_KEY, COMPETENCY_BY_VNEDU_KEY } from '../vnedu/codes.js';
import { secondarySubject } from '../../validation/curriculum.js';

// The C1 templates as this gateway defines them (README.md beside this file): one sheet per class,
// a header block of "label: value" cells, a heading row (merged over a second row of sub-headings
// for subjects, ratings and results), then one row per student. Columns are found by their
// heading text, never by letter, so a school may reorder, add or hide columns.
//
// Every column has a key: the vnEdu field it fills (the reader builds a vnEdu-shaped student and
// maps it with vnEdu's mapper, so both vendors share one mapping), with dots for nesting and the
// vnEdu subject code for subject columns: `NgaySinh`, `PhamChat.YeuNuoc`, `KQ.TO.HK1.DDGtx`.

export type Level = 'tt27' | 'thcs' | 'thpt';

export interface TemplateColumn {
  key: string;
  /** The heading of the column, or of its group when it has a sub-heading. */
  group: string;
  sub?: string;
}

/** Header block: label (as printed, without the colon) → the vnEdu batch/student field it fills. */
export const HEADER_LABELS: readonly [string, string][] = [
  ['Mã Sở GD&ĐT', 'MaSoGD'],
  ['Mã trường', 'MaTruong'],
  ['Tên trường', 'TenTruong'],
  ['Năm học', 'NamHoc'],
  ['Khối', 'Khoi'],
  ['Lớp', 'Lop'],
  ['Hiệu trưởng', 'HieuTruong'],
  ['Giáo viên chủ nhiệm', 'GVCN'],
];

/** Header fields without which a sheet cannot be read. */
export const REQUIRED_HEADER = ['MaTruong', 'NamHoc', 'Khoi'] as const;

export const PRIMARY_SUBJECT_NAMES: Readonly<Record<string, string>> = {
  TV: 'Tiếng Việt', TO: 'Toán', NN: 'Ngoại ngữ 1', 'LS-DL': 'Lịch sử và Địa lí', KH: 'Khoa học', 'TH-CN': 'Tin học và Công nghệ',
  DD: 'Đạo đức', TNXH: 'Tự nhiên và Xã hội', TD: 'Giáo dục thể chất', AN: 'Âm nhạc', MT: 'Mĩ thuật', HDTN: 'Hoạt động trải nghiệm', TDT: 'Tiếng dân tộc',
};

export const SECONDARY_SUBJECT_NAMES: Readonly<Record<string, string>> = {
  NV: 'Ngữ văn', TO: 'Toán', NN: 'Ngoại ngữ 1', GDCD: 'Giáo dục công dân', 'LS-DL': 'Lịch sử và Địa lí', KHTN: 'Khoa học tự nhiên',
  LS: 'Lịch sử', DL: 'Địa lí', GDKTPL: 'Giáo dục kinh tế và pháp luật', LY: 'Vật lí', HOA: 'Hóa học', SINH: 'Sinh học', CN: 'Công nghệ',
  TIN: 'Tin học', GDQPAN: 'Giáo dục quốc phòng và an ninh', TD: 'Giáo dục thể chất', AN: 'Âm nhạc', MT: 'Mĩ thuật',
  HDTN: 'Hoạt động trải nghiệm, hướng nghiệp', GDDP: 'Nội dung giáo dục của địa phương', TDT: 'Tiếng dân tộc', NN2: 'Ngoại ngữ 2',
};

const QUALITY_NAMES: Readonly<Record<string, string>> = { YeuNuoc: 'Yêu nước', NhanAi: 'Nhân ái', ChamChi: 'Chăm chỉ', TrungThuc: 'Trung thực', TrachNhiem: 'Trách nhiệm' };
const COMPETENCY_NAMES: Readonly<Record<string, string>> = {
  TuChuTuHoc: 'Tự chủ và tự học', GiaoTiepHopTac: 'Giao tiếp và hợp tác', GiaiQuyetVanDe: 'Giải quyết vấn đề và sáng tạo', NgonNgu: 'Ngôn ngữ',
  TinhToan: 'Tính toán', KhoaHoc: 'Khoa học', CongNghe: 'Công nghệ', TinHoc: 'Tin học', ThamMi: 'Thẩm mĩ', TheChat: 'Thể chất',
};

const single = (key: string, group: string): TemplateColumn => ({ key, group });

const STUDENT_COLUMNS: TemplateColumn[] = [
  single('STT', 'STT'),
  single('MaHocSinh', 'Mã học sinh'),
  single('MaDinhDanh', 'Mã định danh'),
  single('HoTen', 'Họ và tên'),
  single('NgaySinh', 'Ngày sinh'),
  single('GioiTinh', 'Giới tính'),
  single('DanToc', 'Dân tộc'),
  single('QuocTich', 'Quốc tịch'),
  single('SoHocBa', 'Số học bạ'),
  single('MaTraCuu', 'Mã tra cứu'),
  single('NgayHieuLuc', 'Ngày hiệu lực'),
  single('PhienBan', 'Phiên bản'),
];

const CLOSING_COLUMNS: TemplateColumn[] = [
  single('LenLop', 'Lên lớp'),
  single('KhenThuong', 'Khen thưởng'),
  single('NhanXet', 'Nhận xét'),
  single('SoBuoiNghiCoPhep', 'Nghỉ có phép'),
  single('SoBuoiNghiKhongPhep', 'Nghỉ không phép'),
  single('ChuKy.GVCN', 'Thời điểm ký GVCN'),
  single('ChuKy.HieuTruong', 'Thời điểm ký Hiệu trưởng'),
  single('ChuKy.DauTruong', 'Thời điểm đóng dấu'),
];

/**
 * Lý lịch (the record form of profile v2), after the closing columns: vnEdu's LyLich fields, one
 * column each; parents or guardian by name (LyLich.Cha, .Me, .NguoiGiamHo fill GiaDinh). A sheet
 * that fills none of them sends a v1 record, as before. The school history and the comments per
 * subject do not fit one row: a school sends those through its SIS.
 */
export const FORM_SUBS: readonly [string, string][] = [
  ['MaDanToc', 'Mã dân tộc'],
  ['NoiSinh', 'Nơi sinh'],
  ['QueQuan', 'Quê quán'],
  ['NoiO', 'Nơi ở'],
  ['DoiTuongChinhSach', 'Đối tượng chính sách'],
  ['SoDangBo', 'Số đăng bộ'],
  ['NgayNhapHoc', 'Ngày nhập học'],
  ['Cha', 'Họ tên cha'],
  ['Me', 'Họ tên mẹ'],
  ['NguoiGiamHo', 'Họ tên người giám hộ'],
  ['DanhHieu', 'Danh hiệu'],
];
/** Grades 1-5 only. */
export const PHYSICAL_SUBS: readonly [string, string][] = [
  ['ChieuCao', 'Chiều cao (cm)'],
  ['CanNang', 'Cân nặng (kg)'],
];
export const FORM_GROUP = 'Lý lịch';

/** Sub-columns of a primary subject: vnEdu field, sub-heading. */
export const PRIMARY_SUBJECT_SUBS: readonly [string, string][] = [
  ['MucDat', 'Mức đạt được'],
  ['DiemGKI', 'Điểm GK I'],
  ['DiemCKI', 'Điểm CK I'],
  ['DiemGKII', 'Điểm GK II'],
  ['DiemKTDK', 'Điểm cuối năm'],
];

/** Tin học và Công nghệ's two parts (phần Tin học, phần Công nghệ), after its own sub-columns. */
export const TH_CN_PART_SUBS: readonly [string, string][] = [
  ['PhanTinHoc.MucDat', 'Tin học: Mức đạt được'],
  ['PhanTinHoc.DiemCKI', 'Tin học: Điểm CK I'],
  ['PhanTinHoc.DiemKTDK', 'Tin học: Điểm cuối năm'],
  ['PhanCongNghe.MucDat', 'Công nghệ: Mức đạt được'],
  ['PhanCongNghe.DiemCKI', 'Công nghệ: Điểm CK I'],
  ['PhanCongNghe.DiemKTDK', 'Công nghệ: Điểm cuối năm'],
];

/** Sub-columns of a secondary subject; a comment subject puts Đ/CĐ in the same columns (ĐTB/KQ holds its term result). */
export const SECONDARY_SUBJECT_SUBS: readonly [string, string][] = [
  ['SoTiet', 'Số tiết'],
  ['HK1.DDGtx', 'ĐĐGtx HK I'],
  ['HK1.DDGgk', 'ĐĐGgk HK I'],
  ['HK1.DDGck', 'ĐĐGck HK I'],
  ['HK1.DTB', 'ĐTB/KQ HK I'],
  ['HK2.DDGtx', 'ĐĐGtx HK II'],
  ['HK2.DDGgk', 'ĐĐGgk HK II'],
  ['HK2.DDGck', 'ĐĐGck HK II'],
  ['HK2.DTB', 'ĐTB/KQ HK II'],
  ['CaNam', 'Cả năm'],
];

const TERM_SUBS: readonly [string, string][] = [
  ['HK1', 'HK I'],
  ['HK2', 'HK II'],
  ['CaNam', 'Cả năm'],
  ['SauHe', 'Sau hè'],
];

export const LEVELS: Readonly<Record<Level, { title: string; grades: [number, number]; file: string }>> = {
  tt27: { title: 'KẾT QUẢ ĐÁNH GIÁ HỌC SINH TIỂU HỌC (Thông tư 27/2020) — Mẫu C1', grades: [1, 5], file: 'c1-tt27-tieu-hoc' },
  thcs: { title: 'KẾT QUẢ HỌC TẬP VÀ RÈN LUYỆN THCS (Thông tư 22/2021) — Mẫu C1', grades: [6, 9], file: 'c1-tt22-thcs' },
  thpt: { title: 'KẾT QUẢ HỌC TẬP VÀ RÈN LUYỆN THPT (Thông tư 22/2021) — Mẫu C1', grades: [10, 12], file: 'c1-tt22-thpt' },
};

export const levelOfGrade = (grade: number): Level => (grade <= 5 ? 'tt27' : grade <= 9 ? 'thcs' : 'thpt');

/** Subject codes (vnEdu's) with columns in a level's template, in record-form order. */
export function subjectsOf(level: Level): string[] {
  if (level === 'tt27') return Object.keys(SUBJECT_BY_VNEDU_CODE);
  const [from, to] = LEVELS[level].grades;
  return Object.entries(SECONDARY_SUBJECT_BY_VNEDU_CODE)
    .filter(([, s]) => Array.from({ length: to - from + 1 }, (_, i) => from + i).some((g) => secondarySubject.taught(s, g)))
    .map(([code]) => code);
}

/** Every column of a level's template, in template order. */
export function columnsOf(level: Level): TemplateColumn[] {
  const cols: TemplateColumn[] = [...STUDENT_COLUMNS];
  if (level === 'tt27') {
    for (const code of subjectsOf(level)) {
      for (const [f, sub] of [...PRIMARY_SUBJECT_SUBS, ...(code === 'TH-CN' ? TH_CN_PART_SUBS : [])]) cols.push({ key: `KQ.${code}.${f}`, group: PRIMARY_SUBJECT_NAMES[code]!, sub });
    }
    for (const k of Object.keys(QUALITY_BY_VNEDU_KEY)) cols.push({ key: `PhamChat.${k}`, group: 'Phẩm chất', sub: QUALITY_NAMES[k]! });
    for (const k of Object.keys(COMPETENCY_BY_VNEDU_KEY)) cols.push({ key: `NangLuc.${k}`, group: 'Năng lực', sub: COMPETENCY_NAMES[k]! });
    cols.push(single('DanhGiaCuoiNam', 'Kết quả cuối năm'), single('HoanThanhCTLH', 'Hoàn thành chương trình lớp học'));
    cols.push({ key: 'DanhGiaBoSung.Ngay', group: 'Đánh giá bổ sung', sub: 'Ngày' }, { key: 'DanhGiaBoSung.HoanThanh', group: 'Đánh giá bổ sung', sub: 'Hoàn thành' });
  } else {
    for (const code of subjectsOf(level)) for (const [f, sub] of SECONDARY_SUBJECT_SUBS) cols.push({ key: `KQ.${code}.${f}`, group: SECONDARY_SUBJECT_NAMES[code]!, sub });
    for (const [f, sub] of TERM_SUBS) cols.push({ key: `HocTap.${f}`, group: 'Học tập', sub });
    for (const [f, sub] of TERM_SUBS) cols.push({ key: `RenLuyen.${f}`, group: 'Rèn luyện', sub });
  }
  cols.push(...CLOSING_COLUMNS);
  for (const [f, sub] of [...FORM_SUBS, ...(level === 'tt27' ? PHYSICAL_SUBS : [])]) cols.push({ key: `LyLich.${f}`, group: FORM_GROUP, sub });
  return cols;
}

/** How headings compare: NFC, lower case, single spaces, no trailing colon or asterisk. */
export function normHeading(s: string): string {
  return s.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').replace(/[\s:*]+$/, '').trim();
}

const headingKey = (group: string, sub?: string) => (sub === undefined ? normHeading(group) : `${normHeading(group)}|${normHeading(sub)}`);

/** Heading (normalised "group" or "group|sub") → column key, over every level (a heading means the same in each). */
export const KEY_BY_HEADING: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>();
  const add = (c: TemplateColumn) => m.set(headingKey(c.group, c.sub), c.key);
  for (const level of Object.keys(LEVELS) as Level[]) columnsOf(level).forEach(add);
  // Other spellings schools use.
  m.set('mã định danh cá nhân', 'MaDinhDanh');
  m.set('họ tên', 'HoTen');
  m.set('số thứ tự', 'STT');
  return m;
})();

export const keyOfHeading = (group: string, sub?: string): string | undefined => KEY_BY_HEADING.get(headingKey(group, sub));

export const HEADER_KEY_BY_LABEL: ReadonlyMap<string, string> = new Map(HEADER_LABELS.map(([label, key]) => [normHeading(label), key]));
export const HEADER_LABEL_BY_KEY: ReadonlyMap<string, string> = new Map(HEADER_LABELS.map(([label, key]) => [key, label]));

/** A1 column letters of a 1-based column number. */
export function colLetters(n: number): string {
  let s = '';
  for (; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}
