import { COMPETENCIES, type Competency, type PrimarySubject, type SecondarySubject } from '../canonical/codes.js';

// Which subjects each grade has under the 2018 general education programme (Circular 32/2018,
// as amended by Circular 13/2022), which are tested (Circular 27/2020 art. 7) and how each
// secondary subject is assessed (Circular 22/2021 art. 5). Legal facts, the same in every
// province; what varies between provinces is in the rule settings.

/** The first school year (its starting calendar year) in which each grade followed the 2018 programme and so Circular 27 (1-5) or 22 (6-12). */
export const FIRST_SCHOOL_YEAR_BY_GRADE: Readonly<Record<number, number>> = Object.freeze({
  1: 2020, 2: 2021, 3: 2022, 4: 2023, 5: 2024,
  6: 2021, 7: 2022, 8: 2023, 9: 2024,
  10: 2022, 11: 2023, 12: 2024,
});

interface GradeRange {
  from: number;
  to: number;
}
const grades = (from: number, to: number): GradeRange => ({ from, to });
const within = (r: GradeRange | undefined, g: number): boolean => r !== undefined && g >= r.from && g <= r.to;

interface PrimarySpec {
  /** Grades that teach the subject at all. */
  taught: GradeRange;
  /** Grades where it is compulsory (outside it, within `taught`, it is optional). */
  compulsory?: GradeRange;
  /** Grades with periodic tests at the end of term I and of the year. */
  tested?: GradeRange;
  /** Grades with mid-term tests too (Tiếng Việt and Toán at grades 4-5). */
  midTerm?: GradeRange;
}

const PRIMARY: Readonly<Record<PrimarySubject, PrimarySpec>> = Object.freeze({
  TIENG_VIET: { taught: grades(1, 5), compulsory: grades(1, 5), tested: grades(1, 5), midTerm: grades(4, 5) },
  TOAN: { taught: grades(1, 5), compulsory: grades(1, 5), tested: grades(1, 5), midTerm: grades(4, 5) },
  NGOAI_NGU_1: { taught: grades(1, 5), compulsory: grades(3, 5), tested: grades(3, 5) },
  TIN_HOC_CONG_NGHE: { taught: grades(3, 5), compulsory: grades(3, 5), tested: grades(3, 5) },
  KHOA_HOC: { taught: grades(4, 5), compulsory: grades(4, 5), tested: grades(4, 5) },
  LICH_SU_DIA_LI: { taught: grades(4, 5), compulsory: grades(4, 5), tested: grades(4, 5) },
  DAO_DUC: { taught: grades(1, 5), compulsory: grades(1, 5) },
  TU_NHIEN_XA_HOI: { taught: grades(1, 3), compulsory: grades(1, 3) },
  AM_NHAC: { taught: grades(1, 5), compulsory: grades(1, 5) },
  MI_THUAT: { taught: grades(1, 5), compulsory: grades(1, 5) },
  GIAO_DUC_THE_CHAT: { taught: grades(1, 5), compulsory: grades(1, 5) },
  HOAT_DONG_TRAI_NGHIEM: { taught: grades(1, 5), compulsory: grades(1, 5) },
  TIENG_DAN_TOC: { taught: grades(1, 5) },
});

export const primarySubject = {
  taught: (s: PrimarySubject, g: number): boolean => within(PRIMARY[s].taught, g),
  compulsory: (s: PrimarySubject, g: number): boolean => within(PRIMARY[s].compulsory, g),
  tested: (s: PrimarySubject, g: number): boolean => within(PRIMARY[s].tested, g),
  midTermTested: (s: PrimarySubject, g: number): boolean => within(PRIMARY[s].midTerm, g),
  /** The compulsory subjects of a grade, in record-form order. */
  compulsoryIn: (g: number): PrimarySubject[] => (Object.keys(PRIMARY) as PrimarySubject[]).filter((s) => within(PRIMARY[s].compulsory, g)),
};

/**
 * The competencies a primary grade rates (Circular 27/2020 art. 6 and the record form): the three
 * general ones and the specific ones of the subjects the grade has. Công nghệ and Tin học come
 * with the subject Tin học và Công nghệ, so from grade 3; grades 1-2 rate eight, as the Ministry's
 * C1 template lays them out.
 */
const COMPETENCY_SUBJECT: Readonly<Partial<Record<Competency, PrimarySubject>>> = Object.freeze({ CONG_NGHE: 'TIN_HOC_CONG_NGHE', TIN_HOC: 'TIN_HOC_CONG_NGHE' });

export const primaryCompetency = {
  rated: (c: Competency | string, g: number): boolean => {
    const subject = COMPETENCY_SUBJECT[c as Competency];
    return subject === undefined || primarySubject.taught(subject, g);
  },
  /** The competencies a grade rates, in record-form order. */
  ratedIn: (g: number): Competency[] => COMPETENCIES.filter((c) => primaryCompetency.rated(c, g)),
};

/** How a secondary subject is assessed (Circular 22 art. 5): by comment only, or by comment and score. */
export type AssessmentKind = 'score' | 'comment';
/** Compulsory, one of the four chosen electives (grades 10-12), or optional. */
export type SubjectGroup = 'compulsory' | 'elective' | 'optional';

interface SecondarySpec {
  kind: AssessmentKind;
  /** Group by grade range; a grade in no range does not teach the subject. */
  lower?: SubjectGroup; // grades 6-9
  upper?: SubjectGroup; // grades 10-12
  /** Periods a year in the Ministry's programme, for samples: [grades 6-9, grades 10-12]. Schools may plan more. */
  periods: [number | ((g: number) => number) | null, number | null];
}

