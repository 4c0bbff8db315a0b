import { LAST_PRIMARY_GRADE, SIGNATURE_ROLES, type CanonicalRecord } from '../../canonical/record.js';
import type { FieldError } from '../../validation/types.js';
import type { MapOutcome } from '../adapter.js';
import { childNamed, childrenNamed, leafText, type XNode } from '../xml-tree.js';
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
  lookup,
} from './codes.js';
import type { SmasContext } from './format.js';
import { withoutUnratedCompetencies } from '../ratings.js';

// One <PupilProfile> to the canonical record. As the vnEdu mapper does, this reports only what
// it cannot translate (a date it cannot read, a code not in an SMAS table) at the SMAS path
// (`/SecondaryResult/Subjects/Subject[2]/SubjectCode`: element names from the pupil, 1-based
// positions as XPath counts them); anything missing or of the wrong type is passed through so
// that schema validation reports it once, at the canonical path. Elements SMAS does not define
// are ignored. Element names are only ever compared, never used as keys (xml-tree.ts).

type Json = Record<string, unknown>;

const isXNode = (v: unknown): v is XNode => typeof v === 'object' && v !== null && typeof (v as XNode).name === 'string' && Array.isArray((v as XNode).children);
const isContext = (v: unknown): v is SmasContext => typeof v === 'object' && v !== null && typeof (v as SmasContext).schoolId === 'string';

/** A digit string becomes a number; anything else passes through for the schema to judge. */
function integer(v: string | undefined): unknown {
  return v !== undefined && /^[0-9]+$/.test(v) ? Number(v) : v;
}

function decimal(v: string | undefined): unknown {
  return v !== undefined && /^[0-9]+(\.[0-9]+)?$/.test(v) ? Number(v) : v;
}

/** xs:boolean: true/1, false/0. */
function boolean(v: string | undefined): unknown {
  return v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v;
}

const PRIMARY_TESTS = [
  ['MidTermScore1', 'midTermI'],
  ['EndTermScore1', 'endOfTermI'],
  ['MidTermScore2', 'midTermII'],
  ['EndYearScore', 'endOfYear'],
] as const;

class PupilMapper {
  readonly errors: FieldError[] = [];

  invalid(path: string, en: string, vi: string): undefined {
    this.errors.push({ path, code: 'VENDOR_FIELD_INVALID', detail_en: en, detail_vi: vi });
    return undefined;
  }

