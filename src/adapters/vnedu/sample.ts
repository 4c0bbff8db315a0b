import type { YearEndResult } from '../../canonical/record.js';
import { makePersonalId } from '../../validation/rules/personal-id.js';
import { COMPETENCY_BY_VNEDU_KEY, QUALITY_BY_VNEDU_KEY } from './codes.js';
import type { VneduBatch, VneduStudent, VneduSubjectResult } from './format.js';

// Synthetic vnEdu batches for `hocba-gw sample`, tests and examples. Every value comes from a
// seeded PRNG so a seed always gives the same batch; results follow Circular 27 closely enough
// (tested subjects per grade, year-end result derived from levels, ratings and scores) that
// every record maps and validates cleanly.

/** mulberry32: small, fast, and good enough for test data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const between = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
const pad = (n: number, w: number): string => String(n).padStart(w, '0');

// Family names weighted roughly by frequency in Vietnam.
const FAMILY: readonly [string, number][] = [
  ['Nguyễn', 38], ['Trần', 11], ['Lê', 9], ['Phạm', 7], ['Hoàng', 4], ['Huỳnh', 3], ['Phan', 4], ['Vũ', 3],
  ['Võ', 2], ['Đặng', 2], ['Bùi', 2], ['Đỗ', 2], ['Hồ', 1], ['Ngô', 1], ['Dương', 1], ['Lý', 1],
];
const MIDDLE = { M: ['Văn', 'Minh', 'Đức', 'Quốc', 'Gia', 'Hoàng', 'Anh', 'Thành', 'Bảo', 'Nhật'], F: ['Thị', 'Ngọc', 'Thu', 'Minh', 'Bảo', 'Khánh', 'Phương', 'Thanh', 'Hải', 'Mai'] };
const GIVEN = {
  M: ['An', 'Bảo', 'Cường', 'Dũng', 'Duy', 'Đạt', 'Hải', 'Hiếu', 'Hùng', 'Huy', 'Khang', 'Khoa', 'Khôi', 'Kiên', 'Long', 'Minh', 'Nam', 'Phong', 'Phúc', 'Quân', 'Sơn', 'Thắng', 'Tuấn', 'Vinh'],
  F: ['Anh', 'Chi', 'Diệp', 'Hà', 'Hân', 'Hoa', 'Hương', 'Lan', 'Linh', 'Mai', 'My', 'Ngân', 'Ngọc', 'Nhi', 'Phương', 'Quyên', 'Thảo', 'Trang', 'Vy', 'Yến'],
};

function fullName(rng: Rng, sex: 'M' | 'F'): string {
  let r = rng() * FAMILY.reduce((s, [, w]) => s + w, 0);
  const family = FAMILY.find(([, w]) => (r -= w) < 0)?.[0] ?? 'Nguyễn';
  return `${family} ${pick(rng, MIDDLE[sex])} ${pick(rng, GIVEN[sex])}`;
}

const ETHNIC_MINORITIES = ['Tày', 'Thái', 'Mường', 'Khmer', 'Hoa', 'Nùng', 'Mông', 'Dao'];
// 3-digit birth-registration province codes (Circular 07/2016/TT-BCA): Hà Nội first, as the school is there.
const BIRTH_PROVINCES = ['001', '001', '001', '001', '001', '001', '034', '036', '038', '040', '079'];

/** Subjects of the Circular 27 record form in its order; `tested` = has an end-of-year test at this grade. */
function subjectsFor(rng: Rng, grade: number, minority: boolean): { code: string; tested: boolean }[] {
  const s: { code: string; tested: boolean }[] = [{ code: 'TV', tested: true }, { code: 'TO', tested: true }];
  if (grade >= 3) s.push({ code: 'NN', tested: true });
  else if (rng() < 0.4) s.push({ code: 'NN', tested: false }); // optional at grades 1-2, level only
  if (grade >= 4) s.push({ code: 'LS-DL', tested: true }, { code: 'KH', tested: true });
  if (grade >= 3) s.push({ code: 'TH-CN', tested: true });
  s.push({ code: 'DD', tested: false });
  if (grade <= 3) s.push({ code: 'TNXH', tested: false });
  for (const code of ['TD', 'AN', 'MT', 'HDTN']) s.push({ code, tested: false });
  if (minority && rng() < 0.5) s.push({ code: 'TDT', tested: false });
  return s;
}

type Tier = 'excellent' | 'good' | 'fair' | 'weak';

function tierOf(rng: Rng): Tier {
  const r = rng();
  return r < 0.2 ? 'excellent' : r < 0.5 ? 'good' : r < 0.97 ? 'fair' : 'weak';
}

function subjectResult(rng: Rng, tier: Tier, code: string, tested: boolean, failed: boolean): VneduSubjectResult {
  let level: string;
  let score: number;
  if (failed) [level, score] = ['CHT', between(rng, 2, 4)];
  else if (tier === 'excellent') [level, score] = ['HTT', between(rng, 9, 10)];
  else if (tier === 'good') [level, score] = ['HTT', between(rng, 7, 10)];
  else if (rng() < 0.5) [level, score] = ['HTT', between(rng, 7, 10)];
  else [level, score] = ['HT', between(rng, 5, 8)];
  return tested ? { MaMon: code, MucDat: level, DiemKTDK: score } : { MaMon: code, MucDat: level };
}

function ratingsFor(rng: Rng, tier: Tier, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) out[k] = tier === 'excellent' || tier === 'good' ? 'T' : tier === 'weak' && rng() < 0.2 ? 'C' : rng() < 0.6 ? 'T' : 'Đ';
  return out;
}

