import type { CommentResult, Competency, DisabilityType, ExemptionReason, FamilyMember, IdentityDocumentKind, PolicyCategory, PrimarySubject, Quality, Rating, ResultLevel, SecondarySubject, SignatureRole, SubjectLevel, TechnologyOrientation, Title, YearEndResult } from '../../canonical/record.js';

// MISA EMIS's own codes and their canonical counterparts. EMIS writes English upper-case codes,
// or the numeric code of its export settings ("results as numbers"): both are in each table, the
// number as a string key. Lookups go through `lookup`, which upper-cases and ignores inherited
// keys such as "constructor".

/** Primary subjects (grades 1-5), in the order of the Circular 27 record form. */
export const PRIMARY_SUBJECT_BY_EMIS_CODE: Readonly<Record<string, PrimarySubject>> = Object.freeze({
  VIE: 'TIENG_VIET',
  MATH: 'TOAN',
  FL1: 'NGOAI_NGU_1',
  HIS_GEO: 'LICH_SU_DIA_LI',
  SCI: 'KHOA_HOC',
  IT_TECH: 'TIN_HOC_CONG_NGHE',
  ETHICS: 'DAO_DUC',
  NAT_SOC: 'TU_NHIEN_XA_HOI',
  PE: 'GIAO_DUC_THE_CHAT',
  MUSIC: 'AM_NHAC',
  ART: 'MI_THUAT',
  EXP: 'HOAT_DONG_TRAI_NGHIEM',
  ETHNIC_LANG: 'TIENG_DAN_TOC',
});

/** Secondary subjects (grades 6-12), in the order of the Circular 22 record form. */
export const SECONDARY_SUBJECT_BY_EMIS_CODE: Readonly<Record<string, SecondarySubject>> = Object.freeze({
  LIT: 'NGU_VAN',
  MATH: 'TOAN',
  FL1: 'NGOAI_NGU_1',
  CIVICS: 'GIAO_DUC_CONG_DAN',
  HIS_GEO: 'LICH_SU_DIA_LI',
  NAT_SCI: 'KHOA_HOC_TU_NHIEN',
  HIST: 'LICH_SU',
  GEO: 'DIA_LI',
  ECON_LAW: 'GIAO_DUC_KINH_TE_PHAP_LUAT',
  PHYS: 'VAT_LI',
  CHEM: 'HOA_HOC',
  BIO: 'SINH_HOC',
  TECH: 'CONG_NGHE',
  IT: 'TIN_HOC',
  DEFENCE: 'GIAO_DUC_QUOC_PHONG_AN_NINH',
  PE: 'GIAO_DUC_THE_CHAT',
  MUSIC: 'AM_NHAC',
  ART: 'MI_THUAT',
  EXP_CAREER: 'HOAT_DONG_TRAI_NGHIEM_HUONG_NGHIEP',
  LOCAL: 'NOI_DUNG_GIAO_DUC_DIA_PHUONG',
  ETHNIC_LANG: 'TIENG_DAN_TOC',
  FL2: 'NGOAI_NGU_2',
});

/** Sex: 1 male, 2 female (EMIS's numeric code; "1"/"2" as strings too). */
export const SEX_BY_EMIS_CODE: Readonly<Record<string, 'M' | 'F'>> = Object.freeze({ '1': 'M', '2': 'F' });

/** Subject level, Circular 27: completed well / completed / not completed (3/2/1). */
export const LEVEL_BY_EMIS_CODE: Readonly<Record<string, SubjectLevel>> = Object.freeze({
  COMPLETED_WELL: 'T',
  COMPLETED: 'H',
  NOT_COMPLETED: 'C',
  '3': 'T',
  '2': 'H',
  '1': 'C',
});

/** Quality and competency ratings, Circular 27: good / pass / needs effort (3/2/1). */
export const RATING_BY_EMIS_CODE: Readonly<Record<string, Rating>> = Object.freeze({
  GOOD: 'TOT',
  PASS: 'DAT',
  NEEDS_EFFORT: 'CCG',
  '3': 'TOT',
  '2': 'DAT',
  '1': 'CCG',
});

/** Primary year-end result: outstanding / completed well / completed / not completed (4/3/2/1). */
export const YEAR_END_BY_EMIS_CODE: Readonly<Record<string, YearEndResult>> = Object.freeze({
  OUTSTANDING: 'HTXS',
  COMPLETED_WELL: 'HTT',
  COMPLETED: 'HT',
  NOT_COMPLETED: 'CHT',
  '4': 'HTXS',
  '3': 'HTT',
  '2': 'HT',
  '1': 'CHT',
});

/** Learning and conduct results, Circular 22: Tốt / Khá / Đạt / Chưa đạt as EXCELLENT / GOOD / PASS / FAIL (4/3/2/1). */
export const RESULT_BY_EMIS_CODE: Readonly<Record<string, ResultLevel>> = Object.freeze({
  EXCELLENT: 'TOT',
  GOOD: 'KHA',
  PASS: 'DAT',
  FAIL: 'CHUA_DAT',
  '4': 'TOT',
  '3': 'KHA',
  '2': 'DAT',
  '1': 'CHUA_DAT',
});

