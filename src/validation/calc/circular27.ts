import type { PrimaryResults, YearEndResult } from '../../canonical/record.js';

// Circular 27/2020/TT-BGDĐT art. 9: the year-end result of a primary student follows from the
// subject levels, the quality and competency ratings and the end-of-year test scores.

/** The year-end result the record's own levels, ratings and end-of-year scores give. */
export function yearEndResultOf(p: Pick<PrimaryResults, 'subjects' | 'qualities' | 'competencies'>): YearEndResult {
  const levels = p.subjects.map((s) => s.level);
  const ratings = [...p.qualities, ...p.competencies].map((q) => q.rating);
  const scores = p.subjects.flatMap((s) => (s.testScores?.endOfYear === undefined ? [] : [s.testScores.endOfYear]));
  const allTop = levels.every((l) => l === 'T') && ratings.every((r) => r === 'TOT');
  if (allTop && scores.every((x) => x >= 9)) return 'HTXS';
  if (allTop && scores.every((x) => x >= 7)) return 'HTT';
  if (levels.every((l) => l !== 'C') && ratings.every((r) => r !== 'CCG') && scores.every((x) => x >= 5)) return 'HT';
  return 'CHT';
}