  /** The optional identity elements of a pupil (README: students the rules forget), each only when SMAS sends it. */
  identity(item: XNode): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const pending = leafText(childNamed(item, 'IdentityPending'));
    if (pending !== undefined) out.personalIdPending = boolean(pending);
    const passport = childNamed(item, 'Passport');
    if (passport) {
      const at = (n: string) => leafText(childNamed(passport, n));
      out.identityDocument = { kind: this.code(DOCUMENT_BY_SMAS, at('Type'), '/Passport/Type', 'passport type', 'loại giấy tờ'), number: at('Number'), issuingCountry: at('IssuingCountry') };
    }
    const country = leafText(childNamed(item, 'BirthRegistrationCountry'));
    if (country !== undefined) out.birthRegistrationCountry = country;
    const disability = childNamed(item, 'Disability');
    if (disability) {
      out.disability = {
        type: this.code(DISABILITY_BY_SMAS, leafText(childNamed(disability, 'Type')), '/Disability/Type', 'disability type', 'dạng khuyết tật'),
        individualPlan: boolean(leafText(childNamed(disability, 'IndividualPlan'))),
      };
    }
    return out;
  }

  /** SupplementaryAssessment (Date, Completed), present only after a year not completed. */
  supplementary(node: XNode | undefined): Record<string, unknown> {
    if (!node) return {};
    const path = '/PrimaryResult/SupplementaryAssessment';
    return { supplementaryAssessment: { date: this.date(leafText(childNamed(node, 'Date')), `${path}/Date`), completedProgramme: boolean(leafText(childNamed(node, 'Completed'))) } };
  }

  /**
   * RecordForm: the rest of the học bạ form (profile v2's `form`), each element only when SMAS
   * sends it, in the order of the v2 schema. `subjects` are SMAS's subject codes of the level.
   */
  recordForm(n: XNode | undefined, subjects: Readonly<Record<string, string>>): Json {
    if (!n) return {};
    const base = '/RecordForm';
    const at = (name: string) => leafText(childNamed(n, name));
    const out: Json = {};
    const put = (key: string, value: unknown) => {
      if (value !== undefined) out[key] = value;
    };
    put('ethnicityCode', at('EthnicityCode'));
    put('birthPlace', at('BirthPlace'));
    put('homeTown', at('HomeTown'));
    put('address', at('Address'));
    put('policyCategory', this.code(POLICY_BY_SMAS, at('PolicyCategory'), `${base}/PolicyCategory`, 'policy category', 'đối tượng chính sách'));
    put('registrationNumber', at('RegistrationNumber'));
    put('enrolmentDate', this.date(at('EnrolmentDate'), `${base}/EnrolmentDate`));
    const family = childNamed(n, 'Family');
    if (family) {
      out.family = childrenNamed(family, 'Member').map((m, i) => {
        const v = (name: string) => leafText(childNamed(m, name));
        const year = integer(v('BirthYear'));
        return {
          relation: this.code(RELATION_BY_SMAS, v('Relation'), `${base}/Family/Member[${i + 1}]/Relation`, 'relation', 'quan hệ'),
          fullName: v('FullName'),
          ...(year === undefined ? {} : { birthYear: year }),
          ...(v('Occupation') === undefined ? {} : { occupation: v('Occupation') }),
        };
      });
    }
    const history = childNamed(n, 'History');
    if (history) {
      out.schoolHistory = childrenNamed(history, 'Entry').map((e, i) => {
        const p = `${base}/History/Entry[${i + 1}]`;
        const v = (name: string) => leafText(childNamed(e, name));
        const start = v('AcademicYear');
        const t = childNamed(e, 'Transfer');
        const tv = (name: string) => leafText(childNamed(t, name));
        return {
          schoolYear: start !== undefined && /^[0-9]{4}$/.test(start) ? `${start}-${Number(start) + 1}` : start,
          grade: integer(v('EducationLevel')),
          ...(v('SchoolCode') === undefined ? {} : { schoolId: v('SchoolCode') }),
          schoolName: v('SchoolName'),
          className: v('ClassName'),
          ...(t
            ? { transfer: { kind: this.code(TRANSFER_BY_SMAS, tv('Direction'), `${p}/Transfer/Direction`, 'transfer direction', 'hướng chuyển'), date: this.date(tv('Date'), `${p}/Transfer/Date`), ...(tv('OtherSchool') === undefined ? {} : { otherSchool: tv('OtherSchool') }) } }
            : {}),
        };
      });
    }
    const comments = (list: string, table: Readonly<Record<string, string>>, codeEl: string, key: 'subject' | 'code') => {
      const l = childNamed(n, list);
      if (!l) return undefined;
      return childrenNamed(l, 'Comment').map((c, i) => ({ [key]: this.code(table, leafText(childNamed(c, codeEl)), `${base}/${list}/Comment[${i + 1}]/${codeEl}`, 'code', 'mã'), comment: leafText(childNamed(c, 'Text')) }));
    };
    put('subjectComments', comments('SubjectComments', subjects, 'SubjectCode', 'subject'));
    put('qualityComments', comments('QualityComments', QUALITY_BY_SMAS, 'Code', 'code'));
    put('competencyComments', comments('CompetencyComments', COMPETENCY_BY_SMAS, 'Code', 'code'));
    if (at('Height') !== undefined || at('Weight') !== undefined) out.physical = { heightCm: decimal(at('Height')), weightKg: decimal(at('Weight')) };
    const titles = childNamed(n, 'Titles');
    if (titles) out.titles = childrenNamed(titles, 'Title').map((x, i) => this.code(TITLE_BY_SMAS, leafText(x), `${base}/Titles/Title[${i + 1}]`, 'title', 'danh hiệu'));
    return { form: out };
  }

  /** LowerSecondaryCompletion (grade 9): DecisionNo and Date. */
  lowerSecondaryCompletion(n: XNode | undefined): Json {
    if (!n) return {};
    return { lowerSecondaryCompletion: { decisionNumber: leafText(childNamed(n, 'DecisionNo')), date: this.date(leafText(childNamed(n, 'Date')), '/SecondaryResult/LowerSecondaryCompletion/Date') } };
  }

  /** dd-MM-yyyy to yyyy-mm-dd. */
  date(v: string | undefined, path: string): unknown {
    if (v === undefined) return undefined;
    const m = /^([0-9]{2})-([0-9]{2})-([0-9]{4})$/.exec(v);
    if (m) {
      const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const t = new Date(Date.UTC(y, mo - 1, d));
      if (t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d) return `${m[3]}-${m[2]}-${m[1]}`;
    }
    return this.invalid(path, `expected a date dd-MM-yyyy, got "${v}"`, `cần ngày dạng dd-MM-yyyy, nhận được "${v}"`);
  }

  code<T>(table: Readonly<Record<string, T>>, v: string | undefined, path: string, en: string, vi: string): unknown {
    if (v === undefined) return undefined;
    const found = lookup(table, v);
    if (found !== undefined) return found;
    const known = Object.keys(table).join(', ');
    return this.invalid(path, `unknown ${en} "${v}" (known: ${known})`, `${vi} "${v}" không có trong danh mục (${known})`);
  }

  primarySubjects(list: XNode | undefined, base: string): unknown {
    if (!list) return undefined;
    return childrenNamed(list, 'Subject').map((s, i) => {
      const p = `${base}/Subject[${i + 1}]`;
      const subject = this.code(PRIMARY_SUBJECT_BY_SMAS, leafText(childNamed(s, 'SubjectCode')), `${p}/SubjectCode`, 'subject code', 'mã môn học');
      const level = this.code(LEVEL_BY_SMAS, leafText(childNamed(s, 'Level')), `${p}/Level`, 'level', 'mức đạt được');
      const testScores: Json = {};
      for (const [el, key] of PRIMARY_TESTS) {
        const score = decimal(leafText(childNamed(s, el)));
        if (score !== undefined) testScores[key] = score;
      }
      const out: Json = Object.keys(testScores).length === 0 ? { subject, level } : { subject, level, testScores };
      // Tin học và Công nghệ's two parts.
      const inf = childNamed(s, 'InformaticsPart');
      const tech = childNamed(s, 'TechnologyPart');
      if (inf || tech) out.parts = { informatics: this.subjectPart(inf, `${p}/InformaticsPart`), technology: this.subjectPart(tech, `${p}/TechnologyPart`) };
      return out;
    });
  }

  subjectPart(n: XNode | undefined, path: string): unknown {
    if (!n) return undefined;
    const part: Json = { level: this.code(LEVEL_BY_SMAS, leafText(childNamed(n, 'Level')), `${path}/Level`, 'level', 'mức đạt được') };
    const end1 = decimal(leafText(childNamed(n, 'EndTermScore1')));
    const endYear = decimal(leafText(childNamed(n, 'EndYearScore')));
    if (end1 !== undefined) part.endOfTermI = end1;
    if (endYear !== undefined) part.endOfYear = endYear;
    return part;
  }

  /** Exemptions: one <Exemption> (SubjectCode, Reason) per subject the pupil is exempted from. */
  exemptions(n: XNode | undefined, subjects: Readonly<Record<string, string>>, base: string): Json {
    if (!n) return {};
    return {
      exemptSubjects: childrenNamed(n, 'Exemption').map((e, i) => ({
        subject: this.code(subjects, leafText(childNamed(e, 'SubjectCode')), `${base}/Exemption[${i + 1}]/SubjectCode`, 'subject code', 'mã môn học'),
        reason: this.code(EXEMPTION_BY_SMAS, leafText(childNamed(e, 'Reason')), `${base}/Exemption[${i + 1}]/Reason`, 'exemption reason', 'lý do miễn'),
      })),
    };
  }

  /**
   * Qualities or Competencies: one <Evaluation> (Code, Rating) per entry. Every canonical entry
   * is listed, in canonical order, even when SMAS sent no rating for it, so the schema reports the gap.
   */
  ratings(list: XNode | undefined, table: Readonly<Record<string, string>>, base: string): unknown {
    if (!list) return undefined;
    const given = new Map<string, { node: XNode; i: number }>();
    childrenNamed(list, 'Evaluation').forEach((e, i) => {
      const code = leafText(childNamed(e, 'Code'));
      const p = `${base}/Evaluation[${i + 1}]/Code`;
      if (code === undefined) return void this.invalid(p, 'Code is required', 'thiếu Code');
      if (lookup(table, code) === undefined) return void this.code(table, code, p, 'code', 'mã');
      if (!given.has(code)) given.set(code, { node: e, i });
    });
    return Object.entries(table).map(([smas, code]) => {
      const g = given.get(smas);
      const rating = g ? this.code(RATING_BY_SMAS, leafText(childNamed(g.node, 'Rating')), `${base}/Evaluation[${g.i + 1}]/Rating`, 'rating', 'mức đánh giá') : undefined;
      return { code, rating };
    });
  }

  scoreTerm(t: XNode | undefined): unknown {
    if (!t) return undefined;
    return {
      regularScores: childrenNamed(t, 'RegularMark').map((m) => decimal(leafText(m))),
      midTermScore: decimal(leafText(childNamed(t, 'MidTermMark'))),
      endOfTermScore: decimal(leafText(childNamed(t, 'EndTermMark'))),
      average: decimal(leafText(childNamed(t, 'AverageMark'))),
    };
  }

  commentTerm(t: XNode | undefined, p: string): unknown {
    if (!t) return undefined;
    const c = (n: XNode | undefined, path: string) => this.code(COMMENT_BY_SMAS, leafText(n), path, 'comment result', 'kết quả đánh giá');
    return {
      regularResults: childrenNamed(t, 'RegularMark').map((m, k) => c(m, `${p}/RegularMark[${k + 1}]`)),
      midTermResult: c(childNamed(t, 'MidTermMark'), `${p}/MidTermMark`),
      endOfTermResult: c(childNamed(t, 'EndTermMark'), `${p}/EndTermMark`),
      result: c(childNamed(t, 'AverageMark'), `${p}/AverageMark`),
    };
  }

  /** Subjects of grades 6-12, split by IsCommenting; each list keeps SMAS's order. */
  secondarySubjects(list: XNode | undefined, base: string): { scoreSubjects: unknown; commentSubjects: unknown } {
    if (!list) return { scoreSubjects: undefined, commentSubjects: undefined };
    const scoreSubjects: unknown[] = [];
    const commentSubjects: unknown[] = [];
    childrenNamed(list, 'Subject').forEach((s, i) => {
      const p = `${base}/Subject[${i + 1}]`;
      const subject = this.code(SECONDARY_SUBJECT_BY_SMAS, leafText(childNamed(s, 'SubjectCode')), `${p}/SubjectCode`, 'subject code', 'mã môn học');
      const periodsPerYear = integer(leafText(childNamed(s, 'PeriodsPerYear')));
      const commenting = boolean(leafText(childNamed(s, 'IsCommenting')));
      if (typeof commenting !== 'boolean') {
        return void this.invalid(`${p}/IsCommenting`, `IsCommenting must be 0 (assessed by marks) or 1 (by comment), got "${commenting ?? ''}"`, `IsCommenting phải là 0 (đánh giá bằng điểm) hoặc 1 (bằng nhận xét)`);
      }
      const year = leafText(childNamed(s, 'YearMark'));
      const clusters = integer(leafText(childNamed(s, 'TopicClusters')));
      const topicClusters = clusters === undefined ? {} : { topicClusters: clusters };
      const orientationCode = leafText(childNamed(s, 'Orientation'));
      const retest = leafText(childNamed(s, 'RetestMark'));
      if (commenting) {
        commentSubjects.push({
          subject,
          periodsPerYear,
          ...topicClusters,
          termI: this.commentTerm(childNamed(s, 'Semester1'), `${p}/Semester1`),
          termII: this.commentTerm(childNamed(s, 'Semester2'), `${p}/Semester2`),
          yearResult: this.code(COMMENT_BY_SMAS, year, `${p}/YearMark`, 'comment result', 'kết quả đánh giá'),
          ...(retest === undefined ? {} : { retestResult: this.code(COMMENT_BY_SMAS, retest, `${p}/RetestMark`, 'comment result', 'kết quả đánh giá') }),
        });
      } else {
        scoreSubjects.push({
          subject,
          ...(orientationCode === undefined ? {} : { orientation: this.code(ORIENTATION_BY_SMAS, orientationCode, `${p}/Orientation`, 'orientation', 'định hướng') }),
          periodsPerYear,
          ...topicClusters,
          termI: this.scoreTerm(childNamed(s, 'Semester1')),
          termII: this.scoreTerm(childNamed(s, 'Semester2')),
          yearAverage: decimal(year),
          ...(retest === undefined ? {} : { retestScore: decimal(retest) }),
        });
      }
    });
    return { scoreSubjects, commentSubjects };
  }

  termResults(n: XNode | undefined, base: string, after: string): unknown {
    if (!n) return undefined;
    const level = (el: string) => this.code(RESULT_BY_SMAS, leafText(childNamed(n, el)), `${base}/${el}`, 'result level', 'mức đánh giá');
    const out: Json = { termI: level('Semester1'), termII: level('Semester2'), year: level('Year') };
    if (childNamed(n, after) && leafText(childNamed(n, after)) !== undefined) out.afterSummer = level(after);
    return out;
  }

  /** Signatures in canonical role order, whatever order SMAS sent them in (the content hash must not depend on it). */
  signatures(list: XNode | undefined): unknown {
    if (!list) return [];
    const out: { role: unknown; signedAt: unknown }[] = [];
    childrenNamed(list, 'Signature').forEach((s, i) => {
      const role = this.code(SIGNATURE_BY_SMAS, leafText(childNamed(s, 'Role')), `/Signatures/Signature[${i + 1}]/Role`, 'signature role', 'chức danh ký');
      out.push({ role, signedAt: leafText(childNamed(s, 'SignedAt')) });
    });
    const rank = (r: unknown) => (SIGNATURE_ROLES as readonly unknown[]).indexOf(r);
    return out.sort((a, b) => rank(a.role) - rank(b.role));
  }
}

