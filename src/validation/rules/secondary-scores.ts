import type { CanonicalRecord, ScoreTerm } from '../../canonical/record.js';
import { commentTermResult, hasOneDecimal, termAverage, termAverageExact, yearAverage, yearAverageExact } from '../calc/circular22.js';
import type { ValidationContext } from '../context.js';
import type { FieldError } from '../types.js';
import { fieldError } from './field-error.js';
import type { CheckedSubjects } from './secondary-subjects.js';

// Secondary scores and subject results: one decimal, averages recomputed from the scores and
// rounded half up and compared (the tolerance setting is 0 by default), comment results that follow from the assessments.

const TERMS = ['termI', 'termII'] as const;
// Floating-point slack on the comparison (binary noise only), far below the one-decimal resolution.
const EPSILON = 1e-9;
// The unrounded value, where rounding made a difference: " (8.05 rounded half up)".
const exactText = (x: number, vi = false) => (hasOneDecimal(x) ? '' : ` (${Math.round(x * 10_000) / 10_000} ${vi ? 'làm tròn' : 'rounded half up'})`);

/** A score with more than one decimal: SECONDARY_SCORE_PRECISION at `path` (retests.ts checks retest scores with it too). */
export function precision(path: string, x: number, out: FieldError[], subject: string): void {
  if (!hasOneDecimal(x)) out.push(fieldError(path, 'SECONDARY_SCORE_PRECISION', `${subject}: got ${x}`, `${subject}: nhận được ${x}`));
}

function scorePrecision(base: string, t: ScoreTerm, out: FieldError[], subject: string): void {
  t.regularScores.forEach((x, k) => precision(`${base}/regularScores/${k}`, x, out, subject));
  precision(`${base}/midTermScore`, t.midTermScore, out, subject);
  precision(`${base}/endOfTermScore`, t.endOfTermScore, out, subject);
  precision(`${base}/average`, t.average, out, subject);
}

export function checkSecondaryScores(r: CanonicalRecord, ctx: ValidationContext, checked: CheckedSubjects): FieldError[] {
  const s = r.secondary!;
  const errors: FieldError[] = [];
  const tolerance = ctx.rules.averageTolerance + EPSILON;
  for (const i of checked.scoreSubjects) {
    const item = s.scoreSubjects[i]!;
    const base = `/secondary/scoreSubjects/${i}`;
    // Details name the subject: the path indexes the canonical list, not the vendor's.
    for (const term of TERMS) scorePrecision(`${base}/${term}`, item[term], errors, item.subject);
    precision(`${base}/yearAverage`, item.yearAverage, errors, item.subject);
    // Each average must be the half-up rounding to one decimal of its formula, computed in whole
    // tenths (calc/circular22.ts): an exact x.x5 has one right answer, the one above. The
    // tolerance (0 by default) only admits stated averages that far from that rounding.
    for (const term of TERMS) {
      const t = item[term];
      const recomputed = termAverage(t);
      // A stated average with more than one decimal is reported once, as SECONDARY_SCORE_PRECISION.
      if (hasOneDecimal(t.average) && Math.abs(t.average - recomputed) > tolerance) {
        errors.push(
          fieldError(`${base}/${term}/average`, 'TERM_AVERAGE_MISMATCH', `${item.subject} ${term}: stated ${t.average}, recomputed ${recomputed}${exactText(termAverageExact(t))}`, `${item.subject} ${term}: ghi ${t.average}, tính lại được ${recomputed}${exactText(termAverageExact(t), true)}`),
        );
      }
    }
    const recomputedYear = yearAverage(item.termI.average, item.termII.average);
    if (hasOneDecimal(item.yearAverage) && Math.abs(item.yearAverage - recomputedYear) > tolerance) {
      const exact = yearAverageExact(item.termI.average, item.termII.average);
      errors.push(fieldError(`${base}/yearAverage`, 'YEAR_AVERAGE_MISMATCH', `${item.subject}: stated ${item.yearAverage}, recomputed ${recomputedYear}${exactText(exact)}`, `${item.subject}: ghi ${item.yearAverage}, tính lại được ${recomputedYear}${exactText(exact, true)}`));
    }
  }
  for (const i of checked.commentSubjects) {
    const item = s.commentSubjects[i]!;
    const base = `/secondary/commentSubjects/${i}`;
    for (const term of TERMS) {
      const expected = commentTermResult(item[term]);
      if (item[term].result !== expected) {
        errors.push(fieldError(`${base}/${term}/result`, 'COMMENT_TERM_RESULT_INCONSISTENT', `${item.subject} ${term}: got ${item[term].result}, the assessments give ${expected}`, `${item.subject} ${term}: nhận được ${item[term].result}, các lần đánh giá cho kết quả ${expected}`));
      }
    }
    if (item.yearResult !== item.termII.result) {
      errors.push(fieldError(`${base}/yearResult`, 'COMMENT_YEAR_RESULT_INCONSISTENT', `${item.subject}: got ${item.yearResult}, term II is ${item.termII.result}`, `${item.subject}: nhận được ${item.yearResult}, học kì II là ${item.termII.result}`));
    }
  }
  return errors;
}
