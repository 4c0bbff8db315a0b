// The canonical học bạ record of Ministry connection profile v0 (specs/ministry-profile/v0).
// Vendor adapters map into this shape; everything after the adapter speaks only this.
// Key order in these objects is the element order of the XML rendition, so mappers must
// build objects in the order declared here (see canonical/xml.ts).

export const PROFILE_VERSION = 'v0';
export const RECORD_NAMESPACE = 'urn:moet:hocba:record:v0';

/** Subject and activity levels, Circular 27/2020: Hoàn thành tốt / Hoàn thành / Chưa hoàn thành. */
export const SUBJECT_LEVELS = Object.freeze(['T', 'H', 'C'] as const);
export type SubjectLevel = (typeof SUBJECT_LEVELS)[number];

/** Quality and competency ratings: Tốt / Đạt / Cần cố gắng. */
export const RATINGS = Object.freeze(['TOT', 'DAT', 'CCG'] as const);
export type Rating = (typeof RATINGS)[number];

/** Year-end result: Hoàn thành xuất sắc / Hoàn thành tốt / Hoàn thành / Chưa hoàn thành. */
export const YEAR_END_RESULTS = Object.freeze(['HTXS', 'HTT', 'HT', 'CHT'] as const);
export type YearEndResult = (typeof YEAR_END_RESULTS)[number];

export const PRIMARY_SUBJECTS = Object.freeze([
  'TIENG_VIET',
  'TOAN',
  'NGOAI_NGU_1',
  'TIN_HOC_CONG_NGHE',
  'KHOA_HOC',
  'LICH_SU_DIA_LI',
  'DAO_DUC',
  'TU_NHIEN_XA_HOI',
  'AM_NHAC',
  'MI_THUAT',
  'GIAO_DUC_THE_CHAT',
  'HOAT_DONG_TRAI_NGHIEM',
  'TIENG_DAN_TOC',
] as const);
export type PrimarySubject = (typeof PRIMARY_SUBJECTS)[number];

export const QUALITIES = Object.freeze(['YEU_NUOC', 'NHAN_AI', 'CHAM_CHI', 'TRUNG_THUC', 'TRACH_NHIEM'] as const);
export const COMPETENCIES = Object.freeze([
  'TU_CHU_TU_HOC',
  'GIAO_TIEP_HOP_TAC',
  'GIAI_QUYET_VAN_DE_SANG_TAO',
  'NGON_NGU',
  'TINH_TOAN',
  'KHOA_HOC',
  'CONG_NGHE',
  'TIN_HOC',
  'THAM_MI',
  'THE_CHAT',
] as const);

export interface Student {
  learnerId: string; // Ministry learner ID (mã học sinh)
  personalId: string; // mã định danh cá nhân, 12 digits
  fullName: string;
  birthDate: string; // ISO yyyy-mm-dd
  sex: 'M' | 'F';
  ethnicity: string;
  nationality: string; // ISO 3166-1 alpha-2
}

export interface School {
  schoolId: string;
  provinceCode: string;
  name: string;
}

export interface SubjectResult {
  subject: PrimarySubject;
  level: SubjectLevel;
  /** End-of-year periodic test score, whole number, present for tested subjects. */
  testScore?: number;
}

export interface NamedRating {
  code: string;
  rating: Rating;
}

export interface PrimaryResults {
  subjects: SubjectResult[];
  qualities: NamedRating[];
  competencies: NamedRating[];
  yearEndResult: YearEndResult;
  completedProgramme: boolean;
  promoted: boolean;
  commendations: string[];
  remarks: string;
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
  primary: PrimaryResults;
}

/**
 * The key the Ministry de-duplicates on: one record book per learner per school year.
 * A re-send after a crash or a replay carries the same key, so the Ministry counts it once.
 */
export function recordKeyOf(r: Pick<CanonicalRecord, 'student' | 'schoolYear'>): string {
  return `${r.student.learnerId}/${r.schoolYear}`;
}