/** Year-end result by Circular 27 art. 9 from what was generated, so it is always consistent. */
function yearEndResult(subjects: VneduSubjectResult[], ratings: string[]): YearEndResult {
  const scores = subjects.flatMap((s) => (s.DiemKTDK === undefined ? [] : [s.DiemKTDK]));
  const allT = subjects.every((s) => s.MucDat === 'HTT') && ratings.every((r) => r === 'T');
  if (allT && scores.every((x) => x >= 9)) return 'HTXS';
  if (allT && scores.every((x) => x >= 7)) return 'HTT';
  if (subjects.every((s) => s.MucDat !== 'CHT') && ratings.every((r) => r !== 'C') && scores.every((x) => x >= 5)) return 'HT';
  return 'CHT';
}

const COMMENDATION: Partial<Record<YearEndResult, string>> = {
  HTXS: 'Học sinh Xuất sắc',
  HTT: 'Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện',
};
const REMARKS: Record<YearEndResult, readonly string[]> = {
  HTXS: ['Em học tập xuất sắc, chăm ngoan, tích cực tham gia các hoạt động của lớp.', 'Em tiếp thu bài nhanh, trình bày sạch đẹp, là tấm gương cho các bạn.'],
  HTT: ['Em học tốt, có ý thức tự học, hòa đồng với bạn bè.', 'Em chăm chỉ, tiến bộ rõ rệt, biết giúp đỡ bạn.'],
  HT: ['Em hoàn thành chương trình lớp học, cần mạnh dạn hơn khi phát biểu.', 'Em ngoan, cần rèn thêm chữ viết và kĩ năng tính toán.'],
  CHT: ['Em chưa hoàn thành một số môn học, cần được kèm cặp thêm trong hè.'],
};

const LOOKUP_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const SCHOOL = { MaSoGD: '01', MaTruong: '01001234', TenTruong: 'Trường Tiểu học Nguyễn Du', NamHoc: '2024-2025' } as const;

/** A valid vnEdu batch of `count` distinct students at one primary school, grades 1-5 in turn. */
export function sampleVneduBatch(count: number, seed = 1): VneduBatch {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
  const rng = prng(seed);
  const principal = fullName(rng, rng() < 0.7 ? 'F' : 'M');
  const startYear = Number(SCHOOL.NamHoc.slice(0, 4));
  const teachers = new Map<string, string>();
  const personalIds = new Set<string>();
  const lookupCodes = new Set<string>();
  const students: VneduStudent[] = [];

  for (let i = 0; i < count; i++) {
    const grade = (i % 5) + 1;
    const className = `${grade}${pick(rng, ['A', 'B', 'C', 'D'])}`;
    if (!teachers.has(className)) teachers.set(className, fullName(rng, rng() < 0.85 ? 'F' : 'M'));
    const sex = rng() < 0.5 ? 'M' : 'F';
    // A child enters grade 1 in the calendar year it turns 6.
    const birth = new Date(Date.UTC(startYear - 5 - grade, 0, 1 + Math.floor(rng() * 365)));
    const [by, bm, bd] = [birth.getUTCFullYear(), birth.getUTCMonth() + 1, birth.getUTCDate()];
    let personalId: string;
    do personalId = makePersonalId(pick(rng, BIRTH_PROVINCES), `${by}-${pad(bm, 2)}-${pad(bd, 2)}`, sex, Math.floor(rng() * 1e6));
    while (personalIds.has(personalId));
    personalIds.add(personalId);
    let lookupCode: string;
    do lookupCode = Array.from({ length: 10 }, () => pick(rng, [...LOOKUP_ALPHABET])).join('');
    while (lookupCodes.has(lookupCode));
    lookupCodes.add(lookupCode);

    const minority = rng() < 0.15;
    const tier = tierOf(rng);
    const subjectList = subjectsFor(rng, grade, minority);
    const failedIndex = tier === 'weak' ? Math.floor(rng() * subjectList.length) : -1;
    const results = subjectList.map((s, k) => subjectResult(rng, tier, s.code, s.tested, k === failedIndex));
    const qualities = ratingsFor(rng, tier, Object.keys(QUALITY_BY_VNEDU_KEY));
    const competencies = ratingsFor(rng, tier, Object.keys(COMPETENCY_BY_VNEDU_KEY));
    const result = yearEndResult(results, [...Object.values(qualities), ...Object.values(competencies)]);
    const commendation = COMMENDATION[result];

    students.push({
      MaHocSinh: `${SCHOOL.MaTruong}${pad(i + 1, 5)}`,
      MaDinhDanh: personalId,
      HoTen: fullName(rng, sex),
      NgaySinh: `${pad(bd, 2)}/${pad(bm, 2)}/${by}`,
      GioiTinh: sex === 'M' ? 'Nam' : 'Nữ',
      DanToc: minority ? pick(rng, ETHNIC_MINORITIES) : 'Kinh',
      QuocTich: 'Việt Nam',
      Khoi: grade,
      Lop: className,
      GVCN: teachers.get(className)!,
      SoHocBa: `HB-${SCHOOL.MaTruong}-${startYear}-${pad(i + 1, 4)}`,
      MaTraCuu: lookupCode,
      NgayHieuLuc: `31/05/${startYear + 1}`,
      PhienBan: 1,
      KetQuaHocTap: results,
      PhamChat: qualities,
      NangLuc: competencies,
      DanhGiaCuoiNam: result,
      HoanThanhCTLH: result !== 'CHT',
      LenLop: result !== 'CHT',
      KhenThuong: commendation ? [commendation] : [],
      NhanXet: pick(rng, REMARKS[result]),
    });
  }
  return { ...SCHOOL, HieuTruong: principal, DanhSachHocSinh: students };
}
