import type { CanonicalRecord, CommentTerm, ExemptSubject, RecordForm, ScoreTerm, TermResults } from '../../canonical/record.js';
import { xmlEscape } from '../xml-tree.js';
import {
  COMMENT_BY_SMAS,
  COMPETENCY_BY_SMAS,
  DISABILITY_BY_SMAS,
  DOCUMENT_BY_SMAS,
  ETHNICITY_BY_SMAS,
  EXEMPTION_BY_SMAS,
  LEVEL_BY_SMAS,
  ORIENTATION_BY_SMAS,
  POLICY_BY_SMAS,
  RELATION_BY_SMAS,
  TITLE_BY_SMAS,
  TRANSFER_BY_SMAS,
  PRIMARY_SUBJECT_BY_SMAS,
  QUALITY_BY_SMAS,
  RATING_BY_SMAS,
  RESULT_BY_SMAS,
  SECONDARY_SUBJECT_BY_SMAS,
  SEX_BY_SMAS,
  SIGNATURE_BY_SMAS,
  YEAR_END_BY_SMAS,
  codeOf,
} from './codes.js';
import { SMAS_NAMESPACE, SMAS_ROOT } from './format.js';

// Canonical records written as SMAS would send them (the inverse of map.ts), for samples,
// examples and tests: the element order is the XSD's (specs/vendors/smas/v1/smas-batch.xsd).

/** The batch's header, in SMAS's terms. */
export interface SmasHeader {
  provinceCode: string;
  schoolId: string;
  schoolName: string;
  /** "2024-2025" */
  schoolYear: string;
  principal: string;
}

class Writer {
  readonly parts: string[] = [];
  constructor(private depth: number) {}
  private pad(): string {
    return '  '.repeat(this.depth);
  }
  open(name: string, attrs = ''): void {
    this.parts.push(`${this.pad()}<${name}${attrs}>\n`);
    this.depth += 1;
  }
  close(name: string): void {
    this.depth -= 1;
    this.parts.push(`${this.pad()}</${name}>\n`);
  }
  leaf(name: string, value: string | number | boolean | undefined): void {
    if (value === undefined) return;
    this.parts.push(`${this.pad()}<${name}>${xmlEscape(String(value))}</${name}>\n`);
  }
  text(): string {
    return this.parts.join('');
  }
}

function code<T>(table: Readonly<Record<string, T>>, value: T, what: string): string {
  const c = codeOf(table, value);
  if (c === undefined) throw new RangeError(`no SMAS ${what} code for ${String(value)}`);
  return c;
}

/** dd-MM-yyyy */
const smasDate = (iso: string): string => `${iso.slice(8, 10)}-${iso.slice(5, 7)}-${iso.slice(0, 4)}`;
const bool = (b: boolean): string => (b ? 'true' : 'false');

function termResults(w: Writer, name: string, r: TermResults, after: string): void {
  w.open(name);
  w.leaf('Semester1', code(RESULT_BY_SMAS, r.termI, 'result'));
  w.leaf('Semester2', code(RESULT_BY_SMAS, r.termII, 'result'));
  w.leaf('Year', code(RESULT_BY_SMAS, r.year, 'result'));
  if (r.afterSummer) w.leaf(after, code(RESULT_BY_SMAS, r.afterSummer, 'result'));
  w.close(name);
}

function scoreTerm(w: Writer, name: string, t: ScoreTerm): void {
  w.open(name);
  for (const s of t.regularScores) w.leaf('RegularMark', s);
  w.leaf('MidTermMark', t.midTermScore);
  w.leaf('EndTermMark', t.endOfTermScore);
  w.leaf('AverageMark', t.average);
  w.close(name);
}

function commentTerm(w: Writer, name: string, t: CommentTerm): void {
  const c = (r: CommentTerm['result']) => code(COMMENT_BY_SMAS, r, 'comment');
  w.open(name);
  for (const r of t.regularResults) w.leaf('RegularMark', c(r));
  w.leaf('MidTermMark', c(t.midTermResult));
  w.leaf('EndTermMark', c(t.endOfTermResult));
  w.leaf('AverageMark', c(t.result));
  w.close(name);
}

