import type { PrimarySubject, Rating, SubjectLevel } from '../../canonical/record.js';

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

export function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}
