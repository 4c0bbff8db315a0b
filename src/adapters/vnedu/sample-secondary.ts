import type { CommentResult, ResultLevel, SecondarySubject } from '../../canonical/record.js';
import {
  requiredLearningLevel,
  commentTermResult,
  conductYear,
  promotedBy,
  COMMENT_ASSESSMENTS_PER_TERM,
  regularAssessmentsRequired,
  termAverage,
  yearAverage,
} from '../../validation/calc/circular22.js';
import { ELECTIVES_PER_STUDENT, secondarySubject } from '../../validation/curriculum.js';
import { SECONDARY_SUBJECT_BY_VNEDU_CODE } from './codes.js';
import type { VneduCommentTerm, VneduScoreTerm, VneduSecondarySubject, VneduStudent } from './format.js';
import { pick, score, type Rng, type Tier } from './sample-random.js';

// The secondary part of a synthetic vnEdu student (Circular 22/2021): the grade's subjects
// (four electives at grades 10-12) with the programme's periods, the regular assessments those
// periods call for, averages computed as art. 9 says, and learning, conduct and promotion
// derived from them, so that every record validates.

type SecondaryPart = Pick<VneduStudent, 'KetQuaHocTap' | 'HocTap' | 'RenLuyen' | 'LenLop' | 'KhenThuong' | 'NhanXet'>;

const CODE_OF = new Map(Object.entries(SECONDARY_SUBJECT_BY_VNEDU_CODE).map(([code, s]) => [s, code]));
const TO_VNEDU: Readonly<Record<ResultLevel, string>> = { TOT: 'T', KHA: 'K', DAT: 'Đ', CHUA_DAT: 'CĐ' };
const COMMENT_TO_VNEDU: Readonly<Record<CommentResult, string>> = { DAT: 'Đ', CHUA_DAT: 'CĐ' };
const RANGE: Readonly<Record<Tier, [number, number]>> = { excellent: [8, 10], good: [6.5, 9.5], fair: [5, 8.5], weak: [3, 7] };

function subjectsFor(rng: Rng, grade: number, minority: boolean): SecondarySubject[] {
  const chosen = new Set<SecondarySubject>(secondarySubject.compulsoryIn(grade));
  const electives = [...secondarySubject.electivesIn(grade)];
  for (let k = 0; k < ELECTIVES_PER_STUDENT && electives.length > 0; k++) chosen.add(electives.splice(Math.floor(rng() * electives.length), 1)[0]!);
  if (minority && rng() < 0.3) chosen.add('TIENG_DAN_TOC');
  if (rng() < 0.05) chosen.add('NGOAI_NGU_2');
  // Record-form order: the order of vnEdu's code table.
  return Object.values(SECONDARY_SUBJECT_BY_VNEDU_CODE).filter((s) => chosen.has(s));
}

function scoreTerm(rng: Rng, tier: Tier, periods: number): VneduScoreTerm & { average: number } {
  const [lo, hi] = RANGE[tier];
  const t = {
    regularScores: Array.from({ length: regularAssessmentsRequired(periods) }, () => score(rng, lo, hi)),
    midTermScore: score(rng, lo, hi),
    endOfTermScore: score(rng, lo, hi),
  };
  const average = termAverage(t);
  return { DDGtx: t.regularScores, DDGgk: t.midTermScore, DDGck: t.endOfTermScore, DTB: average, average };
}

function commentTerm(slip: boolean): VneduCommentTerm & { result: CommentResult } {
  const regular: CommentResult[] = Array.from({ length: COMMENT_ASSESSMENTS_PER_TERM }, () => 'DAT');
  if (slip) regular[0] = 'CHUA_DAT';
  const t = { regularResults: regular, midTermResult: 'DAT' as const, endOfTermResult: 'DAT' as const };
  const result = commentTermResult(t);
  return { DDGtx: regular.map((r) => COMMENT_TO_VNEDU[r]), DDGgk: 'Đ', DDGck: 'Đ', KQ: COMMENT_TO_VNEDU[result], result };
}

function conductTerm(rng: Rng, tier: Tier): ResultLevel {
  const r = rng();
  if (tier === 'weak') return r < 0.3 ? 'KHA' : r < 0.85 ? 'DAT' : 'CHUA_DAT';
  return r < 0.65 ? 'TOT' : r < 0.93 ? 'KHA' : 'DAT';
}

