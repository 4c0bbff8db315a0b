import type { CanonicalRecord, CommentResult, CommentSubjectResult, ResultLevel, TermResults } from '../../canonical/record.js';
import { conductYear, promotedBy, requiredLearningLevel } from '../calc/circular22.js';
import type { ValidationContext } from '../context.js';
import type { FieldError } from '../types.js';
import { assessedByIndividualPlan } from './exemptions.js';
import { fieldError } from './field-error.js';

// The student's results, Circular 22/2021: learning results from the stated subject averages
// and comment results (art. 9), the year's conduct from the two terms (art. 8), a result after
// the summer only after a Chưa đạt year, and promotion (art. 12).

const PERIODS = ['termI', 'termII', 'year'] as const;

const ARTS: ReadonlySet<string> = new Set(['AM_NHAC', 'MI_THUAT']);

/**
 * The comment results the learning result counts. With `lowerSecondaryArts: together`, Âm nhạc
 * and Mĩ thuật at grades 6-9 are one subject, Nghệ thuật, Đạt only when both parts are.
 */
export function learningComments<T extends CommentSubjectResult>(subjects: readonly T[], resultOf: (x: T) => CommentResult, grade: number, ctx: ValidationContext): CommentResult[] {
  if (ctx.rules.lowerSecondaryArts === 'separate' || grade > 9) return subjects.map(resultOf);
  const arts = subjects.filter((x) => ARTS.has(x.subject));
  const others = subjects.filter((x) => !ARTS.has(x.subject)).map(resultOf);
  if (arts.length === 0) return others;
  return [...others, arts.every((x) => resultOf(x) === 'DAT') ? 'DAT' : 'CHUA_DAT'];
}

export function checkSecondaryOutcome(r: CanonicalRecord, ctx: ValidationContext): FieldError[] {
  const s = r.secondary!;
  const errors: FieldError[] = [];
  // A student assessed by an individual education plan is judged against the plan: the stated
  // learning results stand; the year's conduct and promotion still follow from what is stated.
  for (const period of assessedByIndividualPlan(r) ? [] : PERIODS) {
    const averages = s.scoreSubjects.map((x) => (period === 'year' ? x.yearAverage : x[period].average));
    const comments = learningComments(s.commentSubjects, (x) => (period === 'year' ? x.yearResult : x[period].result), r.grade, ctx);
    const { level, plain } = requiredLearningLevel(averages, comments);
    const stated = s.learningResult[period];
    if (stated !== level && stated === plain) {
      errors.push(
        fieldError(`/secondary/learningResult/${period}`, 'LEARNING_RESULT_NOT_RAISED', `got ${stated}; one subject alone pulls it down, so art. 9.3 raises it to ${level}`, `nhận được ${stated}; chỉ một môn học kéo kết quả xuống nên theo khoản 3 Điều 9 kết quả được nâng lên ${level}`),
      );
    } else if (stated !== level) {
      errors.push(
        fieldError(`/secondary/learningResult/${period}`, 'LEARNING_RESULT_INCONSISTENT', `got ${stated}, the subjects give ${level}`, `nhận được ${stated}, các môn học cho kết quả ${level}`),
      );
    }
  }
  const conduct = s.conductResult;
  const expectedConduct = conductYear(conduct.termI, conduct.termII);
  if (conduct.year !== expectedConduct) {
    errors.push(
      fieldError('/secondary/conductResult/year', 'CONDUCT_YEAR_INCONSISTENT', `got ${conduct.year}, terms ${conduct.termI}/${conduct.termII} give ${expectedConduct}`, `nhận được ${conduct.year}, hai học kì ${conduct.termI}/${conduct.termII} cho kết quả ${expectedConduct}`),
    );
  }
  for (const name of ['learningResult', 'conductResult'] as const) {
    const res: TermResults = s[name];
    if (res.afterSummer !== undefined && res.year !== 'CHUA_DAT') {
      errors.push(fieldError(`/secondary/${name}/afterSummer`, 'SUMMER_REVIEW_NOT_EXPECTED', `the year is ${res.year}`, `cả năm là ${res.year}`));
    }
  }
  const final = (res: TermResults): ResultLevel => res.afterSummer ?? res.year;
  const absences = r.attendance.excusedAbsences + r.attendance.unexcusedAbsences;
  const expected = promotedBy(final(s.learningResult), final(conduct), absences, ctx.rules.maxAbsentSessions);
  if (s.promoted !== expected) {
    const why = `learning ${final(s.learningResult)}, conduct ${final(conduct)}, ${absences} sessions missed (limit ${ctx.rules.maxAbsentSessions})`;
    const whyVi = `học tập ${final(s.learningResult)}, rèn luyện ${final(conduct)}, nghỉ ${absences} buổi (giới hạn ${ctx.rules.maxAbsentSessions})`;
    errors.push(fieldError('/secondary/promoted', 'SECONDARY_PROMOTION_INCONSISTENT', `got ${s.promoted}; ${why}`, `nhận được ${s.promoted}; ${whyVi}`));
  }
  return errors;
}
