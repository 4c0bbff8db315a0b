import { ETHNICITY_BY_CODE } from '../../canonical/ethnicities.js';
import type { CommentResult, Competency, DisabilityType, ExemptionReason, FamilyMember, IdentityDocumentKind, PolicyCategory, PrimarySubject, Quality, Rating, ResultLevel, SecondarySubject, SignatureRole, SubjectLevel, TechnologyOrientation, Title, YearEndResult } from '../../canonical/record.js';

// SMAS's own codes and their canonical counterparts (README.md beside this file). SMAS numbers
// its levels (1 best), writes subjects in upper case without separators, and codes ethnicity by
// the General Statistics Office's list of the 54 ethnic groups. Every table's order is the
// canonical order, which the renderer (render.ts) and the ratings lists follow.

const table = <T>(o: Record<string, T>): Readonly<Record<string, T>> => Object.freeze(Object.assign(Object.create(null) as Record<string, T>, o));

/** SubjectCode, grades 1-5. */
export const PRIMARY_SUBJECT_BY_SMAS: Readonly<Record<string, PrimarySubject>> = table({
  TIENGVIET: 'TIENG_VIET',
  TOAN: 'TOAN',
  NGOAINGU: 'NGOAI_NGU_1',
  TINHOCCN: 'TIN_HOC_CONG_NGHE',
  KHOAHOC: 'KHOA_HOC',
  LSDL: 'LICH_SU_DIA_LI',
  DAODUC: 'DAO_DUC',
  TNXH: 'TU_NHIEN_XA_HOI',
  AMNHAC: 'AM_NHAC',
  MITHUAT: 'MI_THUAT',
  GDTC: 'GIAO_DUC_THE_CHAT',
  HDTN: 'HOAT_DONG_TRAI_NGHIEM',
  TIENGDT: 'TIENG_DAN_TOC',
});

/** SubjectCode, grades 6-12. */
export const SECONDARY_SUBJECT_BY_SMAS: Readonly<Record<string, SecondarySubject>> = table({
  NGUVAN: 'NGU_VAN',
  TOAN: 'TOAN',
  NGOAINGU: 'NGOAI_NGU_1',
  GDCD: 'GIAO_DUC_CONG_DAN',
  LSDL: 'LICH_SU_DIA_LI',
  KHTN: 'KHOA_HOC_TU_NHIEN',
  LICHSU: 'LICH_SU',
  DIALI: 'DIA_LI',
  GDKTPL: 'GIAO_DUC_KINH_TE_PHAP_LUAT',
  VATLI: 'VAT_LI',
  HOAHOC: 'HOA_HOC',
  SINHHOC: 'SINH_HOC',
  CONGNGHE: 'CONG_NGHE',
  TINHOC: 'TIN_HOC',
  GDQPAN: 'GIAO_DUC_QUOC_PHONG_AN_NINH',
  GDTC: 'GIAO_DUC_THE_CHAT',
  AMNHAC: 'AM_NHAC',
  MITHUAT: 'MI_THUAT',
  HDTNHN: 'HOAT_DONG_TRAI_NGHIEM_HUONG_NGHIEP',
  GDDP: 'NOI_DUNG_GIAO_DUC_DIA_PHUONG',
  TIENGDT: 'TIENG_DAN_TOC',
  NGOAINGU2: 'NGOAI_NGU_2',
});

/** Level of a primary subject: 1 Hoàn thành tốt, 2 Hoàn thành, 3 Chưa hoàn thành. */
export const LEVEL_BY_SMAS: Readonly<Record<string, SubjectLevel>> = table({ '1': 'T', '2': 'H', '3': 'C' });

/** Rating of a quality or competency: 1 Tốt, 2 Đạt, 3 Cần cố gắng. */
export const RATING_BY_SMAS: Readonly<Record<string, Rating>> = table({ '1': 'TOT', '2': 'DAT', '3': 'CCG' });

/** YearEndResult: 1 Hoàn thành xuất sắc, 2 Hoàn thành tốt, 3 Hoàn thành, 4 Chưa hoàn thành. */
export const YEAR_END_BY_SMAS: Readonly<Record<string, YearEndResult>> = table({ '1': 'HTXS', '2': 'HTT', '3': 'HT', '4': 'CHT' });

/** Learning (Capacity) and Conduct levels: 1 Tốt, 2 Khá, 3 Đạt, 4 Chưa đạt. */
export const RESULT_BY_SMAS: Readonly<Record<string, ResultLevel>> = table({ '1': 'TOT', '2': 'KHA', '3': 'DAT', '4': 'CHUA_DAT' });

/** Marks of a subject assessed by comment: D Đạt, CD Chưa đạt. */
export const COMMENT_BY_SMAS: Readonly<Record<string, CommentResult>> = table({ D: 'DAT', CD: 'CHUA_DAT' });

