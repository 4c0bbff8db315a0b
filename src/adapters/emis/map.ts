import type { CanonicalRecord, NamedRating } from '../../canonical/record.js';
import type { FieldError } from '../../validation/types.js';
import type { MapOutcome } from '../adapter.js';
import {
  COMMENT_BY_EMIS_CODE,
  DISABILITY_BY_EMIS_CODE,
  DOCUMENT_BY_EMIS_CODE,
  EXEMPTION_BY_EMIS_CODE,
  COMPETENCY_BY_EMIS_CODE,
  LEVEL_BY_EMIS_CODE,
  ORIENTATION_BY_EMIS_CODE,
  POLICY_BY_EMIS_CODE,
  RELATION_BY_EMIS_CODE,
  TITLE_BY_EMIS_CODE,
  PRIMARY_SUBJECT_BY_EMIS_CODE,
  QUALITY_BY_EMIS_CODE,
  RATING_BY_EMIS_CODE,
  RESULT_BY_EMIS_CODE,
  SECONDARY_SUBJECT_BY_EMIS_CODE,
  SEX_BY_EMIS_CODE,
  SIGNER_BY_EMIS_CODE,
  YEAR_END_BY_EMIS_CODE,
  lookup,
} from './codes.js';
import type { EmisContext } from './format.js';
import { checkEnvelope, decimal, integer, isAbsent, isObject, text, type Json } from '../json-values.js';
import { withoutUnratedCompetencies } from '../ratings.js';

// As in the vnEdu mapper, `map` reports only what it cannot translate (a date it cannot read, a
// code not in an EMIS table) at the vendor's path; anything missing or of the wrong type passes
// through unchanged so that schema validation reports it once, at the canonical path. Unlike
// vnEdu, EMIS names the results block itself (primaryAssessment / secondaryAssessment) and keeps
// score and comment subjects in two lists, so each maps to its canonical block and list with the
// same index, and the canonical rule judges a block that does not fit the grade.

/** EMIS leaves `awards` out when there is none. */
function awards(v: unknown): unknown {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v.map(text) : v;
}

const PRIMARY_SCORES = [
  ['midTerm1', 'midTermI'],
  ['endTerm1', 'endOfTermI'],
  ['midTerm2', 'midTermII'],
  ['endYear', 'endOfYear'],
] as const;

class ItemMapper {
  readonly errors: FieldError[] = [];

  invalid(path: string, en: string, vi: string): undefined {
    this.errors.push({ path, code: 'VENDOR_FIELD_INVALID', detail_en: en, detail_vi: vi });
    return undefined;
  }

  /** ISO yyyy-mm-dd or compact yyyyMMdd to ISO; an impossible day (2015-02-30) is refused. */
  date(v: unknown, path: string): unknown {
    if (isAbsent(v)) return undefined;
    if (typeof v !== 'string') return v;
    const m = /^([0-9]{4})-?([0-9]{2})-?([0-9]{2})$/.exec(v.trim());
    // Both separators or none: 2015-0302 is neither form.
    if (m && (v.trim().length === 10 ? v.trim()[4] === '-' && v.trim()[7] === '-' : v.trim().length === 8)) {
      const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const t = new Date(Date.UTC(y, mo - 1, d));
      if (t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d) return `${m[1]}-${m[2]}-${m[3]}`;
    }
    return this.invalid(path, `expected a date yyyy-mm-dd or yyyyMMdd, got "${v}"`, `cần ngày dạng yyyy-mm-dd hoặc yyyyMMdd, nhận được "${v}"`);
  }

  /** An EMIS code, as its English name or its number (a number or a digit string). */
  code<T>(table: Readonly<Record<string, T>>, v: unknown, path: string, en: string, vi: string): unknown {
    if (isAbsent(v)) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') return v;
    const key = String(v).normalize('NFC').trim();
    const found = lookup(table, key);
    if (found !== undefined) return found;
    // Names first, then numbers (an object lists integer keys first).
    const keys = Object.keys(table);
    const allowed = [...keys.filter((k) => !/^[0-9]+$/.test(k)), ...keys.filter((k) => /^[0-9]+$/.test(k))].join(', ');
    return this.invalid(path, `unknown ${en} ${JSON.stringify(v)} (known: ${allowed})`, `${vi} ${JSON.stringify(v)} không có trong danh mục (${allowed})`);
  }

