import type { CanonicalRecord, CommentTerm, RecordForm, ScoreTerm, SubjectPart, TermResults } from '../../canonical/record.js';
import {
  COMMENT_BY_EMIS_CODE,
  COMPETENCY_BY_EMIS_CODE,
  DISABILITY_BY_EMIS_CODE,
  LEVEL_BY_EMIS_CODE,
  ORIENTATION_BY_EMIS_CODE,
  POLICY_BY_EMIS_CODE,
  TITLE_BY_EMIS_CODE,
  PRIMARY_SUBJECT_BY_EMIS_CODE,
  QUALITY_BY_EMIS_CODE,
  RATING_BY_EMIS_CODE,
  RESULT_BY_EMIS_CODE,
  SECONDARY_SUBJECT_BY_EMIS_CODE,
  SIGNER_BY_EMIS_CODE,
  YEAR_END_BY_EMIS_CODE,
  emisCodeOf,
} from './codes.js';
import type { EmisBatch, EmisProfile, EmisStudent, EmisTermResults } from './format.js';

// A canonical record written as EMIS exports it: the inverse of map.ts, so that map(write(r))
// is r again (test/emis-adapter.test.ts holds it to that). The samples are made this way from
// the seeded records every vendor's samples share.

const termResults = (r: TermResults): EmisTermResults => ({
  semester1: emisCodeOf(RESULT_BY_EMIS_CODE, r.termI),
  semester2: emisCodeOf(RESULT_BY_EMIS_CODE, r.termII),
  year: emisCodeOf(RESULT_BY_EMIS_CODE, r.year),
  ...(r.afterSummer ? { afterSummer: emisCodeOf(RESULT_BY_EMIS_CODE, r.afterSummer) } : {}),
});
const scoreSemester = (t: ScoreTerm) => ({ regular: [...t.regularScores], midterm: t.midTermScore, final: t.endOfTermScore, average: t.average });
const comment = (c: CommentTerm['result']) => emisCodeOf(COMMENT_BY_EMIS_CODE, c);
const emisPart = (x: SubjectPart) => ({
  achievement: emisCodeOf(LEVEL_BY_EMIS_CODE, x.level),
  ...(x.endOfTermI !== undefined || x.endOfYear !== undefined
    ? { scores: { ...(x.endOfTermI !== undefined ? { endTerm1: x.endOfTermI } : {}), ...(x.endOfYear !== undefined ? { endYear: x.endOfYear } : {}) } }
    : {}),
});
const commentSemester = (t: CommentTerm) => ({ regular: t.regularResults.map(comment), midterm: comment(t.midTermResult), final: comment(t.endOfTermResult), result: comment(t.result) });