/** Comment-assessed subjects, Circular 22: Đạt / Chưa đạt as PASS / FAIL (1/0). */
export const COMMENT_BY_EMIS_CODE: Readonly<Record<string, CommentResult>> = Object.freeze({ PASS: 'DAT', FAIL: 'CHUA_DAT', '1': 'DAT', '0': 'CHUA_DAT' });

/** Quality codes, in canonical QUALITIES order. */
export const QUALITY_BY_EMIS_CODE: Readonly<Record<string, Quality>> = Object.freeze({
  PATRIOTISM: 'YEU_NUOC',
  KINDNESS: 'NHAN_AI',
  DILIGENCE: 'CHAM_CHI',
  HONESTY: 'TRUNG_THUC',
  RESPONSIBILITY: 'TRACH_NHIEM',
});

/** Competency codes, in canonical COMPETENCIES order. */
export const COMPETENCY_BY_EMIS_CODE: Readonly<Record<string, Competency>> = Object.freeze({
  SELF_LEARNING: 'TU_CHU_TU_HOC',
  COMMUNICATION: 'GIAO_TIEP_HOP_TAC',
  PROBLEM_SOLVING: 'GIAI_QUYET_VAN_DE_SANG_TAO',
  LANGUAGE: 'NGON_NGU',
  NUMERACY: 'TINH_TOAN',
  SCIENCE: 'KHOA_HOC',
  TECHNOLOGY: 'CONG_NGHE',
  DIGITAL: 'TIN_HOC',
  AESTHETIC: 'THAM_MI',
  PHYSICAL: 'THE_CHAT',
});

/** Who signed the vendor's signed rendition. */
export const SIGNER_BY_EMIS_CODE: Readonly<Record<string, SignatureRole>> = Object.freeze({
  TEACHER: 'HOMEROOM_TEACHER',
  PRINCIPAL: 'PRINCIPAL',
  SEAL: 'SCHOOL_SEAL',
});

/** disability.type (Law 51/2010/QH12 art. 3.1). */
export const DISABILITY_BY_EMIS_CODE: Readonly<Record<string, DisabilityType>> = Object.freeze({
  MOBILITY: 'VAN_DONG',
  HEARING_SPEECH: 'NGHE_NOI',
  VISUAL: 'NHIN',
  NEURO_PSYCHIATRIC: 'THAN_KINH_TAM_THAN',
  INTELLECTUAL: 'TRI_TUE',
  OTHER: 'KHAC',
});

/** exemptions[].reason and travelDocument.type: EMIS writes the canonical codes themselves. */
export const EXEMPTION_BY_EMIS_CODE: Readonly<Record<string, ExemptionReason>> = Object.freeze({ HEALTH: 'HEALTH', DISABILITY: 'DISABILITY' });
/** profile.policyGroup: đối tượng chính sách (profile v2 form.policyCategory). */
export const POLICY_BY_EMIS_CODE: Readonly<Record<string, PolicyCategory>> = Object.freeze({
  MARTYR_CHILD: 'CON_LIET_SI',
  WAR_INVALID_CHILD: 'CON_THUONG_BINH_BENH_BINH',
  POOR_HOUSEHOLD: 'HO_NGHEO',
  NEAR_POOR_HOUSEHOLD: 'HO_CAN_NGHEO',
  ETHNIC_MINORITY_HARDSHIP: 'DAN_TOC_THIEU_SO_VUNG_KHO_KHAN',
  ORPHAN: 'MO_COI',
  DISABILITY: 'KHUYET_TAT',
  OTHER: 'KHAC',
});
/** profile.guardians[].relation. */
export const RELATION_BY_EMIS_CODE: Readonly<Record<string, FamilyMember['relation']>> = Object.freeze({ FATHER: 'FATHER', MOTHER: 'MOTHER', GUARDIAN: 'GUARDIAN' });
/** profile.titles[]: danh hiệu. */
export const TITLE_BY_EMIS_CODE: Readonly<Record<string, Title>> = Object.freeze({ EXCELLENT_STUDENT: 'HOC_SINH_XUAT_SAC', GOOD_STUDENT: 'HOC_SINH_GIOI', EXEMPLARY_STUDENT: 'HOC_SINH_TIEU_BIEU' });

/** orientation of Công nghệ at grades 10-12. */
export const ORIENTATION_BY_EMIS_CODE: Readonly<Record<string, TechnologyOrientation>> = Object.freeze({ INDUSTRY: 'CONG_NGHIEP', AGRICULTURE: 'NONG_NGHIEP' });
export const DOCUMENT_BY_EMIS_CODE: Readonly<Record<string, IdentityDocumentKind>> = Object.freeze({ PASSPORT: 'PASSPORT', TRAVEL_DOCUMENT: 'TRAVEL_DOCUMENT' });

/** The value of `key` in `table`: upper-cased, own keys only. */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  const k = key.toUpperCase();
  return Object.prototype.hasOwnProperty.call(table, k) ? table[k] : undefined;
}

/** The EMIS code of a canonical value: the first English code of the table (what EMIS writes). */
export function emisCodeOf<T>(table: Readonly<Record<string, T>>, value: T): string {
  const found = Object.entries(table).find(([k, v]) => v === value && !/^[0-9]+$/.test(k));
  if (!found) throw new RangeError(`no EMIS code for ${String(value)}`);
  return found[0];
}