  /** The optional identity fields, present only when EMIS sends them (README: students the rules forget). */
  identity(item: Json): Json {
    const out: Json = {};
    if (!isAbsent(item.citizenIdPending)) out.personalIdPending = item.citizenIdPending;
    const doc = item.travelDocument;
    if (!isAbsent(doc)) {
      out.identityDocument = isObject(doc)
        ? { kind: this.code(DOCUMENT_BY_EMIS_CODE, doc.type, '/travelDocument/type', 'document type', 'loại giấy tờ'), number: text(doc.number), issuingCountry: text(doc.issuingCountry) }
        : doc;
    }
    if (!isAbsent(item.birthRegistrationCountry)) out.birthRegistrationCountry = text(item.birthRegistrationCountry);
    const d = item.disability;
    if (!isAbsent(d)) {
      out.disability = isObject(d) ? { type: this.code(DISABILITY_BY_EMIS_CODE, d.type, '/disability/type', 'disability type', 'dạng khuyết tật'), individualPlan: d.individualPlan } : d;
    }
    return out;
  }

  /** exemptions of an assessment block: subjects the student is exempted from. */
  exemptions(v: unknown, table: Readonly<Record<string, string>>, base: string): Json {
    if (isAbsent(v)) return {};
    return {
      exemptSubjects: this.list(
        v,
        (r, p) => ({ subject: this.code(table, r.subjectCode, `${p}/subjectCode`, 'subject code', 'mã môn học'), reason: this.code(EXEMPTION_BY_EMIS_CODE, r.reason, `${p}/reason`, 'exemption reason', 'lý do miễn') }),
        `${base}/exemptions`,
      ),
    };
  }

  primary(v: unknown): unknown {
    if (!isObject(v)) return text(v);
    const base = '/primaryAssessment';
    return {
      subjects: this.list(v.subjects, (r, p) => this.primarySubject(r, p), `${base}/subjects`),
      qualities: this.ratings(v.qualities, QUALITY_BY_EMIS_CODE, `${base}/qualities`),
      competencies: this.ratings(v.competencies, COMPETENCY_BY_EMIS_CODE, `${base}/competencies`),
      yearEndResult: this.code(YEAR_END_BY_EMIS_CODE, v.finalResult, `${base}/finalResult`, 'final result', 'kết quả cuối năm'),
      completedProgramme: v.programmeCompleted ?? undefined,
      promoted: v.promoted ?? undefined,
      commendations: awards(v.awards),
      remarks: text(v.teacherComment),
      ...this.exemptions(v.exemptions, PRIMARY_SUBJECT_BY_EMIS_CODE, base),
      ...(isAbsent(v.primaryCompleted) ? {} : { completedPrimary: v.primaryCompleted }),
      ...(isAbsent(v.supplementaryAssessment)
        ? {}
        : { supplementaryAssessment: isObject(v.supplementaryAssessment) ? { date: text(v.supplementaryAssessment.date), completedProgramme: v.supplementaryAssessment.completed } : v.supplementaryAssessment }),
    };
  }

  /** Each element of a vendor list through `one`; a non-object element is this mapper's error. */
  list(v: unknown, one: (r: Json, path: string) => unknown, path: string): unknown {
    if (!Array.isArray(v)) return text(v);
    return v.map((r: unknown, i) => (isObject(r) ? one(r, `${path}/${i}`) : this.invalid(`${path}/${i}`, 'each entry must be an object', 'mỗi phần tử phải là một đối tượng')));
  }

  primarySubject(r: Json, path: string): unknown {
    const subject = this.code(PRIMARY_SUBJECT_BY_EMIS_CODE, r.subjectCode, `${path}/subjectCode`, 'subject code', 'mã môn học');
    const level = this.code(LEVEL_BY_EMIS_CODE, r.achievement, `${path}/achievement`, 'achievement', 'mức đạt được');
    const out: Json = { subject, level };
    if (isObject(r.scores)) {
      const testScores: Json = {};
      for (const [vendor, canonical] of PRIMARY_SCORES) {
        const score = decimal(r.scores[vendor]);
        if (score !== undefined) testScores[canonical] = score;
      }
      if (Object.keys(testScores).length > 0) out.testScores = testScores;
    } else if (!isAbsent(r.scores)) out.testScores = text(r.scores);
    // Tin học và Công nghệ's two parts: parts.informatics and parts.technology, each { achievement, scores }.
    if (!isAbsent(r.parts)) {
      const part = (x: unknown, p: string): unknown => {
        if (!isObject(x)) return text(x);
        const one: Json = { level: this.code(LEVEL_BY_EMIS_CODE, x.achievement, `${p}/achievement`, 'achievement', 'mức đạt được') };
        if (isObject(x.scores) && !isAbsent(x.scores.endTerm1)) one.endOfTermI = decimal(x.scores.endTerm1);
        if (isObject(x.scores) && !isAbsent(x.scores.endYear)) one.endOfYear = decimal(x.scores.endYear);
        return one;
      };
      out.parts = isObject(r.parts) ? { informatics: part(r.parts.informatics, `${path}/parts/informatics`), technology: part(r.parts.technology, `${path}/parts/technology`) } : r.parts;
    }
    return out;
  }

