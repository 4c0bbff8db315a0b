import type { CanonicalRecord, PeriodicTestScores, PrimaryResults } from '../../canonical/record.js';
import { yearEndResultOf } from '../calc/circular27.js';
import type { ValidationContext } from '../context.js';
import { QUALITIES } from '../../canonical/codes.js';
import { primaryCompetency, primarySubject } from '../curriculum.js';
import type { FieldError } from '../types.js';
import { assessedByIndividualPlan } from './exemptions.js';
import { fieldError } from './field-error.js';

// Primary results, Circular 27/2020/TT-BGDĐT: the subjects of the grade, periodic test scores
// (whole numbers, tested subjects only), each quality and each competency of the grade rated
// once (Công nghệ and Tin học from grade 3), and a
// year-end result, completion and promotion that follow from the rest.

const MID_TERMS: readonly (keyof PeriodicTestScores)[] = ['midTermI', 'midTermII'];

function checkSubjects(p: PrimaryResults, grade: number, ctx: ValidationContext): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  p.subjects.forEach((s, i) => {
    const base = `/primary/subjects/${i}`;
    if (seen.has(s.subject)) return void errors.push(fieldError(`${base}/subject`, 'SUBJECT_REPEATED', s.subject, s.subject));
    seen.add(s.subject);
    if (!primarySubject.taught(s.subject, grade)) {
      return void errors.push(fieldError(`${base}/subject`, 'SUBJECT_NOT_IN_GRADE', `${s.subject} at grade ${grade}`, `${s.subject} ở khối ${grade}`));
    }
    const scores = s.testScores;
    if (!primarySubject.tested(s.subject, grade)) {
      if (scores !== undefined) {
        errors.push(fieldError(`${base}/testScores`, 'PRIMARY_TEST_SCORE_NOT_EXPECTED', `${s.subject} has no periodic tests at grade ${grade}`, `${s.subject} không có bài kiểm tra định kì ở khối ${grade}`));
      }
      return;
    }
    if (scores?.endOfYear === undefined) {
      errors.push(fieldError(`${base}/testScores/endOfYear`, 'PRIMARY_TEST_SCORE_MISSING', s.subject, s.subject));
    }
    for (const key of MID_TERMS) {
      if (scores?.[key] !== undefined && !primarySubject.midTermTested(s.subject, grade)) {
        errors.push(fieldError(`${base}/testScores/${key}`, 'PRIMARY_TEST_SCORE_NOT_EXPECTED', `no mid-term test for ${s.subject} at grade ${grade}`, `không có bài kiểm tra giữa kì môn ${s.subject} ở khối ${grade}`));
      }
    }
    for (const [key, value] of Object.entries(scores ?? {}) as [string, number][]) {
      const path = `${base}/testScores/${key}`;
      if (!Number.isInteger(value)) errors.push(fieldError(path, 'PRIMARY_SCORE_NOT_WHOLE', `got ${value}`, `nhận được ${value}`));
      else if (value < ctx.rules.primaryMinTestScore) {
        errors.push(fieldError(path, 'PRIMARY_SCORE_BELOW_MINIMUM', `got ${value}, lowest is ${ctx.rules.primaryMinTestScore}`, `nhận được ${value}, thấp nhất là ${ctx.rules.primaryMinTestScore}`));
      }
    }
  });
  // An exempted subject is accounted for (rules/exemptions.ts checks the exemption itself).
  for (const e of p.exemptSubjects ?? []) seen.add(e.subject);
  const missing = primarySubject.compulsoryIn(grade).filter((s) => !seen.has(s));
  if (missing.length > 0) {
    errors.push(fieldError('/primary/subjects', 'SUBJECT_MISSING', `grade ${grade} needs ${missing.join(', ')}`, `khối ${grade} cần ${missing.join(', ')}`));
  }
  return errors;
}

