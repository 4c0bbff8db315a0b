import type {
  CommentResult,
  Competency,
  DisabilityType,
  ExemptionReason,
  IdentityDocumentKind,
  PrimarySubject,
  Quality,
  Rating,
  ResultLevel,
  SecondarySubject,
  SignatureRole,
  SubjectLevel,
  TechnologyOrientation,
  YearEndResult,
} from './codes.js';

// The canonical học bạ record of Ministry connection profile v1 (specs/ministry-profile/v1):
// grades 1-12, primary results under Circular 27/2020 and secondary results under Circular
// 22/2021. Vendor adapters map into this shape; everything after the adapter speaks only this.
// Key order in these objects is the element order of the XML rendition, so mappers must build
// objects in the order declared here (see canonical/xml.ts).

export * from './codes.js';

export const PROFILE_VERSION = 'v1';
export const RECORD_NAMESPACE = 'urn:moet:hocba:record:v1';
/**
 * Profile v2 (issue 15 item 9): v1 with the rest of the record form (`form`). A record is written
 * in the lowest profile that holds it: without `form` it is a v1 record, byte for byte as before
 * (same content hash), so records and signatures made before v2 stay as they were.
 */
export const RECORD_NAMESPACE_V2 = 'urn:moet:hocba:record:v2';

/** The namespace a record is written in: v2 when it carries the record form, else v1. */
export function namespaceOfRecord(r: Pick<CanonicalRecord, 'form'>): string {
  return r.form === undefined ? RECORD_NAMESPACE : RECORD_NAMESPACE_V2;
}

export interface Student {
  learnerId: string; // Ministry learner ID (mã học sinh)
  /** Mã định danh cá nhân, 12 digits: a Vietnamese citizen's; absent for a foreign student or while pending. */
  personalId?: string;
  fullName: string;
  birthDate: string; // ISO yyyy-mm-dd
  sex: 'M' | 'F';
  ethnicity: string;
  nationality: string; // ISO 3166-1 alpha-2
  /** A citizen whose personal ID is not issued yet: the gateway holds the record until a version with it arrives. */
  personalIdPending?: boolean;
  /** A foreign student's passport or travel document, instead of a personal ID. */
  identityDocument?: IdentityDocument;
  /** ISO 3166-1 alpha-2 of a birth registered at a Vietnamese mission abroad: the ID's first three digits are its code. */
  birthRegistrationCountry?: string;
  disability?: Disability;
}

export interface IdentityDocument {
  kind: IdentityDocumentKind;
  number: string;
  issuingCountry: string; // ISO 3166-1 alpha-2
}

/** Khuyết tật: the type, and whether the student is assessed by an individual education plan. */
export interface Disability {
  type: DisabilityType;
  individualPlan: boolean;
}

/** A subject the student is exempted from (miễn): not assessed, so not among the assessed subjects. */
export interface ExemptSubject<S extends string = string> {
  subject: S;
  reason: ExemptionReason;
}

export interface School {
  schoolId: string; // Ministry school ID
  provinceCode: string; // 2-digit province code (config/provinces.json)
  name: string;
}

/** Primary periodic tests (Circular 27 art. 7), whole numbers on a 10-point scale. */
export interface PeriodicTestScores {
  /** Mid-term I: Tiếng Việt and Toán at grades 4-5 only. */
  midTermI?: number;
  endOfTermI?: number;
  /** Mid-term II: Tiếng Việt and Toán at grades 4-5 only. */
  midTermII?: number;
  /** End of year: the score the record form shows; required for tested subjects. */
  endOfYear?: number;
}

export interface PrimarySubjectResult {
  subject: PrimarySubject;
  level: SubjectLevel;
  /** Present for tested subjects only. */
  testScores?: PeriodicTestScores;
  /** Tin học và Công nghệ (grades 3-5) only: its two parts, from which its level and scores follow. */
  parts?: { informatics: SubjectPart; technology: SubjectPart };
}

