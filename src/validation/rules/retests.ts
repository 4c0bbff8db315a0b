import type { CanonicalRecord } from '../../canonical/record.js';
import { requiredLearningLevel } from '../calc/circular22.js';
import { assessedByIndividualPlan } from './exemptions.js';
import type { FieldError } from '../types.js';
import { fieldError } from './field-error.js';
import { learningComments } from './secondary-outcome.js';
import { precision } from './secondary-scores.js';
import type { ValidationContext } from '../context.js';

// After a Chưa đạt year, Circular 22/2021: a student retakes (kiểm tra lại) the subjects assessed
// by score whose year average is under 5.0 and those assessed by comment that are Chưa đạt; each
// retest stands for its subject's year value and the learning result is decided again by art. 9
// (`learningResult.afterSummer`). A student whose conduct is Chưa đạt trains over the summer
// (rèn luyện trong hè) and is assessed again Đạt or Chưa đạt (`conductResult.afterSummer`).
// A record that states a learning result after the summer without its retests is read as before
// (the retests are not required, since vendors that do not carry them would lose every such record).

const PASS_MARK = 5;

export function checkRetests(r: CanonicalRecord, ctx: ValidationContext): FieldError[] {
  const s = r.secondary!;
  const errors: FieldError[] = [];
  const year = s.learningResult.year;
  let retests = 0;
  s.scoreSubjects.forEach((x, i) => {
    if (x.retestScore === undefined) return;
    retests += 1;
    const path = `/secondary/scoreSubjects/${i}/retestScore`;
    precision(path, x.retestScore, errors, x.subject);
    if (year !== 'CHUA_DAT') errors.push(fieldError(path, 'RETEST_NOT_EXPECTED', `${x.subject}: the year's learning result is ${year}`, `${x.subject}: kết quả học tập cả năm là ${year}`));
    else if (x.yearAverage >= PASS_MARK) errors.push(fieldError(path, 'RETEST_NOT_EXPECTED', `${x.subject}: year average ${x.yearAverage} is not under ${PASS_MARK}`, `${x.subject}: điểm trung bình cả năm ${x.yearAverage} không dưới ${PASS_MARK}`));
  });
  s.commentSubjects.forEach((x, i) => {
    if (x.retestResult === undefined) return;
    retests += 1;
    const path = `/secondary/commentSubjects/${i}/retestResult`;
    if (year !== 'CHUA_DAT') errors.push(fieldError(path, 'RETEST_NOT_EXPECTED', `${x.subject}: the year's learning result is ${year}`, `${x.subject}: kết quả học tập cả năm là ${year}`));
    else if (x.yearResult !== 'CHUA_DAT') errors.push(fieldError(path, 'RETEST_NOT_EXPECTED', `${x.subject}: the year's result is ${x.yearResult}`, `${x.subject}: kết quả cả năm là ${x.yearResult}`));
  });
  const after = s.conductResult.afterSummer;
  if (after !== undefined && after !== 'DAT' && after !== 'CHUA_DAT') {
    errors.push(fieldError('/secondary/conductResult/afterSummer', 'SUMMER_TRAINING_LEVEL', `got ${after}`, `nhận được ${after}`));
  }
  if (retests === 0 || errors.length > 0 || assessedByIndividualPlan(r)) return errors;
  const averages = s.scoreSubjects.map((x) => x.retestScore ?? x.yearAverage);
  const comments = learningComments(s.commentSubjects, (x) => x.retestResult ?? x.yearResult, r.grade, ctx);
  const { level } = requiredLearningLevel(averages, comments);
  const stated = s.learningResult.afterSummer;
  if (stated !== level) {
    errors.push(
      fieldError(
        '/secondary/learningResult/afterSummer',
        'LEARNING_AFTER_RETEST_INCONSISTENT',
        `got ${stated ?? 'none'}; with the retests in place of the year values the subjects give ${level}`,
        `nhận được ${stated ?? 'không có'}; thay kết quả cả năm bằng kết quả kiểm tra lại, các môn cho kết quả ${level}`,
      ),
    );
  }
  return errors;
}
