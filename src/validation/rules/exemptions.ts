import type { CanonicalRecord, ExemptSubject } from '../../canonical/record.js';
import { primarySubject, secondarySubject } from '../curriculum.js';
import type { FieldError } from '../types.js';
import { fieldError } from './field-error.js';

// Subjects a student is exempted from (miễn): not assessed, listed in `exemptSubjects` instead of
// among the assessed subjects, so that the grade's compulsory subjects are still all accounted for
// (rules/primary.ts and rules/secondary-subjects.ts count them as present). On health grounds a
// student is exempted from physical education (and, at upper secondary, from Giáo dục quốc phòng
// và an ninh, which has the same health exemption); a student with a disability may be exempted
// from any subject the individual education plan leaves out.

/** Subjects a student may be exempted from on health grounds. */
export const HEALTH_EXEMPTIBLE: ReadonlySet<string> = new Set(['GIAO_DUC_THE_CHAT', 'GIAO_DUC_QUOC_PHONG_AN_NINH']);

/** The exempted subjects of a record's results block (none when it has no such list). */
export function exemptSubjectsOf(r: CanonicalRecord): readonly ExemptSubject[] {
  return (r.primary ?? r.secondary)?.exemptSubjects ?? [];
}

/** Students assessed by an individual education plan: their results follow the plan, not the thresholds of the circulars. */
export function assessedByIndividualPlan(r: CanonicalRecord): boolean {
  return r.student.disability?.individualPlan === true;
}

export function checkExemptions(r: CanonicalRecord): FieldError[] {
  const block = r.primary ? 'primary' : 'secondary';
  const exempt = exemptSubjectsOf(r);
  if (exempt.length === 0) return [];
  const assessed = new Set<string>(r.primary ? r.primary.subjects.map((s) => s.subject) : [...r.secondary!.scoreSubjects, ...r.secondary!.commentSubjects].map((s) => s.subject));
  const taught = (subject: string) => (r.primary ? primarySubject.taught(subject as never, r.grade) : secondarySubject.taught(subject as never, r.grade));
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  exempt.forEach((e, i) => {
    const base = `/${block}/exemptSubjects/${i}`;
    if (seen.has(e.subject)) return void errors.push(fieldError(`${base}/subject`, 'SUBJECT_REPEATED', e.subject, e.subject));
    seen.add(e.subject);
    if (!taught(e.subject)) return void errors.push(fieldError(`${base}/subject`, 'SUBJECT_NOT_IN_GRADE', `${e.subject} at grade ${r.grade}`, `${e.subject} ở khối ${r.grade}`));
    if (assessed.has(e.subject)) errors.push(fieldError(`${base}/subject`, 'EXEMPT_SUBJECT_ASSESSED', e.subject, e.subject));
    if (e.reason === 'HEALTH' && !HEALTH_EXEMPTIBLE.has(e.subject)) {
      errors.push(fieldError(`${base}/reason`, 'EXEMPTION_REASON_INVALID', `${e.subject} is not exempted on health grounds`, `môn ${e.subject} không được miễn vì lý do sức khỏe`));
    }
    if (e.reason === 'DISABILITY' && !r.student.disability) {
      errors.push(fieldError(`${base}/reason`, 'EXEMPTION_REASON_INVALID', 'the student has no disability recorded', 'học sinh không có thông tin khuyết tật'));
    }
  });
  return errors;
}