export function emisStudentOf(r: CanonicalRecord): EmisStudent {
  const p = r.primary;
  const s = r.secondary;
  return {
    studentCode: r.student.learnerId,
    ...(r.student.personalId !== undefined ? { citizenId: r.student.personalId } : {}),
    fullName: r.student.fullName,
    dateOfBirth: r.student.birthDate,
    sex: r.student.sex === 'M' ? 1 : 2,
    ethnicity: r.student.ethnicity,
    nationality: r.student.nationality,
    ...(r.student.personalIdPending !== undefined ? { citizenIdPending: r.student.personalIdPending } : {}),
    ...(r.student.identityDocument ? { travelDocument: { type: r.student.identityDocument.kind, number: r.student.identityDocument.number, issuingCountry: r.student.identityDocument.issuingCountry } } : {}),
    ...(r.student.birthRegistrationCountry ? { birthRegistrationCountry: r.student.birthRegistrationCountry } : {}),
    ...(r.student.disability ? { disability: { type: emisCodeOf(DISABILITY_BY_EMIS_CODE, r.student.disability.type), individualPlan: r.student.disability.individualPlan } } : {}),
    gradeLevel: r.grade,
    className: r.className,
    homeroomTeacher: r.homeroomTeacher,
    recordNo: r.recordId,
    lookupCode: r.lookupCode,
    // EMIS's record date in its compact form, the birth date ISO: both are EMIS's.
    issuedDate: r.effectiveDate.replaceAll('-', ''),
    revision: r.version,
    ...(p
      ? {
          primaryAssessment: {
            subjects: p.subjects.map((x) => ({
              subjectCode: emisCodeOf(PRIMARY_SUBJECT_BY_EMIS_CODE, x.subject),
              achievement: emisCodeOf(LEVEL_BY_EMIS_CODE, x.level),
              ...(x.testScores
                ? {
                    scores: {
                      ...(x.testScores.midTermI !== undefined ? { midTerm1: x.testScores.midTermI } : {}),
                      ...(x.testScores.endOfTermI !== undefined ? { endTerm1: x.testScores.endOfTermI } : {}),
                      ...(x.testScores.midTermII !== undefined ? { midTerm2: x.testScores.midTermII } : {}),
                      ...(x.testScores.endOfYear !== undefined ? { endYear: x.testScores.endOfYear } : {}),
                    },
                  }
                : {}),
              ...(x.parts ? { parts: { informatics: emisPart(x.parts.informatics), technology: emisPart(x.parts.technology) } } : {}),
            })),
            qualities: p.qualities.map((q) => ({ code: emisCodeOf(QUALITY_BY_EMIS_CODE, q.code), rating: emisCodeOf(RATING_BY_EMIS_CODE, q.rating) })),
            competencies: p.competencies.map((q) => ({ code: emisCodeOf(COMPETENCY_BY_EMIS_CODE, q.code), rating: emisCodeOf(RATING_BY_EMIS_CODE, q.rating) })),
            finalResult: emisCodeOf(YEAR_END_BY_EMIS_CODE, p.yearEndResult),
            programmeCompleted: p.completedProgramme,
            promoted: p.promoted,
            ...(p.commendations.length > 0 ? { awards: [...p.commendations] } : {}),
            teacherComment: p.remarks,
            ...(p.exemptSubjects ? { exemptions: p.exemptSubjects.map((e) => ({ subjectCode: emisCodeOf(PRIMARY_SUBJECT_BY_EMIS_CODE, e.subject), reason: e.reason })) } : {}),
            ...(p.completedPrimary !== undefined ? { primaryCompleted: p.completedPrimary } : {}),
            ...(p.supplementaryAssessment ? { supplementaryAssessment: { date: p.supplementaryAssessment.date, completed: p.supplementaryAssessment.completedProgramme } } : {}),
          },
        }
      : {}),
    ...(s
      ? {
          secondaryAssessment: {
            scoredSubjects: s.scoreSubjects.map((x) => ({
              subjectCode: emisCodeOf(SECONDARY_SUBJECT_BY_EMIS_CODE, x.subject),
              ...(x.orientation ? { orientation: emisCodeOf(ORIENTATION_BY_EMIS_CODE, x.orientation) } : {}),
              periods: x.periodsPerYear,
              ...(x.topicClusters !== undefined ? { topicClusters: x.topicClusters } : {}),
              semester1: scoreSemester(x.termI),
              semester2: scoreSemester(x.termII),
              yearAverage: x.yearAverage,
              ...(x.retestScore !== undefined ? { retestScore: x.retestScore } : {}),
            })),
            commentedSubjects: s.commentSubjects.map((x) => ({
              subjectCode: emisCodeOf(SECONDARY_SUBJECT_BY_EMIS_CODE, x.subject),
              periods: x.periodsPerYear,
              ...(x.topicClusters !== undefined ? { topicClusters: x.topicClusters } : {}),
              semester1: commentSemester(x.termI),
              semester2: commentSemester(x.termII),
              yearResult: comment(x.yearResult),
              ...(x.retestResult !== undefined ? { retestResult: comment(x.retestResult) } : {}),
            })),
            academicPerformance: termResults(s.learningResult),
            conduct: termResults(s.conductResult),
            promoted: s.promoted,
            ...(s.commendations.length > 0 ? { awards: [...s.commendations] } : {}),
            teacherComment: s.remarks,
            ...(s.exemptSubjects ? { exemptions: s.exemptSubjects.map((e) => ({ subjectCode: emisCodeOf(SECONDARY_SUBJECT_BY_EMIS_CODE, e.subject), reason: e.reason })) } : {}),
            ...(s.lowerSecondaryCompletion ? { lowerSecondaryCompletion: { decisionNo: s.lowerSecondaryCompletion.decisionNumber, date: s.lowerSecondaryCompletion.date } } : {}),
            ...(s.graduationReviewEligible !== undefined ? { graduationReviewEligible: s.graduationReviewEligible } : {}),
          },
        }
      : {}),
    absences: { excused: r.attendance.excusedAbsences, unexcused: r.attendance.unexcusedAbsences },
    signatures: r.signatures.map((x) => ({ signer: emisCodeOf(SIGNER_BY_EMIS_CODE, x.role), signedAt: x.signedAt })),
    ...(r.form ? { profile: emisProfileOf(r.form, r.primary ? PRIMARY_SUBJECT_BY_EMIS_CODE : SECONDARY_SUBJECT_BY_EMIS_CODE) } : {}),
  };
}