/** A part of Tin học và Công nghệ: phần Tin học, phần Công nghệ. */
export interface SubjectPart {
  level: SubjectLevel;
  endOfTermI?: number;
  endOfYear?: number;
}

export interface NamedRating<C extends string = string> {
  code: C;
  rating: Rating;
}

export interface PrimaryResults {
  subjects: PrimarySubjectResult[];
  qualities: NamedRating<Quality>[];
  competencies: NamedRating<Competency>[];
  yearEndResult: YearEndResult;
  completedProgramme: boolean; // hoàn thành chương trình lớp học
  promoted: boolean; // được lên lớp
  commendations: string[];
  remarks: string;
  exemptSubjects?: ExemptSubject<PrimarySubject>[];
  /** Grade 5 only: hoàn thành chương trình tiểu học (the grade's programme completed is the level's). */
  completedPrimary?: boolean;
  /**
   * Đánh giá bổ sung: a student who did not complete the grade's programme is helped over the
   * summer and assessed again; whether the programme is then completed decides promotion. The
   * record of such a student is signed only after it.
   */
  supplementaryAssessment?: SupplementaryAssessment;
}

export interface SupplementaryAssessment {
  date: string; // yyyy-mm-dd
  completedProgramme: boolean;
}

/** One term of a score subject (Circular 22 art. 7 and 9): one decimal, 10-point scale. */
export interface ScoreTerm {
  regularScores: number[]; // ĐĐGtx
  midTermScore: number; // ĐĐGgk
  endOfTermScore: number; // ĐĐGck
  average: number; // ĐTBmhk
}

export interface ScoreSubjectResult {
  subject: SecondarySubject;
  /** Công nghệ at grades 10-12: the orientation the school teaches (công nghiệp or nông nghiệp). */
  orientation?: TechnologyOrientation;
  /** Periods a year in the school's plan; sets the number of regular assessments per term. */
  periodsPerYear: number;
  /** Grades 10-12: chuyên đề clusters the student takes in this subject; each adds a regular assessment. */
  topicClusters?: number;
  termI: ScoreTerm;
  termII: ScoreTerm;
  yearAverage: number; // ĐTBmcn
  /** Kiểm tra lại: after a Chưa đạt year, for a subject under 5.0; it stands for the year average when the result is decided again. */
  retestScore?: number;
}

/** One term of a comment subject: every assessment is Đạt / Chưa đạt. */
export interface CommentTerm {
  regularResults: CommentResult[];
  midTermResult: CommentResult;
  endOfTermResult: CommentResult;
  result: CommentResult;
}

export interface CommentSubjectResult {
  subject: SecondarySubject;
  periodsPerYear: number;
  /** Grades 10-12 (Âm nhạc, Mĩ thuật): chuyên đề clusters taken; each adds a regular assessment. */
  topicClusters?: number;
  termI: CommentTerm;
  termII: CommentTerm;
  yearResult: CommentResult;
  /** Kiểm tra lại: after a Chưa đạt year, for a subject Chưa đạt; it stands for the year result. */
  retestResult?: CommentResult;
}

/** Learning (học tập) or conduct (rèn luyện) results of the two terms and the year. */
export interface TermResults {
  termI: ResultLevel;
  termII: ResultLevel;
  year: ResultLevel;
  /** Re-assessed after the summer: retest (learning) or summer training (conduct). */
  afterSummer?: ResultLevel;
}

export interface SecondaryResults {
  scoreSubjects: ScoreSubjectResult[];
  commentSubjects: CommentSubjectResult[];
  learningResult: TermResults;
  conductResult: TermResults;
  /** Được lên lớp; for grades 9 and 12, completes the year's programme. */
  promoted: boolean;
  commendations: string[];
  remarks: string;
  exemptSubjects?: ExemptSubject<SecondarySubject>[];
  /** Grade 9 only: the principal's confirmation of completing lower secondary (xác nhận hoàn thành chương trình THCS). */
  lowerSecondaryCompletion?: { decisionNumber: string; date: string };
  /** Grade 12 only: eligible for the graduation review (đủ điều kiện dự xét công nhận tốt nghiệp THPT). */
  graduationReviewEligible?: boolean;
}

