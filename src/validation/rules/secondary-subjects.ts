import type { CanonicalRecord, SecondaryResults } from '../../canonical/record.js';
import { regularAssessmentsRequired } from '../calc/circular22.js';
import type { ValidationContext } from '../context.js';
import { ELECTIVES_PER_STUDENT, secondarySubject, TOPIC_CLUSTERS_PER_YEAR } from '../curriculum.js';
import type { FieldError } from '../types.js';
import { fieldError } from './field-error.js';

// Secondary subjects, Circular 22/2021/TT-BGDĐT: the grade's subjects, each in the list of its
// kind of assessment (art. 5), four electives at grades 10-12, and the number of regular
// assessments per term (art. 7): by the periods a year for a subject assessed by score, two for
// one assessed by comment.

type List = 'scoreSubjects' | 'commentSubjects';

/** Indexes of the subjects that passed the membership checks, per list: the other rules look only at these. */
export interface CheckedSubjects {
  scoreSubjects: number[];
  commentSubjects: number[];
}

export function checkSecondarySubjects(r: CanonicalRecord, ctx: ValidationContext): { errors: FieldError[]; checked: CheckedSubjects } {
  const s: SecondaryResults = r.secondary!;
  const grade = r.grade;
  const errors: FieldError[] = [];
  const checked: CheckedSubjects = { scoreSubjects: [], commentSubjects: [] };
  const seen = new Set<string>();
  let electives = 0;
  let clustersTaken = 0;
  for (const list of ['scoreSubjects', 'commentSubjects'] as const) {
    const kind = list === 'scoreSubjects' ? 'score' : 'comment';
    s[list].forEach((item, i) => {
      const base = `/secondary/${list}/${i}`;
      if (seen.has(item.subject)) return void errors.push(fieldError(`${base}/subject`, 'SUBJECT_REPEATED', item.subject, item.subject));
      seen.add(item.subject);
      if (!secondarySubject.taught(item.subject, grade)) {
        return void errors.push(fieldError(`${base}/subject`, 'SUBJECT_NOT_IN_GRADE', `${item.subject} at grade ${grade}`, `${item.subject} ở khối ${grade}`));
      }
      if (secondarySubject.group(item.subject, grade) === 'elective') electives += 1;
      if (secondarySubject.kind(item.subject) !== kind) {
        const want = kind === 'score' ? 'comment' : 'score';
        return void errors.push(
          fieldError(`${base}/subject`, 'ASSESSMENT_KIND_MISMATCH', `${item.subject} belongs in ${want}Subjects`, `${item.subject} thuộc danh sách ${want}Subjects`),
        );
      }
      checked[list].push(i);
      const clusters = item.topicClusters ?? 0;
      if (item.topicClusters !== undefined) {
        clustersTaken += clusters;
        if (!secondarySubject.hasTopics(item.subject, grade)) {
          errors.push(fieldError(`${base}/topicClusters`, 'TOPIC_CLUSTERS_NOT_EXPECTED', `${item.subject} has no chuyên đề at grade ${grade}`, `${item.subject} không có chuyên đề học tập ở khối ${grade}`));
        }
      }
      if ('orientation' in item && item.orientation !== undefined && !secondarySubject.hasOrientation(item.subject, grade)) {
        errors.push(fieldError(`${base}/orientation`, 'ORIENTATION_NOT_EXPECTED', `${item.subject} at grade ${grade}`, `${item.subject} ở khối ${grade}`));
      }
      const required = regularAssessmentsRequired(item.periodsPerYear, kind, { clusters, periodsInclude: ctx.rules.topicPeriods === 'withTopics' });
      for (const term of ['termI', 'termII'] as const) {
        const t = item[term];
        const n = 'regularScores' in t ? t.regularScores.length : t.regularResults.length;
        const wrong = ctx.rules.regularAssessmentCount === 'exact' ? n !== required : n < required;
        if (wrong) {
          const field = list === 'scoreSubjects' ? 'regularScores' : 'regularResults';
          const expect = ctx.rules.regularAssessmentCount === 'exact' ? `${required}` : `at least ${required}`;
          const expectVi = ctx.rules.regularAssessmentCount === 'exact' ? `${required}` : `ít nhất ${required}`;
          errors.push(
            fieldError(
              `${base}/${term}/${field}`,
              'REGULAR_ASSESSMENT_COUNT',
              kind === 'score' ? `${item.subject}: ${n} for ${item.periodsPerYear} periods a year, expected ${expect}` : `${item.subject}: ${n}, expected ${expect} (assessed by comment)`,
              kind === 'score' ? `${item.subject}: ${n} lần với ${item.periodsPerYear} tiết/năm, cần ${expectVi}` : `${item.subject}: ${n} lần, cần ${expectVi} (đánh giá bằng nhận xét)`,
            ),
          );
        }
      }
    });
  }
  // An exempted subject is accounted for, an exempted elective among the four (rules/exemptions.ts checks the exemption).
  for (const e of s.exemptSubjects ?? []) {
    if (seen.has(e.subject) || !secondarySubject.taught(e.subject, grade)) continue;
    seen.add(e.subject);
    if (secondarySubject.group(e.subject, grade) === 'elective') electives += 1;
  }
  const missing = secondarySubject.compulsoryIn(grade).filter((subject) => !seen.has(subject));
  for (const list of ['scoreSubjects', 'commentSubjects'] as List[]) {
    const kind = list === 'scoreSubjects' ? 'score' : 'comment';
    const here = missing.filter((subject) => secondarySubject.kind(subject) === kind);
    if (here.length > 0) errors.push(fieldError(`/secondary/${list}`, 'SUBJECT_MISSING', `grade ${grade} needs ${here.join(', ')}`, `khối ${grade} cần ${here.join(', ')}`));
  }
  if (secondarySubject.electivesIn(grade).length > 0 && electives !== ELECTIVES_PER_STUDENT) {
    errors.push(fieldError('/secondary', 'ELECTIVE_COUNT', `got ${electives} electives, expected ${ELECTIVES_PER_STUDENT}`, `có ${electives} môn lựa chọn, cần ${ELECTIVES_PER_STUDENT}`));
  }
  if (clustersTaken > TOPIC_CLUSTERS_PER_YEAR) {
    errors.push(fieldError('/secondary', 'TOPIC_CLUSTER_COUNT', `got ${clustersTaken} chuyên đề clusters, at most ${TOPIC_CLUSTERS_PER_YEAR} a year`, `có ${clustersTaken} cụm chuyên đề, nhiều nhất ${TOPIC_CLUSTERS_PER_YEAR} mỗi năm`));
  }
  return { errors, checked };
}