  /**
   * EMIS lists ratings as [{code, rating}]. Every canonical quality or competency becomes one
   * entry, in canonical order, even when EMIS left it out, so the schema reports the gap.
   */
  ratings(v: unknown, table: Readonly<Record<string, string>>, path: string): unknown {
    if (!Array.isArray(v)) return text(v);
    const byCode = new Map<string, { rating: unknown; at: string }>();
    v.forEach((r: unknown, i) => {
      if (!isObject(r)) return void this.invalid(`${path}/${i}`, 'each rating must be an object', 'mỗi mức đánh giá phải là một đối tượng');
      const code = typeof r.code === 'string' ? lookup(table, r.code.trim()) : undefined;
      if (code === undefined) return void this.invalid(`${path}/${i}/code`, `unknown code ${JSON.stringify(r.code)} (known: ${Object.keys(table).join(', ')})`, `mã ${JSON.stringify(r.code)} không có trong danh mục`);
      if (byCode.has(code)) return void this.invalid(`${path}/${i}/code`, `${String(r.code)} is rated twice`, `${String(r.code)} được đánh giá hai lần`);
      byCode.set(code, { rating: r.rating, at: `${path}/${i}/rating` });
    });
    return Object.values(table).map((code): NamedRating => {
      const entry = byCode.get(code);
      const rating = entry ? this.code(RATING_BY_EMIS_CODE, entry.rating, entry.at, 'rating', 'mức đánh giá') : undefined;
      return { code, rating } as NamedRating;
    });
  }

  secondary(v: unknown): unknown {
    if (!isObject(v)) return text(v);
    const base = '/secondaryAssessment';
    return {
      scoreSubjects: this.list(v.scoredSubjects, (r, p) => this.scoredSubject(r, p), `${base}/scoredSubjects`),
      commentSubjects: this.list(v.commentedSubjects, (r, p) => this.commentedSubject(r, p), `${base}/commentedSubjects`),
      learningResult: this.termResults(v.academicPerformance, `${base}/academicPerformance`),
      conductResult: this.termResults(v.conduct, `${base}/conduct`),
      promoted: v.promoted ?? undefined,
      commendations: awards(v.awards),
      remarks: text(v.teacherComment),
      ...this.exemptions(v.exemptions, SECONDARY_SUBJECT_BY_EMIS_CODE, base),
      ...(isAbsent(v.lowerSecondaryCompletion)
        ? {}
        : { lowerSecondaryCompletion: isObject(v.lowerSecondaryCompletion) ? { decisionNumber: text(v.lowerSecondaryCompletion.decisionNo), date: this.date(v.lowerSecondaryCompletion.date, `${base}/lowerSecondaryCompletion/date`) } : v.lowerSecondaryCompletion }),
      ...(isAbsent(v.graduationReviewEligible) ? {} : { graduationReviewEligible: v.graduationReviewEligible }),
    };
  }

  scoredSubject(r: Json, path: string): unknown {
    const semester = (t: unknown) =>
      isObject(t)
        ? { regularScores: Array.isArray(t.regular) ? t.regular.map(decimal) : text(t.regular), midTermScore: decimal(t.midterm), endOfTermScore: decimal(t.final), average: decimal(t.average) }
        : text(t);
    return {
      subject: this.code(SECONDARY_SUBJECT_BY_EMIS_CODE, r.subjectCode, `${path}/subjectCode`, 'subject code', 'mã môn học'),
      ...(isAbsent(r.orientation) ? {} : { orientation: this.code(ORIENTATION_BY_EMIS_CODE, r.orientation, `${path}/orientation`, 'orientation', 'định hướng') }),
      periodsPerYear: integer(r.periods),
      ...(isAbsent(r.topicClusters) ? {} : { topicClusters: integer(r.topicClusters) }),
      termI: semester(r.semester1),
      termII: semester(r.semester2),
      yearAverage: decimal(r.yearAverage),
      ...(isAbsent(r.retestScore) ? {} : { retestScore: decimal(r.retestScore) }),
    };
  }

