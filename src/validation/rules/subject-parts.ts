import type { CanonicalRecord, SubjectLevel } from '../../canonical/record.js';
import type { FieldError } from '../types.js';
import { fieldError } from './field-error.js';

// Tin học và Công nghệ at grades 3-5 is one subject taught and assessed in two parts (phần Tin học,
// phần Công nghệ), as the C1 template splits it. The project's reading of how the subject's own
// results follow from its parts (docs/rules.md):
//   - its level is the lower of the two parts' levels (Hoàn thành tốt only when both are);
//   - a periodic test score of the subject is the mean of the two parts' scores for that test,
//     rounded half up to a whole number (7 and 8 give 8), where both parts have one.

const SUBJECT = 'TIN_HOC_CONG_NGHE';
const RANK: Readonly<Record<SubjectLevel, number>> = { T: 2, H: 1, C: 0 };
const TESTS = ['endOfTermI', 'endOfYear'] as const;

export function checkSubjectParts(r: CanonicalRecord): FieldError[] {
  const errors: FieldError[] = [];
  r.primary?.subjects.forEach((s, i) => {
    if (!s.parts) return;
    const base = `/primary/subjects/${i}`;
    if (s.subject !== SUBJECT) {
      errors.push(fieldError(`${base}/parts`, 'SUBJECT_PARTS_NOT_EXPECTED', `${s.subject} is not assessed in parts; only ${SUBJECT} is`, `môn ${s.subject} không đánh giá theo phần; chỉ môn ${SUBJECT}`));
      return;
    }
    const { informatics: a, technology: b } = s.parts;
    const lower = RANK[a.level] <= RANK[b.level] ? a.level : b.level;
    if (s.level !== lower) {
      errors.push(fieldError(`${base}/level`, 'SUBJECT_PARTS_LEVEL_INCONSISTENT', `got ${s.level}; the parts are ${a.level} (Tin học) and ${b.level} (Công nghệ), so ${lower}`, `nhận được ${s.level}; phần Tin học ${a.level}, phần Công nghệ ${b.level}, nên là ${lower}`));
    }
    for (const test of TESTS) {
      const x = a[test];
      const y = b[test];
      const stated = s.testScores?.[test];
      if (x === undefined || y === undefined || stated === undefined) continue;
      const mean = Math.floor((x + y + 1) / 2); // whole scores: (x + y) / 2 rounded half up
      if (stated !== mean) {
        errors.push(fieldError(`${base}/testScores/${test}`, 'SUBJECT_PARTS_SCORE_INCONSISTENT', `got ${stated}; the parts scored ${x} (Tin học) and ${y} (Công nghệ), so ${mean}`, `nhận được ${stated}; phần Tin học ${x} điểm, phần Công nghệ ${y} điểm, nên là ${mean}`));
      }
    }
  });
  return errors;
}
