import type { CanonicalRecord } from '../../canonical/record.js';
import type { FieldError } from '../types.js';
import { fieldError } from './field-error.js';

// The outcomes that close a level of schooling, each on the record of the grade that closes it:
// completion of primary at grade 5 (hoàn thành chương trình tiểu học, the grade's programme
// completed), the principal's confirmation of completing lower secondary at grade 9 (decision
// number and date, given once the year is over), and eligibility for the upper secondary
// graduation review at grade 12 (the year's programme completed: learning and conduct Đạt or
// better and sessions missed within the limit, which is what `promoted` states at grade 12).

const LAST_GRADE = { completedPrimary: 5, lowerSecondaryCompletion: 9, graduationReviewEligible: 12 } as const;

function notInGrade(path: string, field: keyof typeof LAST_GRADE, grade: number): FieldError {
  return fieldError(path, 'END_OF_LEVEL_NOT_IN_GRADE', `${field} belongs to grade ${LAST_GRADE[field]}, the record is grade ${grade}`, `${field} chỉ có ở khối ${LAST_GRADE[field]}, hồ sơ là khối ${grade}`);
}

export function checkEndOfLevel(r: CanonicalRecord): FieldError[] {
  const errors: FieldError[] = [];
  const p = r.primary;
  if (p?.completedPrimary !== undefined) {
    const path = '/primary/completedPrimary';
    if (r.grade !== LAST_GRADE.completedPrimary) errors.push(notInGrade(path, 'completedPrimary', r.grade));
    else {
      // After a supplementary assessment, it decides.
      const completed = p.supplementaryAssessment?.completedProgramme ?? p.completedProgramme;
      if (p.completedPrimary !== completed) {
        errors.push(fieldError(path, 'LEVEL_COMPLETION_INCONSISTENT', `got ${p.completedPrimary}, the grade 5 programme completed is ${completed}`, `nhận được ${p.completedPrimary}, hoàn thành chương trình lớp 5 là ${completed}`));
      }
    }
  }
  const s = r.secondary;
  if (s?.lowerSecondaryCompletion !== undefined) {
    const path = '/secondary/lowerSecondaryCompletion';
    const endYear = Number(r.schoolYear.slice(5, 9));
    const date = s.lowerSecondaryCompletion.date;
    if (r.grade !== LAST_GRADE.lowerSecondaryCompletion) errors.push(notInGrade(path, 'lowerSecondaryCompletion', r.grade));
    else if (!s.promoted) errors.push(fieldError(path, 'LEVEL_COMPLETION_INCONSISTENT', 'confirmed, but the grade 9 programme is not completed (promoted is false)', 'được xác nhận nhưng chưa hoàn thành chương trình lớp 9 (promoted là false)'));
    else if (Number(date.slice(0, 4)) < endYear) {
      errors.push(fieldError(`${path}/date`, 'LEVEL_COMPLETION_INCONSISTENT', `confirmed on ${date}, before the school year ${r.schoolYear} ended`, `xác nhận ngày ${date}, trước khi năm học ${r.schoolYear} kết thúc`));
    }
  }
  if (s?.graduationReviewEligible !== undefined) {
    const path = '/secondary/graduationReviewEligible';
    if (r.grade !== LAST_GRADE.graduationReviewEligible) errors.push(notInGrade(path, 'graduationReviewEligible', r.grade));
    else if (s.graduationReviewEligible !== s.promoted) {
      errors.push(fieldError(path, 'LEVEL_COMPLETION_INCONSISTENT', `got ${s.graduationReviewEligible}, the grade 12 programme completed is ${s.promoted}`, `nhận được ${s.graduationReviewEligible}, hoàn thành chương trình lớp 12 là ${s.promoted}`));
    }
  }
  return errors;
}