const SECONDARY: Readonly<Record<SecondarySubject, SecondarySpec>> = Object.freeze({
  NGU_VAN: { kind: 'score', lower: 'compulsory', upper: 'compulsory', periods: [140, 105] },
  TOAN: { kind: 'score', lower: 'compulsory', upper: 'compulsory', periods: [140, 105] },
  NGOAI_NGU_1: { kind: 'score', lower: 'compulsory', upper: 'compulsory', periods: [105, 105] },
  GIAO_DUC_CONG_DAN: { kind: 'score', lower: 'compulsory', periods: [35, null] },
  LICH_SU_DIA_LI: { kind: 'score', lower: 'compulsory', periods: [105, null] },
  KHOA_HOC_TU_NHIEN: { kind: 'score', lower: 'compulsory', periods: [140, null] },
  LICH_SU: { kind: 'score', upper: 'compulsory', periods: [null, 52] },
  DIA_LI: { kind: 'score', upper: 'elective', periods: [null, 70] },
  GIAO_DUC_KINH_TE_PHAP_LUAT: { kind: 'score', upper: 'elective', periods: [null, 70] },
  VAT_LI: { kind: 'score', upper: 'elective', periods: [null, 70] },
  HOA_HOC: { kind: 'score', upper: 'elective', periods: [null, 70] },
  SINH_HOC: { kind: 'score', upper: 'elective', periods: [null, 70] },
  CONG_NGHE: { kind: 'score', lower: 'compulsory', upper: 'elective', periods: [(g) => (g <= 7 ? 35 : 52), 70] },
  TIN_HOC: { kind: 'score', lower: 'compulsory', upper: 'elective', periods: [35, 70] },
  GIAO_DUC_QUOC_PHONG_AN_NINH: { kind: 'score', upper: 'compulsory', periods: [null, 35] },
  GIAO_DUC_THE_CHAT: { kind: 'comment', lower: 'compulsory', upper: 'compulsory', periods: [70, 70] },
  AM_NHAC: { kind: 'comment', lower: 'compulsory', upper: 'elective', periods: [35, 70] },
  MI_THUAT: { kind: 'comment', lower: 'compulsory', upper: 'elective', periods: [35, 70] },
  HOAT_DONG_TRAI_NGHIEM_HUONG_NGHIEP: { kind: 'comment', lower: 'compulsory', upper: 'compulsory', periods: [105, 105] },
  NOI_DUNG_GIAO_DUC_DIA_PHUONG: { kind: 'comment', lower: 'compulsory', upper: 'compulsory', periods: [35, 35] },
  TIENG_DAN_TOC: { kind: 'score', lower: 'optional', upper: 'optional', periods: [105, 105] },
  NGOAI_NGU_2: { kind: 'score', lower: 'optional', upper: 'optional', periods: [105, 105] },
});

/**
 * Subjects with chuyên đề học tập at grades 10-12 (2018 programme): a student takes three clusters
 * a year among them, each of 35 periods, each adding one regular assessment (Circular 22 art. 7).
 */
const WITH_TOPICS: ReadonlySet<SecondarySubject> = new Set([
  'NGU_VAN', 'TOAN', 'LICH_SU', 'DIA_LI', 'GIAO_DUC_KINH_TE_PHAP_LUAT', 'VAT_LI', 'HOA_HOC', 'SINH_HOC', 'CONG_NGHE', 'TIN_HOC', 'AM_NHAC', 'MI_THUAT',
]);
/** Chuyên đề clusters a student takes in a year. */
export const TOPIC_CLUSTERS_PER_YEAR = 3;

/** Grades 10-12 choose this many elective subjects. */
export const ELECTIVES_PER_STUDENT = 4;

const groupOf = (s: SecondarySubject, g: number): SubjectGroup | undefined => (g <= 9 ? SECONDARY[s].lower : SECONDARY[s].upper);

export const secondarySubject = {
  kind: (s: SecondarySubject): AssessmentKind => SECONDARY[s].kind,
  group: groupOf,
  taught: (s: SecondarySubject, g: number): boolean => g >= 6 && g <= 12 && groupOf(s, g) !== undefined,
  compulsoryIn: (g: number): SecondarySubject[] => (Object.keys(SECONDARY) as SecondarySubject[]).filter((s) => groupOf(s, g) === 'compulsory'),
  electivesIn: (g: number): SecondarySubject[] => (Object.keys(SECONDARY) as SecondarySubject[]).filter((s) => groupOf(s, g) === 'elective'),
  /** The subject has chuyên đề clusters at this grade (grades 10-12 only). */
  hasTopics: (s: SecondarySubject, g: number): boolean => g >= 10 && g <= 12 && WITH_TOPICS.has(s),
  /** Công nghệ is taught in an orientation (công nghiệp or nông nghiệp) at grades 10-12. */
  hasOrientation: (s: SecondarySubject, g: number): boolean => s === 'CONG_NGHE' && g >= 10 && g <= 12,
  /** The programme's periods a year for a subject at a grade (what samples use). */
  standardPeriods: (s: SecondarySubject, g: number): number => {
    const p = SECONDARY[s].periods[g <= 9 ? 0 : 1];
    if (p === null) throw new RangeError(`${s} is not taught at grade ${g}`);
    return typeof p === 'function' ? p(g) : p;
  },
};