  commentedSubject(r: Json, path: string): unknown {
    const result = (x: unknown, p: string) => this.code(COMMENT_BY_EMIS_CODE, x, p, 'comment result', 'kết quả đánh giá');
    const semester = (t: unknown, p: string) =>
      isObject(t)
        ? {
            regularResults: Array.isArray(t.regular) ? t.regular.map((x, k) => result(x, `${p}/regular/${k}`)) : text(t.regular),
            midTermResult: result(t.midterm, `${p}/midterm`),
            endOfTermResult: result(t.final, `${p}/final`),
            result: result(t.result, `${p}/result`),
          }
        : text(t);
    return {
      subject: this.code(SECONDARY_SUBJECT_BY_EMIS_CODE, r.subjectCode, `${path}/subjectCode`, 'subject code', 'mã môn học'),
      periodsPerYear: integer(r.periods),
      ...(isAbsent(r.topicClusters) ? {} : { topicClusters: integer(r.topicClusters) }),
      termI: semester(r.semester1, `${path}/semester1`),
      termII: semester(r.semester2, `${path}/semester2`),
      yearResult: result(r.yearResult, `${path}/yearResult`),
      ...(isAbsent(r.retestResult) ? {} : { retestResult: result(r.retestResult, `${path}/retestResult`) }),
    };
  }

  termResults(v: unknown, path: string): unknown {
    if (!isObject(v)) return text(v);
    const level = (key: string) => this.code(RESULT_BY_EMIS_CODE, v[key], `${path}/${key}`, 'result', 'mức đánh giá');
    const out: Json = { termI: level('semester1'), termII: level('semester2'), year: level('year') };
    if (!isAbsent(v.afterSummer)) out.afterSummer = level('afterSummer');
    return out;
  }

  /**
   * profile: the rest of the học bạ form (profile v2's `form`), each field only when EMIS sends it,
   * in the order of the v2 schema. `subjects` are EMIS's subject codes of the record's level.
   */
  profile(v: unknown, subjects: Readonly<Record<string, string>>): Json {
    if (isAbsent(v)) return {};
    if (!isObject(v)) return { form: v };
    const base = '/profile';
    const out: Json = {};
    const put = (key: string, value: unknown) => {
      if (value !== undefined) out[key] = value;
    };
    const opt = <T>(x: unknown, f: (x: unknown) => T): T | undefined => (isAbsent(x) ? undefined : f(x));
    const comments = (x: unknown, table: Readonly<Record<string, string>>, key: 'subjectCode' | 'code', path: string, name: 'subject' | 'code') =>
      opt(x, () => this.list(x, (r, p) => ({ [name]: this.code(table, r[key], `${p}/${key}`, 'code', 'mã'), comment: text(r.comment) }), path));
    put('ethnicityCode', opt(v.ethnicCode, text));
    put('birthPlace', opt(v.placeOfBirth, text));
    put('homeTown', opt(v.hometown, text));
    put('address', opt(v.address, text));
    put('policyCategory', opt(v.policyGroup, (x) => this.code(POLICY_BY_EMIS_CODE, x, `${base}/policyGroup`, 'policy group', 'đối tượng chính sách')));
    put('registrationNumber', opt(v.registerNo, text));
    put('enrolmentDate', opt(v.enrolledOn, (x) => this.date(x, `${base}/enrolledOn`)));
    put('family', opt(v.guardians, (x) => this.list(x, (r, p) => ({
      relation: this.code(RELATION_BY_EMIS_CODE, r.relation, `${p}/relation`, 'relation', 'quan hệ'),
      fullName: text(r.name),
      ...(isAbsent(r.birthYear) ? {} : { birthYear: integer(r.birthYear) }),
      ...(isAbsent(r.job) ? {} : { occupation: text(r.job) }),
    }), `${base}/guardians`)));
    put('schoolHistory', opt(v.history, (x) => this.list(x, (r, p) => ({
      schoolYear: text(r.year),
      grade: integer(r.grade),
      ...(isAbsent(r.schoolCode) ? {} : { schoolId: text(r.schoolCode) }),
      schoolName: text(r.schoolName),
      className: text(r.className),
      ...(isAbsent(r.transfer) ? {} : {
        transfer: isObject(r.transfer)
          ? { kind: r.transfer.direction === 'IN' || r.transfer.direction === 'OUT' ? r.transfer.direction : this.invalid(`${p}/transfer/direction`, 'direction is IN or OUT', 'hướng chuyển là IN hoặc OUT'), date: this.date(r.transfer.date, `${p}/transfer/date`), ...(isAbsent(r.transfer.otherSchool) ? {} : { otherSchool: text(r.transfer.otherSchool) }) }
          : r.transfer,
      }),
    }), `${base}/history`)));
    put('subjectComments', comments(v.subjectComments, subjects, 'subjectCode', `${base}/subjectComments`, 'subject'));
    put('qualityComments', comments(v.qualityComments, QUALITY_BY_EMIS_CODE, 'code', `${base}/qualityComments`, 'code'));
    put('competencyComments', comments(v.competencyComments, COMPETENCY_BY_EMIS_CODE, 'code', `${base}/competencyComments`, 'code'));
    if (!isAbsent(v.height) || !isAbsent(v.weight)) out.physical = { heightCm: decimal(v.height), weightKg: decimal(v.weight) };
    put('titles', opt(v.titles, (x) => (Array.isArray(x) ? x.map((c, i) => this.code(TITLE_BY_EMIS_CODE, c, `${base}/titles/${i}`, 'title', 'danh hiệu')) : x)));
    return { form: out };
  }