/** Genre: 1 Nam, 0 Nữ. */
export const SEX_BY_SMAS: Readonly<Record<string, 'M' | 'F'>> = table({ '1': 'M', '0': 'F' });

/** Quality Code, in canonical order. */
export const QUALITY_BY_SMAS: Readonly<Record<string, Quality>> = table({
  YEUNUOC: 'YEU_NUOC',
  NHANAI: 'NHAN_AI',
  CHAMCHI: 'CHAM_CHI',
  TRUNGTHUC: 'TRUNG_THUC',
  TRACHNHIEM: 'TRACH_NHIEM',
});

/** Competency Code, in canonical order. */
export const COMPETENCY_BY_SMAS: Readonly<Record<string, Competency>> = table({
  TUCHU: 'TU_CHU_TU_HOC',
  GIAOTIEP: 'GIAO_TIEP_HOP_TAC',
  GQVD: 'GIAI_QUYET_VAN_DE_SANG_TAO',
  NGONNGU: 'NGON_NGU',
  TINHTOAN: 'TINH_TOAN',
  KHOAHOC: 'KHOA_HOC',
  CONGNGHE: 'CONG_NGHE',
  TINHOC: 'TIN_HOC',
  THAMMI: 'THAM_MI',
  THECHAT: 'THE_CHAT',
});

/** Signature Role, in canonical order. */
export const SIGNATURE_BY_SMAS: Readonly<Record<string, SignatureRole>> = table({ GVCN: 'HOMEROOM_TEACHER', HT: 'PRINCIPAL', DAU: 'SCHOOL_SEAL' });

/** EthnicCode: the General Statistics Office's codes of the 54 ethnic groups (canonical/ethnicities.ts). */
export const ETHNICITY_BY_SMAS: Readonly<Record<string, string>> = ETHNICITY_BY_CODE;

/** Disability/Type: the six types of Law 51/2010/QH12 art. 3.1, numbered. */
export const DISABILITY_BY_SMAS: Readonly<Record<string, DisabilityType>> = table({ '1': 'VAN_DONG', '2': 'NGHE_NOI', '3': 'NHIN', '4': 'THAN_KINH_TAM_THAN', '5': 'TRI_TUE', '6': 'KHAC' });

/** Passport/Type: a passport (P) or another travel document (TD). */
export const DOCUMENT_BY_SMAS: Readonly<Record<string, IdentityDocumentKind>> = table({ P: 'PASSPORT', TD: 'TRAVEL_DOCUMENT' });

/** Exemption/Reason: SK sức khỏe, KT khuyết tật. */
export const EXEMPTION_BY_SMAS: Readonly<Record<string, ExemptionReason>> = table({ SK: 'HEALTH', KT: 'DISABILITY' });

/** Subject/Orientation of Công nghệ at grades 10-12. */
export const ORIENTATION_BY_SMAS: Readonly<Record<string, TechnologyOrientation>> = table({ CN: 'CONG_NGHIEP', NN: 'NONG_NGHIEP' });

/** RecordForm/PolicyCategory: đối tượng chính sách, numbered. */
export const POLICY_BY_SMAS: Readonly<Record<string, PolicyCategory>> = table({
  '1': 'CON_LIET_SI', '2': 'CON_THUONG_BINH_BENH_BINH', '3': 'HO_NGHEO', '4': 'HO_CAN_NGHEO', '5': 'DAN_TOC_THIEU_SO_VUNG_KHO_KHAN', '6': 'MO_COI', '7': 'KHUYET_TAT', '8': 'KHAC',
});
/** RecordForm/Family/Member/Relation. */
export const RELATION_BY_SMAS: Readonly<Record<string, FamilyMember['relation']>> = table({ CHA: 'FATHER', ME: 'MOTHER', NGH: 'GUARDIAN' });
/** RecordForm/History/Entry/Transfer/Direction. */
export const TRANSFER_BY_SMAS: Readonly<Record<string, 'IN' | 'OUT'>> = table({ DEN: 'IN', DI: 'OUT' });
/** RecordForm/Titles/Title. */
export const TITLE_BY_SMAS: Readonly<Record<string, Title>> = table({ XS: 'HOC_SINH_XUAT_SAC', G: 'HOC_SINH_GIOI', TB: 'HOC_SINH_TIEU_BIEU' });

export function lookup<T>(t: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(t, key) ? t[key] : undefined;
}

/** The SMAS code of a canonical value (for rendering samples): the first key that maps to it. */
export function codeOf<T>(t: Readonly<Record<string, T>>, value: T): string | undefined {
  for (const k in t) if (t[k] === value) return k;
  return undefined;
}