/** Maps one <PupilProfile> (an XNode from format.ts) with its batch's context. */
export function mapSmasPupil(item: unknown, context: unknown): MapOutcome {
  if (!isXNode(item) || item.name !== 'PupilProfile') {
    const got = isXNode(item) ? `<${item.name}>` : typeof item;
    return { ok: false, errors: [{ path: '', code: 'VENDOR_FIELD_INVALID', detail_en: `each child of <Pupils> must be a <PupilProfile>, got ${got}`, detail_vi: `mỗi phần tử con của <Pupils> phải là <PupilProfile>, nhận được ${got}` }] };
  }
  const ctx: Partial<SmasContext> = isContext(context) ? context : {};
  const v = (name: string) => leafText(childNamed(item, name));
  const m = new PupilMapper();
  const grade = integer(v('EducationLevel'));
  const secondary = typeof grade === 'number' && grade > LAST_PRIMARY_GRADE && grade <= 12;
  const primaryResult = childNamed(item, 'PrimaryResult');
  const secondaryResult = childNamed(item, 'SecondaryResult');
  const promoted = boolean(v('IsPromoted'));
  const rewards = childNamed(item, 'Rewards');
  const commendations = rewards ? childrenNamed(rewards, 'Reward').map((r) => leafText(r)) : [];
  // Remarks may be empty (a teacher wrote none): an empty <Comment/> is "", an absent one is missing.
  const comment = childNamed(item, 'Comment');
  const remarks = comment ? (leafText(comment) ?? '') : undefined;
  const ethnic = v('EthnicCode');
  // Literal objects in the order of canonical/record.ts: that order is the XML element order.
  const record = {
    recordId: v('RecordBookCode'),
    lookupCode: v('LookupCode'),
    effectiveDate: m.date(v('EffectiveDate'), '/EffectiveDate'),
    version: integer(v('Revision')),
    student: {
      learnerId: v('PupilCode'),
      ...(v('IdentityNumber') === undefined ? {} : { personalId: v('IdentityNumber') }),
      fullName: v('FullName'),
      birthDate: m.date(v('BirthDate'), '/BirthDate'),
      sex: m.code(SEX_BY_SMAS, v('Genre'), '/Genre', 'Genre (1 male, 0 female)', 'giới tính (1 nam, 0 nữ)'),
      ethnicity: m.code(ETHNICITY_BY_SMAS, ethnic !== undefined && /^[0-9]$/.test(ethnic) ? `0${ethnic}` : ethnic, '/EthnicCode', 'ethnic code', 'mã dân tộc'),
      nationality: v('NationalityCode'),
      ...m.identity(item),
    },
    school: { schoolId: ctx.schoolId, provinceCode: ctx.provinceCode, name: ctx.schoolName },
    schoolYear: ctx.schoolYear,
    grade,
    className: v('ClassName'),
    homeroomTeacher: v('HeadTeacher'),
    principal: ctx.principal,
    ...(secondary
      ? {
          secondary: {
            ...m.secondarySubjects(childNamed(secondaryResult, 'Subjects'), '/SecondaryResult/Subjects'),
            learningResult: m.termResults(childNamed(secondaryResult, 'Capacity'), '/SecondaryResult/Capacity', 'AfterRetest'),
            conductResult: m.termResults(childNamed(secondaryResult, 'Conduct'), '/SecondaryResult/Conduct', 'AfterSummerTraining'),
            promoted,
            commendations,
            remarks,
            ...m.exemptions(childNamed(secondaryResult, 'Exemptions'), SECONDARY_SUBJECT_BY_SMAS, '/SecondaryResult/Exemptions'),
            ...m.lowerSecondaryCompletion(childNamed(secondaryResult, 'LowerSecondaryCompletion')),
            ...(leafText(childNamed(secondaryResult, 'GraduationReviewEligible')) === undefined ? {} : { graduationReviewEligible: boolean(leafText(childNamed(secondaryResult, 'GraduationReviewEligible'))) }),
          },
        }
      : {
          primary: {
            subjects: m.primarySubjects(childNamed(primaryResult, 'Subjects'), '/PrimaryResult/Subjects'),
            qualities: m.ratings(childNamed(primaryResult, 'Qualities'), QUALITY_BY_SMAS, '/PrimaryResult/Qualities'),
            competencies: m.ratings(childNamed(primaryResult, 'Competencies'), COMPETENCY_BY_SMAS, '/PrimaryResult/Competencies'),
            yearEndResult: m.code(YEAR_END_BY_SMAS, leafText(childNamed(primaryResult, 'YearEndResult')), '/PrimaryResult/YearEndResult', 'year-end result', 'kết quả cuối năm'),
            completedProgramme: boolean(leafText(childNamed(primaryResult, 'CompletedProgramme'))),
            promoted,
            commendations,
            remarks,
            ...m.exemptions(childNamed(primaryResult, 'Exemptions'), PRIMARY_SUBJECT_BY_SMAS, '/PrimaryResult/Exemptions'),
            ...(leafText(childNamed(primaryResult, 'CompletedPrimary')) === undefined ? {} : { completedPrimary: boolean(leafText(childNamed(primaryResult, 'CompletedPrimary'))) }),
            ...m.supplementary(childNamed(primaryResult, 'SupplementaryAssessment')),
          },
        }),
    attendance: {
      excusedAbsences: integer(v('AbsentWithPermission')),
      unexcusedAbsences: integer(v('AbsentWithoutPermission')),
    },
    signatures: m.signatures(childNamed(item, 'Signatures')),
    ...m.recordForm(childNamed(item, 'RecordForm'), secondary ? SECONDARY_SUBJECT_BY_SMAS : PRIMARY_SUBJECT_BY_SMAS),
  };
  if (m.errors.length > 0) return { ok: false, errors: m.errors };
  // Not yet validated: the pipeline runs validateRecord on it next.
  return { ok: true, record: withoutUnratedCompetencies(record as unknown as CanonicalRecord) };
}