function checkRatings(p: PrimaryResults, grade: number): FieldError[] {
  const errors: FieldError[] = [];
  for (const list of ['qualities', 'competencies'] as const) {
    const seen = new Set<string>();
    let repeated = false;
    p[list].forEach((q, i) => {
      if (seen.has(q.code)) {
        repeated = true;
        errors.push(fieldError(`/primary/${list}/${i}/code`, 'PRIMARY_RATING_REPEATED', q.code, q.code));
      } else if (list === 'competencies' && !primaryCompetency.rated(q.code, grade)) {
        errors.push(fieldError(`/primary/${list}/${i}/code`, 'PRIMARY_COMPETENCY_NOT_IN_GRADE', `${q.code} at grade ${grade}`, `${q.code} ở khối ${grade}`));
      }
      seen.add(q.code);
    });
    // A repeated entry has taken the place of the one missing: that error says it already.
    const missing = (list === 'qualities' ? QUALITIES : primaryCompetency.ratedIn(grade)).filter((c) => !seen.has(c));
    if (missing.length > 0 && !repeated) {
      errors.push(fieldError(`/primary/${list}`, 'PRIMARY_RATING_MISSING', `grade ${grade} rates ${missing.join(', ')}`, `khối ${grade} cần đánh giá ${missing.join(', ')}`));
    }
  }
  return errors;
}

function checkOutcome(p: PrimaryResults, individualPlan: boolean, signedByPrincipal: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const expected = yearEndResultOf(p);
  // A student assessed by an individual education plan is judged against the plan: the school's
  // year-end result stands; completion and promotion still follow from it.
  if (p.yearEndResult !== expected && !individualPlan) {
    errors.push(
      fieldError(
        '/primary/yearEndResult',
        'PRIMARY_YEAR_END_RESULT_INCONSISTENT',
        `got ${p.yearEndResult}; the levels, ratings and end-of-year scores give ${expected}`,
        `nhận được ${p.yearEndResult}; mức đạt, đánh giá và điểm cuối năm cho kết quả ${expected}`,
      ),
    );
  }
  if (p.yearEndResult !== 'CHT' && !p.completedProgramme) {
    errors.push(fieldError('/primary/completedProgramme', 'PRIMARY_COMPLETION_INCONSISTENT', `year-end result ${p.yearEndResult}`, `kết quả cuối năm ${p.yearEndResult}`));
  }
  const supp = p.supplementaryAssessment;
  if (supp) {
    // After the summer: promotion follows the supplementary assessment.
    if (p.completedProgramme) errors.push(fieldError('/primary/supplementaryAssessment', 'PRIMARY_SUPPLEMENTARY_NOT_EXPECTED', 'the programme was completed in the year', 'học sinh đã hoàn thành chương trình lớp học trong năm'));
    else if (p.promoted !== supp.completedProgramme) {
      errors.push(fieldError('/primary/promoted', 'PRIMARY_PROMOTION_INCONSISTENT', `got ${p.promoted}; the supplementary assessment gives ${supp.completedProgramme}`, `nhận được ${p.promoted}; đánh giá bổ sung cho kết quả ${supp.completedProgramme}`));
    }
  } else if (p.completedProgramme && !p.promoted) errors.push(fieldError('/primary/promoted', 'PRIMARY_PROMOTION_INCONSISTENT'));
  else if (!p.completedProgramme && signedByPrincipal) {
    errors.push(fieldError('/primary/supplementaryAssessment', 'PRIMARY_SUPPLEMENTARY_MISSING', 'the programme is not completed and the principal has signed', 'chưa hoàn thành chương trình lớp học mà hiệu trưởng đã ký'));
  }
  return errors;
}

export function checkPrimary(r: CanonicalRecord, ctx: ValidationContext): FieldError[] {
  const p = r.primary!;
  return [...checkSubjects(p, r.grade, ctx), ...checkRatings(p, r.grade), ...checkOutcome(p, assessedByIndividualPlan(r), r.signatures.some((x) => x.role === 'PRINCIPAL'))];
}