function exemptions(w: Writer, list: readonly { subject: string; reason: ExemptSubject['reason'] }[] | undefined, subjects: Readonly<Record<string, string>>): void {
  if (!list) return;
  w.open('Exemptions');
  for (const e of list) {
    w.open('Exemption');
    w.leaf('SubjectCode', code(subjects, e.subject, 'subject'));
    w.leaf('Reason', code(EXEMPTION_BY_SMAS, e.reason, 'exemption reason'));
    w.close('Exemption');
  }
  w.close('Exemptions');
}

/** The record form (profile v2) as SMAS's <RecordForm>: the inverse of map.ts recordForm(). */
function recordForm(w: Writer, f: RecordForm, subjects: Readonly<Record<string, string>>): void {
  w.open('RecordForm');
  w.leaf('EthnicityCode', f.ethnicityCode);
  w.leaf('BirthPlace', f.birthPlace);
  w.leaf('HomeTown', f.homeTown);
  w.leaf('Address', f.address);
  if (f.policyCategory) w.leaf('PolicyCategory', code(POLICY_BY_SMAS, f.policyCategory, 'policy category'));
  w.leaf('RegistrationNumber', f.registrationNumber);
  if (f.enrolmentDate) w.leaf('EnrolmentDate', smasDate(f.enrolmentDate));
  if (f.family) {
    w.open('Family');
    for (const m of f.family) {
      w.open('Member');
      w.leaf('Relation', code(RELATION_BY_SMAS, m.relation, 'relation'));
      w.leaf('FullName', m.fullName);
      w.leaf('BirthYear', m.birthYear);
      w.leaf('Occupation', m.occupation);
      w.close('Member');
    }
    w.close('Family');
  }
  if (f.schoolHistory) {
    w.open('History');
    for (const e of f.schoolHistory) {
      w.open('Entry');
      w.leaf('AcademicYear', e.schoolYear.slice(0, 4));
      w.leaf('EducationLevel', e.grade);
      w.leaf('SchoolCode', e.schoolId);
      w.leaf('SchoolName', e.schoolName);
      w.leaf('ClassName', e.className);
      if (e.transfer) {
        w.open('Transfer');
        w.leaf('Direction', code(TRANSFER_BY_SMAS, e.transfer.kind, 'transfer'));
        w.leaf('Date', smasDate(e.transfer.date));
        w.leaf('OtherSchool', e.transfer.otherSchool);
        w.close('Transfer');
      }
      w.close('Entry');
    }
    w.close('History');
  }
  const comments = (list: string, items: readonly { code: string; comment: string }[] | undefined, table: Readonly<Record<string, string>>, codeEl: string) => {
    if (!items) return;
    w.open(list);
    for (const c of items) {
      w.open('Comment');
      w.leaf(codeEl, code(table, c.code, 'code'));
      w.leaf('Text', c.comment);
      w.close('Comment');
    }
    w.close(list);
  };
  comments('SubjectComments', f.subjectComments?.map((c) => ({ code: c.subject, comment: c.comment })), subjects, 'SubjectCode');
  comments('QualityComments', f.qualityComments, QUALITY_BY_SMAS, 'Code');
  comments('CompetencyComments', f.competencyComments, COMPETENCY_BY_SMAS, 'Code');
  w.leaf('Height', f.physical?.heightCm);
  w.leaf('Weight', f.physical?.weightKg);
  if (f.titles) {
    w.open('Titles');
    for (const t of f.titles) w.leaf('Title', code(TITLE_BY_SMAS, t, 'title'));
    w.close('Titles');
  }
  w.close('RecordForm');
}