/** The record form (profile v2) as EMIS's `profile`: the inverse of map.ts profile(). */
function emisProfileOf(f: RecordForm, subjects: Readonly<Record<string, string>>): EmisProfile {
  const some = <T, U>(x: T | undefined, g: (x: T) => U) => (x === undefined ? {} : g(x));
  return {
    ...some(f.ethnicityCode, (ethnicCode) => ({ ethnicCode })),
    ...some(f.birthPlace, (placeOfBirth) => ({ placeOfBirth })),
    ...some(f.homeTown, (hometown) => ({ hometown })),
    ...some(f.address, (address) => ({ address })),
    ...some(f.policyCategory, (c) => ({ policyGroup: emisCodeOf(POLICY_BY_EMIS_CODE, c) })),
    ...some(f.registrationNumber, (registerNo) => ({ registerNo })),
    ...some(f.enrolmentDate, (enrolledOn) => ({ enrolledOn })),
    ...some(f.family, (fam) => ({ guardians: fam.map((m) => ({ relation: m.relation, name: m.fullName, ...some(m.birthYear, (birthYear) => ({ birthYear })), ...some(m.occupation, (job) => ({ job })) })) })),
    ...some(f.schoolHistory, (h) => ({
      history: h.map((e) => ({
        year: e.schoolYear, grade: e.grade, ...some(e.schoolId, (schoolCode) => ({ schoolCode })), schoolName: e.schoolName, className: e.className,
        ...some(e.transfer, (x) => ({ transfer: { direction: x.kind, date: x.date, ...some(x.otherSchool, (otherSchool) => ({ otherSchool })) } })),
      })),
    })),
    ...some(f.subjectComments, (c) => ({ subjectComments: c.map((x) => ({ subjectCode: emisCodeOf(subjects, x.subject), comment: x.comment })) })),
    ...some(f.qualityComments, (c) => ({ qualityComments: c.map((x) => ({ code: emisCodeOf(QUALITY_BY_EMIS_CODE, x.code), comment: x.comment })) })),
    ...some(f.competencyComments, (c) => ({ competencyComments: c.map((x) => ({ code: emisCodeOf(COMPETENCY_BY_EMIS_CODE, x.code), comment: x.comment })) })),
    ...some(f.physical, (p) => ({ height: p.heightCm, weight: p.weightKg })),
    ...some(f.titles, (t) => ({ titles: t.map((x) => emisCodeOf(TITLE_BY_EMIS_CODE, x)) })),
  };
}

/** An EMIS batch of canonical records of one school and year (the first record's). */
export function emisBatchOf(records: readonly CanonicalRecord[], exportedAt?: string): EmisBatch {
  const first = records[0];
  if (!first) throw new RangeError('an EMIS batch needs at least one record');
  return {
    provinceCode: first.school.provinceCode,
    schoolCode: first.school.schoolId,
    schoolName: first.school.name,
    academicYear: first.schoolYear,
    principalName: first.principal,
    ...(exportedAt ? { exportedAt } : {}),
    students: records.map(emisStudentOf),
  };
}
