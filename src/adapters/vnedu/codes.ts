import type { CommentResult, DisabilityType, ExemptionReason, FamilyMember, IdentityDocumentKind, PolicyCategory, PrimarySubject, Rating, ResultLevel, SecondarySubject, SignatureRole, SubjectLevel, TechnologyOrientation, Title } from '../../canonical/record.js';

// vnEdu's own codes and their canonical counterparts. Lookups go through `lookup` so that an
// inherited key such as "constructor" never counts as a code.

/** Mã môn học of vnEdu, in the order of the Circular 27 record form. */
export const SUBJECT_BY_VNEDU_CODE: Readonly<Record<string, PrimarySubject>> = Object.freeze({
  TV: 'TIENG_VIET',
  TO: 'TOAN',
  NN: 'NGOAI_NGU_1',
  'LS-DL': 'LICH_SU_DIA_LI',
  KH: 'KHOA_HOC',
  'TH-CN': 'TIN_HOC_CONG_NGHE',
  DD: 'DAO_DUC',
  TNXH: 'TU_NHIEN_XA_HOI',
  TD: 'GIAO_DUC_THE_CHAT',
  AN: 'AM_NHAC',
  MT: 'MI_THUAT',
  HDTN: 'HOAT_DONG_TRAI_NGHIEM',
  TDT: 'TIENG_DAN_TOC',
});

/** Mã môn học of vnEdu for grades 6-12, in the order of the Circular 22 record form. */
export const SECONDARY_SUBJECT_BY_VNEDU_CODE: Readonly<Record<string, SecondarySubject>> = Object.freeze({
  NV: 'NGU_VAN',
  TO: 'TOAN',
  NN: 'NGOAI_NGU_1',
  GDCD: 'GIAO_DUC_CONG_DAN',
  'LS-DL': 'LICH_SU_DIA_LI',
  KHTN: 'KHOA_HOC_TU_NHIEN',
  LS: 'LICH_SU',
  DL: 'DIA_LI',
  GDKTPL: 'GIAO_DUC_KINH_TE_PHAP_LUAT',
  LY: 'VAT_LI',
  HOA: 'HOA_HOC',
  SINH: 'SINH_HOC',
  CN: 'CONG_NGHE',
  TIN: 'TIN_HOC',
  GDQPAN: 'GIAO_DUC_QUOC_PHONG_AN_NINH',
  TD: 'GIAO_DUC_THE_CHAT',
  AN: 'AM_NHAC',
  MT: 'MI_THUAT',
  HDTN: 'HOAT_DONG_TRAI_NGHIEM_HUONG_NGHIEP',
  GDDP: 'NOI_DUNG_GIAO_DUC_DIA_PHUONG',
  TDT: 'TIENG_DAN_TOC',
  NN2: 'NGOAI_NGU_2',
});

/** Comment results: Đ (Đạt) / CĐ (Chưa đạt), also without the diacritic. */
export const COMMENT_BY_VNEDU_CODE: Readonly<Record<string, CommentResult>> = Object.freeze({ 'Đ': 'DAT', D: 'DAT', 'CĐ': 'CHUA_DAT', CD: 'CHUA_DAT' });

/** Learning and conduct results: T (Tốt) / K (Khá) / Đ (Đạt) / CĐ (Chưa đạt). */
export const RESULT_BY_VNEDU_CODE: Readonly<Record<string, ResultLevel>> = Object.freeze({
  T: 'TOT',
  K: 'KHA',
  'Đ': 'DAT',
  D: 'DAT',
  'CĐ': 'CHUA_DAT',
  CD: 'CHUA_DAT',
});

/** ChuKy keys, in canonical SIGNATURE_ROLES order. */
export const SIGNATURE_BY_VNEDU_KEY: Readonly<Record<string, SignatureRole>> = Object.freeze({
  GVCN: 'HOMEROOM_TEACHER',
  HieuTruong: 'PRINCIPAL',
  DauTruong: 'SCHOOL_SEAL',
});

/** Mức đạt được: Hoàn thành tốt / Hoàn thành / Chưa hoàn thành. */
export const LEVEL_BY_VNEDU_CODE: Readonly<Record<string, SubjectLevel>> = Object.freeze({ HTT: 'T', HT: 'H', CHT: 'C' });

/** Quality and competency ratings: Tốt / Đạt / Cần cố gắng ("D" for exports that drop the diacritic). */
export const RATING_BY_VNEDU_CODE: Readonly<Record<string, Rating>> = Object.freeze({ T: 'TOT', 'Đ': 'DAT', D: 'DAT', C: 'CCG' });