/** One <PupilProfile>, indented `depth` levels. */
export function renderPupil(r: CanonicalRecord, depth = 2): string {
  const w = new Writer(depth);
  w.open('PupilProfile');
  w.leaf('PupilCode', r.student.learnerId);
  w.leaf('IdentityNumber', r.student.personalId);
  w.leaf('FullName', r.student.fullName);
  w.leaf('BirthDate', smasDate(r.student.birthDate));
  w.leaf('Genre', code(SEX_BY_SMAS, r.student.sex, 'sex'));
  w.leaf('EthnicCode', code(ETHNICITY_BY_SMAS, r.student.ethnicity, 'ethnicity'));
  w.leaf('NationalityCode', r.student.nationality);
  const st = r.student;
  if (st.personalIdPending !== undefined) w.leaf('IdentityPending', bool(st.personalIdPending));
  if (st.identityDocument) {
    w.open('Passport');
    w.leaf('Type', code(DOCUMENT_BY_SMAS, st.identityDocument.kind, 'document kind'));
    w.leaf('Number', st.identityDocument.number);
    w.leaf('IssuingCountry', st.identityDocument.issuingCountry);
    w.close('Passport');
  }
  w.leaf('BirthRegistrationCountry', st.birthRegistrationCountry);
  if (st.disability) {
    w.open('Disability');
    w.leaf('Type', code(DISABILITY_BY_SMAS, st.disability.type, 'disability type'));
    w.leaf('IndividualPlan', bool(st.disability.individualPlan));
    w.close('Disability');
  }
  w.leaf('EducationLevel', r.grade);
  w.leaf('ClassName', r.className);
  w.leaf('HeadTeacher', r.homeroomTeacher);
  w.leaf('RecordBookCode', r.recordId);
  w.leaf('LookupCode', r.lookupCode);
  w.leaf('EffectiveDate', smasDate(r.effectiveDate));
  w.leaf('Revision', r.version);
  if (r.primary) {
    const p = r.primary;
    w.open('PrimaryResult');
    w.open('Subjects');
    for (const s of p.subjects) {
      w.open('Subject');
      w.leaf('SubjectCode', code(PRIMARY_SUBJECT_BY_SMAS, s.subject, 'subject'));
      w.leaf('Level', code(LEVEL_BY_SMAS, s.level, 'level'));
      w.leaf('MidTermScore1', s.testScores?.midTermI);
      w.leaf('EndTermScore1', s.testScores?.endOfTermI);
      w.leaf('MidTermScore2', s.testScores?.midTermII);
      w.leaf('EndYearScore', s.testScores?.endOfYear);
      if (s.parts) {
        for (const [name, part] of [['InformaticsPart', s.parts.informatics], ['TechnologyPart', s.parts.technology]] as const) {
          w.open(name);
          w.leaf('Level', code(LEVEL_BY_SMAS, part.level, 'level'));
          w.leaf('EndTermScore1', part.endOfTermI);
          w.leaf('EndYearScore', part.endOfYear);
          w.close(name);
        }
      }
      w.close('Subject');
    }
    w.close('Subjects');
    for (const [name, list, table] of [
      ['Qualities', p.qualities, QUALITY_BY_SMAS],
      ['Competencies', p.competencies, COMPETENCY_BY_SMAS],
    ] as const) {
      w.open(name);
      for (const e of list) {
        w.open('Evaluation');
        w.leaf('Code', code(table as Readonly<Record<string, string>>, e.code, 'quality or competency'));
        w.leaf('Rating', code(RATING_BY_SMAS, e.rating, 'rating'));
        w.close('Evaluation');
      }
      w.close(name);
    }
    w.leaf('YearEndResult', code(YEAR_END_BY_SMAS, p.yearEndResult, 'year-end result'));
    w.leaf('CompletedProgramme', bool(p.completedProgramme));
    if (p.completedPrimary !== undefined) w.leaf('CompletedPrimary', bool(p.completedPrimary));
    if (p.supplementaryAssessment) {
      w.open('SupplementaryAssessment');
      w.leaf('Date', smasDate(p.supplementaryAssessment.date));
      w.leaf('Completed', bool(p.supplementaryAssessment.completedProgramme));
      w.close('SupplementaryAssessment');
    }
    exemptions(w, p.exemptSubjects, PRIMARY_SUBJECT_BY_SMAS);
    w.close('PrimaryResult');
  }
  if (r.secondary) {
    const s = r.secondary;
    w.open('SecondaryResult');
    w.open('Subjects');
    // SMAS lists a pupil's subjects in one list, in its subject table's order.
    const order = Object.values(SECONDARY_SUBJECT_BY_SMAS) as string[];
    const all = [...s.scoreSubjects.map((x) => ({ x, comment: false })), ...s.commentSubjects.map((x) => ({ x, comment: true }))].sort((a, b) => order.indexOf(a.x.subject) - order.indexOf(b.x.subject));
    for (const { x, comment } of all) {
      w.open('Subject');
      w.leaf('SubjectCode', code(SECONDARY_SUBJECT_BY_SMAS, x.subject, 'subject'));
      w.leaf('IsCommenting', comment ? 1 : 0);
      w.leaf('PeriodsPerYear', x.periodsPerYear);
      if (comment) {
        const c = x as (typeof s.commentSubjects)[number];
        commentTerm(w, 'Semester1', c.termI);
        commentTerm(w, 'Semester2', c.termII);
        w.leaf('YearMark', code(COMMENT_BY_SMAS, c.yearResult, 'comment'));
        w.leaf('TopicClusters', c.topicClusters);
        if (c.retestResult !== undefined) w.leaf('RetestMark', code(COMMENT_BY_SMAS, c.retestResult, 'comment'));
      } else {
        const c = x as (typeof s.scoreSubjects)[number];
        scoreTerm(w, 'Semester1', c.termI);
        scoreTerm(w, 'Semester2', c.termII);
        w.leaf('YearMark', c.yearAverage);
        w.leaf('TopicClusters', c.topicClusters);
        if (c.orientation) w.leaf('Orientation', code(ORIENTATION_BY_SMAS, c.orientation, 'orientation'));
        w.leaf('RetestMark', c.retestScore);
      }
      w.close('Subject');
    }
    w.close('Subjects');
    termResults(w, 'Capacity', s.learningResult, 'AfterRetest');
    termResults(w, 'Conduct', s.conductResult, 'AfterSummerTraining');
    exemptions(w, s.exemptSubjects, SECONDARY_SUBJECT_BY_SMAS);
    if (s.lowerSecondaryCompletion) {
      w.open('LowerSecondaryCompletion');
      w.leaf('DecisionNo', s.lowerSecondaryCompletion.decisionNumber);
      w.leaf('Date', smasDate(s.lowerSecondaryCompletion.date));
      w.close('LowerSecondaryCompletion');
    }
    if (s.graduationReviewEligible !== undefined) w.leaf('GraduationReviewEligible', bool(s.graduationReviewEligible));
    w.close('SecondaryResult');
  }
  const results = r.primary ?? r.secondary!;
  w.leaf('IsPromoted', bool(results.promoted));
  if (results.commendations.length > 0) {
    w.open('Rewards');
    for (const c of results.commendations) w.leaf('Reward', c);
    w.close('Rewards');
  }
  w.leaf('Comment', results.remarks);
  w.leaf('AbsentWithPermission', r.attendance.excusedAbsences);
  w.leaf('AbsentWithoutPermission', r.attendance.unexcusedAbsences);
  if (r.signatures.length > 0) {
    w.open('Signatures');
    for (const sg of r.signatures) {
      w.open('Signature');
      w.leaf('Role', code(SIGNATURE_BY_SMAS, sg.role, 'signature role'));
      w.leaf('SignedAt', sg.signedAt);
      w.close('Signature');
    }
    w.close('Signatures');
  }
  if (r.form) recordForm(w, r.form, r.primary ? PRIMARY_SUBJECT_BY_SMAS : SECONDARY_SUBJECT_BY_SMAS);
  w.close('PupilProfile');
  return w.text();
}

