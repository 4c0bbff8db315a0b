import type { YearEndResult } from '../../canonical/record.js';
import { primaryCompetency, primarySubject } from '../../validation/curriculum.js';
import { COMPETENCY_BY_VNEDU_KEY, QUALITY_BY_VNEDU_KEY, SUBJECT_BY_VNEDU_CODE } from './codes.js';
import type { VneduPrimarySubject, VneduStudent } from './format.js';
import { between, pick, type Rng, type Tier } from './sample-random.js';

// The primary part of a synthetic vnEdu student (Circular 27/2020): the grade's subjects with
// whole-number periodic test scores where tested, ratings, and a year-end result, completion
// and promotion derived by art. 9 so that every record validates.

type PrimaryPart = Pick<VneduStudent, 'KetQuaHocTap' | 'PhamChat' | 'NangLuc' | 'DanhGiaCuoiNam' | 'HoanThanhCTLH' | 'LenLop' | 'KhenThuong' | 'NhanXet'>;

/** vnEdu subject codes of a grade, in record-form order: compulsory ones, NN sometimes at 1-2, TDT for some minority students. */
function subjectsFor(rng: Rng, grade: number, minority: boolean): string[] {
  return Object.entries(SUBJECT_BY_VNEDU_CODE)
    .filter(([, s]) => {
      if (primarySubject.compulsory(s, grade)) return true;
      if (!primarySubject.taught(s, grade)) return false;
      return s === 'TIENG_DAN_TOC' ? minority && rng() < 0.5 : rng() < 0.4;
    })
    .map(([code]) => code);
}

function subjectResult(rng: Rng, grade: number, tier: Tier, code: string, failed: boolean): VneduPrimarySubject {
  let level: string;
  let end: number;
  if (failed) [level, end] = ['CHT', between(rng, 2, 4)];
  else if (tier === 'excellent') [level, end] = ['HTT', between(rng, 9, 10)];
  else if (tier === 'good') [level, end] = ['HTT', between(rng, 7, 10)];
  else if (rng() < 0.5) [level, end] = ['HTT', between(rng, 7, 10)];
  else [level, end] = ['HT', between(rng, 5, 8)];
  const subject = SUBJECT_BY_VNEDU_CODE[code]!;
  if (!primarySubject.tested(subject, grade)) return { MaMon: code, MucDat: level };
  const near = () => Math.max(1, Math.min(10, end + between(rng, -2, 1)));
  const out: VneduPrimarySubject = { MaMon: code, MucDat: level };
  if (primarySubject.midTermTested(subject, grade)) out.DiemGKI = near();
  out.DiemCKI = near();
  if (primarySubject.midTermTested(subject, grade)) out.DiemGKII = near();
  out.DiemKTDK = end;
  return out;
}

function ratingsFor(rng: Rng, tier: Tier, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) out[k] = tier === 'excellent' || tier === 'good' ? 'T' : tier === 'weak' && rng() < 0.2 ? 'C' : rng() < 0.6 ? 'T' : 'Đ';
  return out;
}

/** Year-end result by Circular 27 art. 9 from what was generated, so it is always consistent. */
function yearEndResult(subjects: VneduPrimarySubject[], ratings: string[]): YearEndResult {
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

export function primaryPart(rng: Rng, grade: number, tier: Tier, minority: boolean): PrimaryPart {
  const codes = subjectsFor(rng, grade, minority);
  const failedIndex = tier === 'weak' ? Math.floor(rng() * codes.length) : -1;
  const results = codes.map((code, k) => subjectResult(rng, grade, tier, code, k === failedIndex));
  const qualities = ratingsFor(rng, tier, Object.keys(QUALITY_BY_VNEDU_KEY));
  const competencies = ratingsFor(rng, tier, Object.keys(COMPETENCY_BY_VNEDU_KEY));
  // Grades 1-2 rate no Công nghệ or Tin học competency: drawn all the same, so that the random
  // sequence and every other student stay what they were, then left out.
  for (const [key, code] of Object.entries(COMPETENCY_BY_VNEDU_KEY)) if (!primaryCompetency.rated(code, grade)) delete competencies[key];
  const result = yearEndResult(results, [...Object.values(qualities), ...Object.values(competencies)]);
  const commendation = COMMENDATION[result];
  return {
    KetQuaHocTap: results,
    PhamChat: qualities,
    NangLuc: competencies,
    DanhGiaCuoiNam: result,
    HoanThanhCTLH: result !== 'CHT',
    LenLop: result !== 'CHT',
    KhenThuong: commendation ? [commendation] : [],
    NhanXet: pick(rng, REMARKS[result]),
  };
}