  /** [{signer, signedAt}] in the vendor's order, so a repeated signer is reported at its own index. */
  signatures(v: unknown): unknown {
    if (v === undefined || v === null) return [];
    return this.list(
      v,
      (s, p) => ({ role: this.code(SIGNER_BY_EMIS_CODE, s.signer, `${p}/signer`, 'signer', 'người ký'), signedAt: text(s.signedAt) }),
      '/signatures',
    );
  }
}

export function splitEmisBatch(batch: unknown): { items: unknown[]; context: EmisContext } {
  const { batch: b, items } = checkEnvelope(batch, { vendor: 'EMIS', required: ['provinceCode', 'schoolCode', 'academicYear'], itemsField: 'students' });
  const context: EmisContext = {
    provinceCode: String(b.provinceCode).trim(),
    schoolCode: String(b.schoolCode).trim(),
    schoolName: text(b.schoolName) as string,
    academicYear: String(b.academicYear).trim(),
    principalName: text(b.principalName) as string,
  };
  return { items, context };
}

export function mapEmisStudent(item: unknown, context: unknown): MapOutcome {
  if (!isObject(item)) {
    return { ok: false, errors: [{ path: '', code: 'VENDOR_FIELD_INVALID', detail_en: 'each student must be a JSON object', detail_vi: 'mỗi học sinh phải là một đối tượng JSON' }] };
  }
  const ctx = (isObject(context) ? context : {}) as Partial<EmisContext>;
  const m = new ItemMapper();
  const absences = isObject(item.absences) ? item.absences : {};
  // Literal objects in the order of canonical/record.ts: that order is the XML element order.
  const record = {
    recordId: text(item.recordNo),
    lookupCode: text(item.lookupCode),
    effectiveDate: m.date(item.issuedDate, '/issuedDate'),
    version: integer(item.revision),
    student: {
      learnerId: text(item.studentCode),
      // Left out, not undefined, when EMIS has none (a foreign student, an ID not issued yet).
      ...(isAbsent(item.citizenId) ? {} : { personalId: text(item.citizenId) }),
      fullName: text(item.fullName),
      birthDate: m.date(item.dateOfBirth, '/dateOfBirth'),
      sex: m.code(SEX_BY_EMIS_CODE, item.sex, '/sex', 'sex code (1 male, 2 female)', 'mã giới tính (1 nam, 2 nữ)'),
      ethnicity: text(item.ethnicity),
      nationality: text(item.nationality),
      ...m.identity(item),
    },
    school: { schoolId: ctx.schoolCode, provinceCode: ctx.provinceCode, name: ctx.schoolName },
    schoolYear: ctx.academicYear,
    grade: integer(item.gradeLevel),
    className: text(item.className),
    homeroomTeacher: text(item.homeroomTeacher),
    principal: ctx.principalName,
    primary: m.primary(item.primaryAssessment),
    secondary: m.secondary(item.secondaryAssessment),
    attendance: { excusedAbsences: integer(absences.excused), unexcusedAbsences: integer(absences.unexcused) },
    signatures: m.signatures(item.signatures),
    ...m.profile(item.profile, isObject(item.secondaryAssessment) ? SECONDARY_SUBJECT_BY_EMIS_CODE : PRIMARY_SUBJECT_BY_EMIS_CODE),
  };
  if (m.errors.length > 0) return { ok: false, errors: m.errors };
  // A block EMIS did not send is no key at all (the XML rendition and the content hash see keys).
  if (record.primary === undefined) delete (record as Partial<typeof record>).primary;
  if (record.secondary === undefined) delete (record as Partial<typeof record>).secondary;
  // Not yet validated: the pipeline runs validateRecord on it next.
  return { ok: true, record: withoutUnratedCompetencies(record as unknown as CanonicalRecord) };
}