/** PhamChat keys, in canonical QUALITIES order. */
export const QUALITY_BY_VNEDU_KEY: Readonly<Record<string, string>> = Object.freeze({
  YeuNuoc: 'YEU_NUOC',
  NhanAi: 'NHAN_AI',
  ChamChi: 'CHAM_CHI',
  TrungThuc: 'TRUNG_THUC',
  TrachNhiem: 'TRACH_NHIEM',
});

/** NangLuc keys, in canonical COMPETENCIES order. */
export const COMPETENCY_BY_VNEDU_KEY: Readonly<Record<string, string>> = Object.freeze({
  TuChuTuHoc: 'TU_CHU_TU_HOC',
  GiaoTiepHopTac: 'GIAO_TIEP_HOP_TAC',
  GiaiQuyetVanDe: 'GIAI_QUYET_VAN_DE_SANG_TAO',
  NgonNgu: 'NGON_NGU',
  TinhToan: 'TINH_TOAN',
  KhoaHoc: 'KHOA_HOC',
  CongNghe: 'CONG_NGHE',
  TinHoc: 'TIN_HOC',
  ThamMi: 'THAM_MI',
  TheChat: 'THE_CHAT',
});

export const SEX_BY_VNEDU_VALUE: Readonly<Record<string, 'M' | 'F'>> = Object.freeze({ Nam: 'M', 'Nữ': 'F', Nu: 'F' });

/** QuocTich as vnEdu writes it (a name); ISO alpha-2 codes are accepted as they are. */
export const COUNTRY_BY_VNEDU_NAME: Readonly<Record<string, string>> = Object.freeze({
  'Việt Nam': 'VN',
  'Lào': 'LA',
  Campuchia: 'KH',
  'Trung Quốc': 'CN',
  'Hàn Quốc': 'KR',
  'Nhật Bản': 'JP',
  'Hoa Kỳ': 'US',
});

/** KhuyetTat.Loai: the disability types of Law 51/2010/QH12 art. 3.1. */
export const DISABILITY_BY_VNEDU_CODE: Readonly<Record<string, DisabilityType>> = Object.freeze({
  VanDong: 'VAN_DONG',
  NgheNoi: 'NGHE_NOI',
  Nhin: 'NHIN',
  ThanKinhTamThan: 'THAN_KINH_TAM_THAN',
  TriTue: 'TRI_TUE',
  Khac: 'KHAC',
});

/** MienHoc[].LyDo: why a subject is not assessed. */
export const EXEMPTION_BY_VNEDU_CODE: Readonly<Record<string, ExemptionReason>> = Object.freeze({ SucKhoe: 'HEALTH', KhuyetTat: 'DISABILITY' });

/** GiayTo.Loai: a foreign student's document. */
export const DOCUMENT_BY_VNEDU_CODE: Readonly<Record<string, IdentityDocumentKind>> = Object.freeze({ HoChieu: 'PASSPORT', GiayToDiLai: 'TRAVEL_DOCUMENT' });

/** DinhHuong of Công nghệ at grades 10-12. */
export const ORIENTATION_BY_VNEDU_CODE: Readonly<Record<string, TechnologyOrientation>> = Object.freeze({ CongNghiep: 'CONG_NGHIEP', NongNghiep: 'NONG_NGHIEP' });

/** LyLich.DoiTuongChinhSach: đối tượng chính sách (profile v2 form.policyCategory). */
export const POLICY_BY_VNEDU_CODE: Readonly<Record<string, PolicyCategory>> = Object.freeze({
  ConLietSi: 'CON_LIET_SI',
  ConThuongBinhBenhBinh: 'CON_THUONG_BINH_BENH_BINH',
  HoNgheo: 'HO_NGHEO',
  HoCanNgheo: 'HO_CAN_NGHEO',
  DTTSVungKhoKhan: 'DAN_TOC_THIEU_SO_VUNG_KHO_KHAN',
  MoCoi: 'MO_COI',
  KhuyetTat: 'KHUYET_TAT',
  Khac: 'KHAC',
});

/** LyLich.GiaDinh[].QuanHe. */
export const RELATION_BY_VNEDU_CODE: Readonly<Record<string, FamilyMember['relation']>> = Object.freeze({ Cha: 'FATHER', Me: 'MOTHER', NguoiGiamHo: 'GUARDIAN' });

/** LyLich.QuaTrinhHocTap[].ChuyenTruong.Loai: chuyển đến, chuyển đi. */
export const TRANSFER_BY_VNEDU_CODE: Readonly<Record<string, 'IN' | 'OUT'>> = Object.freeze({ Den: 'IN', Di: 'OUT' });

/** LyLich.DanhHieu. */
export const TITLE_BY_VNEDU_CODE: Readonly<Record<string, Title>> = Object.freeze({ XuatSac: 'HOC_SINH_XUAT_SAC', Gioi: 'HOC_SINH_GIOI', TieuBieu: 'HOC_SINH_TIEU_BIEU' });

export function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}