/** The header of a batch up to <Pupils>, indented `depth` levels; `xmlns` declares the namespace on the root. */
export function renderBatchHead(h: SmasHeader, depth = 0, xmlns = true): string {
  const w = new Writer(depth);
  w.open(SMAS_ROOT, xmlns ? ` xmlns="${SMAS_NAMESPACE}"` : '');
  w.leaf('ProvinceCode', h.provinceCode);
  w.leaf('SchoolCode', h.schoolId);
  w.leaf('SchoolName', h.schoolName);
  w.leaf('AcademicYear', h.schoolYear.slice(0, 4));
  w.leaf('HeadMaster', h.principal);
  w.open('Pupils');
  return w.text();
}

export function renderBatchTail(depth = 0): string {
  const pad = '  '.repeat(depth);
  return `${pad}  </Pupils>\n${pad}</${SMAS_ROOT}>\n`;
}

/** A whole <SchoolBatch> of these records (one school and year: the first record's). */
export function renderSmasBatch(records: readonly CanonicalRecord[], depth = 0, xmlns = true): string {
  const first = records[0];
  if (!first) throw new RangeError('a batch needs at least one record');
  const head: SmasHeader = { provinceCode: first.school.provinceCode, schoolId: first.school.schoolId, schoolName: first.school.name, schoolYear: first.schoolYear, principal: first.principal };
  return renderBatchHead(head, depth, xmlns) + records.map((r) => renderPupil(r, depth + 2)).join('') + renderBatchTail(depth);
}