/** Sessions (buổi) missed in the school year. */
export interface Attendance {
  excusedAbsences: number;
  unexcusedAbsences: number;
}

/** A signature the record carries in the vendor's signed rendition. */
export interface Signature {
  role: SignatureRole;
  signedAt: string; // ISO date-time with offset
}

export interface CanonicalRecord {
  recordId: string; // số học bạ / the vendor's record ID
  lookupCode: string; // mã số tra cứu học bạ
  effectiveDate: string; // ngày hiệu lực, yyyy-mm-dd
  version: number;
  student: Student;
  school: School;
  schoolYear: string; // "2024-2025"
  grade: number;
  className: string;
  homeroomTeacher: string;
  principal: string;
  /** Grades 1-5 only. */
  primary?: PrimaryResults;
  /** Grades 6-12 only. */
  secondary?: SecondaryResults;
  attendance: Attendance;
  signatures: Signature[];
  /** Profile v2: the rest of the record form. */
  form?: RecordForm;
}

export const POLICY_CATEGORIES = Object.freeze(['CON_LIET_SI', 'CON_THUONG_BINH_BENH_BINH', 'HO_NGHEO', 'HO_CAN_NGHEO', 'DAN_TOC_THIEU_SO_VUNG_KHO_KHAN', 'MO_COI', 'KHUYET_TAT', 'KHAC'] as const);
export type PolicyCategory = (typeof POLICY_CATEGORIES)[number];
/** Danh hiệu: TT22 art. 15 (grades 6-12: xuất sắc, giỏi), TT27 art. 15 (grades 1-5: xuất sắc, tiêu biểu). */
export const TITLES = Object.freeze(['HOC_SINH_XUAT_SAC', 'HOC_SINH_GIOI', 'HOC_SINH_TIEU_BIEU'] as const);
export type Title = (typeof TITLES)[number];

export interface FamilyMember {
  relation: 'FATHER' | 'MOTHER' | 'GUARDIAN';
  fullName: string;
  birthYear?: number;
  occupation?: string;
}

export interface SchoolHistoryEntry {
  schoolYear: string;
  grade: number;
  schoolId?: string;
  schoolName: string;
  className: string;
  transfer?: { kind: 'IN' | 'OUT'; date: string; otherSchool?: string };
}

/** Profile v2: lý lịch and the rest of the học bạ form (specs/ministry-profile/v2; docs/qd4998.md). Every field optional. */
export interface RecordForm {
  /** QĐ 4998 code of the ethnicity (01 Kinh … 54 Rơ-măm; 55 foreign). */
  ethnicityCode?: string;
  birthPlace?: string;
  homeTown?: string;
  address?: string;
  policyCategory?: PolicyCategory;
  registrationNumber?: string;
  enrolmentDate?: string;
  family?: FamilyMember[];
  schoolHistory?: SchoolHistoryEntry[];
  subjectComments?: { subject: string; comment: string }[];
  qualityComments?: { code: Quality; comment: string }[];
  competencyComments?: { code: Competency; comment: string }[];
  /** Grades 1-5: height (cm) and weight (kg), one decimal. */
  physical?: { heightCm: number; weightKg: number };
  titles?: Title[];
}

/** Highest primary grade; grades above it are secondary. */
export const LAST_PRIMARY_GRADE = 5;

/**
 * The key the Ministry de-duplicates on: one record book per learner per school year.
 * A re-send after a crash or a replay carries the same key, so the Ministry counts it once.
 */
export function recordKeyOf(r: Pick<CanonicalRecord, 'student' | 'schoolYear'>): string {
  return `${r.student.learnerId}/${r.schoolYear}`;
}