const REMARKS: Record<ResultLevel, readonly string[]> = {
  TOT: ['Học tập chăm chỉ, kết quả tốt, gương mẫu trong các hoạt động của lớp.', 'Có ý thức tự học cao, tích cực phát biểu xây dựng bài.'],
  KHA: ['Học tập tiến bộ, cần phát huy hơn ở các môn còn hạn chế.', 'Ngoan, lễ phép, cần chủ động hơn trong học tập.'],
  DAT: ['Cần cố gắng hơn trong học tập, chú ý nghe giảng và làm bài đầy đủ.'],
  CHUA_DAT: ['Kết quả học tập chưa đạt yêu cầu, cần ôn tập và kiểm tra lại trong hè.'],
};

export function secondaryPart(rng: Rng, grade: number, tier: Tier, minority: boolean, absentSessions: number, maxAbsentSessions: number): SecondaryPart {
  const subjects: VneduSecondarySubject[] = [];
  const averages = { termI: [] as number[], termII: [] as number[], year: [] as number[] };
  const comments = { termI: [] as CommentResult[], termII: [] as CommentResult[], year: [] as CommentResult[] };
  for (const s of subjectsFor(rng, grade, minority)) {
    let periods = secondarySubject.standardPeriods(s, grade);
    // Grades 10-12 add learning topics (chuyên đề, 35 periods) to some electives.
    if (secondarySubject.group(s, grade) === 'elective' && rng() < 0.4) periods += 35;
    const code = CODE_OF.get(s)!;
    if (secondarySubject.kind(s) === 'score') {
      const t1 = scoreTerm(rng, tier, periods);
      const t2 = scoreTerm(rng, tier, periods);
      const year = yearAverage(t1.average, t2.average);
      averages.termI.push(t1.average);
      averages.termII.push(t2.average);
      averages.year.push(year);
      subjects.push({ MaMon: code, SoTiet: periods, HK1: { DDGtx: t1.DDGtx, DDGgk: t1.DDGgk, DDGck: t1.DDGck, DTB: t1.DTB }, HK2: { DDGtx: t2.DDGtx, DDGgk: t2.DDGgk, DDGck: t2.DDGck, DTB: t2.DTB }, CaNam: year });
    } else {
      const t1 = commentTerm(tier === 'weak' && rng() < 0.3);
      const t2 = commentTerm(false);
      comments.termI.push(t1.result);
      comments.termII.push(t2.result);
      comments.year.push(t2.result);
      subjects.push({ MaMon: code, SoTiet: periods, HK1: { DDGtx: t1.DDGtx, DDGgk: t1.DDGgk, DDGck: t1.DDGck, KQ: t1.KQ }, HK2: { DDGtx: t2.DDGtx, DDGgk: t2.DDGgk, DDGck: t2.DDGck, KQ: t2.KQ }, CaNam: COMMENT_TO_VNEDU[t2.result] });
    }
  }
  // Where art. 9.3 raises a result, the raised one is what the Circular asks for.
  const learning = {
    termI: requiredLearningLevel(averages.termI, comments.termI).level,
    termII: requiredLearningLevel(averages.termII, comments.termII).level,
    year: requiredLearningLevel(averages.year, comments.year).level,
  };
  const c1 = conductTerm(rng, tier);
  const c2 = conductTerm(rng, tier);
  const conduct = { termI: c1, termII: c2, year: conductYear(c1, c2) };
  const learningAfter = learning.year === 'CHUA_DAT' ? (rng() < 0.7 ? 'DAT' : 'CHUA_DAT') : undefined;
  const conductAfter = conduct.year === 'CHUA_DAT' ? (rng() < 0.8 ? 'DAT' : 'CHUA_DAT') : undefined;
  const promoted = promotedBy(learningAfter ?? learning.year, conductAfter ?? conduct.year, absentSessions, maxAbsentSessions);
  const excellent = averages.year.filter((a) => a >= 9).length >= 6;
  const commendation = learning.year === 'TOT' && conduct.year === 'TOT' ? (excellent ? 'Học sinh Xuất sắc' : 'Học sinh Giỏi') : undefined;
  const results = (r: { termI: ResultLevel; termII: ResultLevel; year: ResultLevel }, after?: ResultLevel) => ({
    HK1: TO_VNEDU[r.termI],
    HK2: TO_VNEDU[r.termII],
    CaNam: TO_VNEDU[r.year],
    ...(after ? { SauHe: TO_VNEDU[after] } : {}),
  });
  return {
    KetQuaHocTap: subjects,
    HocTap: results(learning, learningAfter as ResultLevel | undefined),
    RenLuyen: results(conduct, conductAfter as ResultLevel | undefined),
    LenLop: promoted,
    KhenThuong: commendation ? [commendation] : [],
    NhanXet: pick(rng, REMARKS[learning.year]),
  };
}
