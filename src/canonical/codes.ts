// The code lists of the canonical record (Ministry connection profile v1). The JSON Schema and
// the XSD in specs/ministry-profile/v1 carry the same lists; test/canonical-v1.test.ts keeps them
// equal. Codes are Vietnamese names without diacritics, as the Ministry's own lists tend to be.

/** Subject and activity levels, Circular 27/2020: Hoàn thành tốt / Hoàn thành / Chưa hoàn thành. */
export const SUBJECT_LEVELS = Object.freeze(['T', 'H', 'C'] as const);
export type SubjectLevel = (typeof SUBJECT_LEVELS)[number];

/** Quality and competency ratings, Circular 27/2020: Tốt / Đạt / Cần cố gắng. */
export const RATINGS = Object.freeze(['TOT', 'DAT', 'CCG'] as const);
export type Rating = (typeof RATINGS)[number];

/** Primary year-end result: Hoàn thành xuất sắc / Hoàn thành tốt / Hoàn thành / Chưa hoàn thành. */
export const YEAR_END_RESULTS = Object.freeze(['HTXS', 'HTT', 'HT', 'CHT'] as const);
export type YearEndResult = (typeof YEAR_END_RESULTS)[number];

/** Subjects and educational activities of grades 1-5 (2018 programme). */
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

/** The five qualities (phẩm chất), in the order of the Circular 27 record form. */
export const QUALITIES = Object.freeze(['YEU_NUOC', 'NHAN_AI', 'CHAM_CHI', 'TRUNG_THUC', 'TRACH_NHIEM'] as const);
export type Quality = (typeof QUALITIES)[number];

/** The ten competencies: three general, then seven specific. */
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
export type Competency = (typeof COMPETENCIES)[number];

/** Subjects and educational activities of grades 6-12 (2018 programme). */
export const SECONDARY_SUBJECTS = Object.freeze([
  'NGU_VAN',
  'TOAN',
  'NGOAI_NGU_1',
  'GIAO_DUC_CONG_DAN',
  'LICH_SU_DIA_LI',
  'KHOA_HOC_TU_NHIEN',
  'LICH_SU',
  'DIA_LI',
  'GIAO_DUC_KINH_TE_PHAP_LUAT',
  'VAT_LI',
  'HOA_HOC',
  'SINH_HOC',
  'CONG_NGHE',
  'TIN_HOC',
  'GIAO_DUC_QUOC_PHONG_AN_NINH',
  'GIAO_DUC_THE_CHAT',
  'AM_NHAC',
  'MI_THUAT',
  'HOAT_DONG_TRAI_NGHIEM_HUONG_NGHIEP',
  'NOI_DUNG_GIAO_DUC_DIA_PHUONG',
  'TIENG_DAN_TOC',
  'NGOAI_NGU_2',
] as const);
export type SecondarySubject = (typeof SECONDARY_SUBJECTS)[number];

/** Comment-assessed subjects, Circular 22/2021: Đạt / Chưa đạt. */
export const COMMENT_RESULTS = Object.freeze(['DAT', 'CHUA_DAT'] as const);
export type CommentResult = (typeof COMMENT_RESULTS)[number];

/** Learning and conduct results, Circular 22/2021: Tốt / Khá / Đạt / Chưa đạt (best first). */
export const RESULT_LEVELS = Object.freeze(['TOT', 'KHA', 'DAT', 'CHUA_DAT'] as const);
export type ResultLevel = (typeof RESULT_LEVELS)[number];

/** The signatures a record can carry: homeroom teacher (GVCN), principal, and the school's seal. */
export const SIGNATURE_ROLES = Object.freeze(['HOMEROOM_TEACHER', 'PRINCIPAL', 'SCHOOL_SEAL'] as const);
export type SignatureRole = (typeof SIGNATURE_ROLES)[number];

/** Disability types (Law 51/2010/QH12 on persons with disabilities, art. 3.1): vận động, nghe nói, nhìn, thần kinh tâm thần, trí tuệ, khác. */
export const DISABILITY_TYPES = Object.freeze(['VAN_DONG', 'NGHE_NOI', 'NHIN', 'THAN_KINH_TAM_THAN', 'TRI_TUE', 'KHAC'] as const);
export type DisabilityType = (typeof DISABILITY_TYPES)[number];

/** Why a subject is not assessed (miễn): on health grounds, or by a student's disability. */
export const EXEMPTION_REASONS = Object.freeze(['HEALTH', 'DISABILITY'] as const);
export type ExemptionReason = (typeof EXEMPTION_REASONS)[number];

/** What identifies a foreign student instead of a personal ID: a passport, or another document valid for international travel. */
export const IDENTITY_DOCUMENT_KINDS = Object.freeze(['PASSPORT', 'TRAVEL_DOCUMENT'] as const);
export type IdentityDocumentKind = (typeof IDENTITY_DOCUMENT_KINDS)[number];

/** Công nghệ at grades 10-12 is taught in one orientation: công nghiệp (industrial) or nông nghiệp (agricultural). */
export const TECHNOLOGY_ORIENTATIONS = Object.freeze(['CONG_NGHIEP', 'NONG_NGHIEP'] as const);
export type TechnologyOrientation = (typeof TECHNOLOGY_ORIENTATIONS)[number];
