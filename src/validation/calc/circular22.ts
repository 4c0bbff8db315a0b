import type { CommentResult, CommentTerm, ResultLevel, ScoreTerm } from '../../canonical/record.js';

// Circular 22/2021/TT-BGDĐT, the arithmetic of secondary assessment. Scores carry one decimal,
// so sums are done in whole tenths: no binary floating-point error reaches a rounding decision.

/**
 * Art. 7: regular assessments (ĐĐGtx) per term. A subject assessed by score has them by its
 * periods a year: up to 35 → 2, up to 70 → 3, more → 4; a subject assessed by comment has 2 a
 * term whatever its periods (Giáo dục thể chất's 70 and Hoạt động trải nghiệm, hướng nghiệp's
 * 105 included).
 */
export function regularAssessmentsRequired(periodsPerYear: number, kind: 'score' | 'comment' = 'score', topics: { clusters: number; periodsInclude: boolean } = { clusters: 0, periodsInclude: true }): number {
  // Each chuyên đề cluster (35 periods) adds one; the subject's own periods set the rest.
  const { clusters } = topics;
  if (kind === 'comment') return COMMENT_ASSESSMENTS_PER_TERM + clusters;
  const own = topics.periodsInclude ? periodsPerYear - TOPIC_CLUSTER_PERIODS * clusters : periodsPerYear;
  return (own <= 35 ? 2 : own <= 70 ? 3 : 4) + clusters;
}

/** Periods a year of one chuyên đề cluster (grades 10-12, 2018 programme). */
export const TOPIC_CLUSTER_PERIODS = 35;

export const COMMENT_ASSESSMENTS_PER_TERM = 2;

const tenths = (x: number): number => Math.round(x * 10);

/** `numerator / denominator` tenths rounded half up, as a one-decimal number (both positive). */
function roundTenths(numerator: number, denominator: number): number {
  return Math.floor((2 * numerator + denominator) / (2 * denominator)) / 10;
}

/** Art. 9: ĐTBmhk = (ΣĐĐGtx + 2·ĐĐGgk + 3·ĐĐGck) / (number of ĐĐGtx + 5), unrounded. */
export function termAverageExact(t: Pick<ScoreTerm, 'regularScores' | 'midTermScore' | 'endOfTermScore'>): number {
  const sum = t.regularScores.reduce((a, b) => a + b, 0) + 2 * t.midTermScore + 3 * t.endOfTermScore;
  return sum / (t.regularScores.length + 5);
}

/** ĐTBmhk rounded to one decimal (scores given with at most one decimal). */
export function termAverage(t: Pick<ScoreTerm, 'regularScores' | 'midTermScore' | 'endOfTermScore'>): number {
  const sum = t.regularScores.reduce((a, b) => a + tenths(b), 0) + 2 * tenths(t.midTermScore) + 3 * tenths(t.endOfTermScore);
  return roundTenths(sum, t.regularScores.length + 5);
}

/** Art. 9: ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3, unrounded. */
export function yearAverageExact(termI: number, termII: number): number {
  return (termI + 2 * termII) / 3;
}

export function yearAverage(termI: number, termII: number): number {
  return roundTenths(tenths(termI) + 2 * tenths(termII), 3);
}

/** True when `x` has at most one decimal. */
export function hasOneDecimal(x: number): boolean {
  return Math.abs(x * 10 - Math.round(x * 10)) < 1e-9;
}

/** Art. 9.1a: a comment subject's term is Đạt with all assessments held and every one Đạt. */
export function commentTermResult(t: Omit<CommentTerm, 'result'>): CommentResult {
  const enough = t.regularResults.length >= COMMENT_ASSESSMENTS_PER_TERM;
  const all = [...t.regularResults, t.midTermResult, t.endOfTermResult];
  return enough && all.every((r) => r === 'DAT') ? 'DAT' : 'CHUA_DAT';
}

/** Art. 9.1b: the year result of a comment subject is its term II result. */
export const commentYearResult = (termII: CommentResult): CommentResult => termII;

const RANK: Readonly<Record<ResultLevel, number>> = { TOT: 0, KHA: 1, DAT: 2, CHUA_DAT: 3 };
const BY_RANK: readonly ResultLevel[] = ['TOT', 'KHA', 'DAT', 'CHUA_DAT'];
export const isAtLeast = (level: ResultLevel, floor: ResultLevel): boolean => RANK[level] <= RANK[floor];

/** Art. 9.2: the learning result from the averages of score subjects and the results of comment subjects. */
export function learningLevel(averages: readonly number[], comments: readonly CommentResult[]): ResultLevel {
  const commentsAllPass = comments.every((c) => c === 'DAT');
  const atLeast = (x: number) => averages.filter((a) => a >= x - 1e-9).length;
  if (commentsAllPass && atLeast(6.5) === averages.length && atLeast(8) >= 6) return 'TOT';
  if (commentsAllPass && atLeast(5) === averages.length && atLeast(6.5) >= 6) return 'KHA';
  if (comments.filter((c) => c !== 'DAT').length <= 1 && atLeast(5) >= 6 && averages.every((a) => a >= 3.5 - 1e-9)) return 'DAT';
  return 'CHUA_DAT';
}

/**
 * The learning result a record must state (art. 9.2 and 9.3). Art. 9.3: when one subject alone
 * pulls a result that would be Tốt or Khá down by two levels or more, the result is raised to the
 * next level, and the raised result is the student's result (issue 15 item 2: a record that
 * states the unraised one is refused with LEARNING_RESULT_NOT_RAISED). "One subject alone": with
 * that one subject's average (or comment result) put right, the others give Tốt or Khá.
 * `plain` is the art. 9.2 result before any raise.
 */
export function requiredLearningLevel(averages: readonly number[], comments: readonly CommentResult[]): { level: ResultLevel; plain: ResultLevel } {
  const plain = learningLevel(averages, comments);
  // A raise needs a plain result two levels below Khá or Tốt: Đạt or Chưa đạt. Tốt and Khá, most
  // records, need no look at the subjects one by one.
  if (RANK[plain] < 2) return { level: plain, plain };
  const withoutOne = [
    ...averages.map((_, i) => learningLevel(averages.map((a, j) => (i === j ? 10 : a)), comments)),
    ...comments.map((_, i) => learningLevel(averages, comments.map((c, j) => (i === j ? 'DAT' : c)))),
  ];
  const raisable = withoutOne.some((w) => (w === 'TOT' || w === 'KHA') && RANK[plain] - RANK[w] >= 2);
  return { level: raisable ? BY_RANK[RANK[plain] - 1]! : plain, plain };
}

/** Art. 8.2b: the year's conduct result from the two terms. */
export function conductYear(termI: ResultLevel, termII: ResultLevel): ResultLevel {
  if (termII === 'TOT') return isAtLeast(termI, 'KHA') ? 'TOT' : 'KHA';
  if (termII === 'KHA') return termI === 'CHUA_DAT' ? 'DAT' : 'KHA';
  if (termII === 'DAT') return termI === 'TOT' ? 'KHA' : 'DAT';
  return 'CHUA_DAT';
}

/** Art. 12: promoted with learning and conduct of the year (after any summer review) at least Đạt and absences within the limit. */
export function promotedBy(learning: ResultLevel, conduct: ResultLevel, absentSessions: number, maxAbsentSessions: number): boolean {
  return isAtLeast(learning, 'DAT') && isAtLeast(conduct, 'DAT') && absentSessions <= maxAbsentSessions;
}
