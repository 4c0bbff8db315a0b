import type { Competency, PrimarySubject, Quality, Rating, ResultLevel, SecondarySubject, SignatureRole, SubjectLevel, YearEndResult, CommentResult } from './codes.js';

// The Vietnamese names of the canonical codes, as the record form prints them (the PDF học bạ).

export const PRIMARY_SUBJECT_VI: Readonly<Record<PrimarySubject, string>> = {
  TIENG_VIET: 'Tiếng Việt', TOAN: 'Toán', NGOAI_NGU_1: 'Ngoại ngữ 1', TIN_HOC_CONG_NGHE: 'Tin học và Công nghệ', KHOA_HOC: 'Khoa học',
  LICH_SU_DIA_LI: 'Lịch sử và Địa lí', DAO_DUC: 'Đạo đức', TU_NHIEN_XA_HOI: 'Tự nhiên và Xã hội', AM_NHAC: 'Âm nhạc', MI_THUAT: 'Mĩ thuật',
  GIAO_DUC_THE_CHAT: 'Giáo dục thể chất', HOAT_DONG_TRAI_NGHIEM: 'Hoạt động trải nghiệm', TIENG_DAN_TOC: 'Tiếng dân tộc',
};

export const SECONDARY_SUBJECT_VI: Readonly<Record<SecondarySubject, string>> = {
  NGU_VAN: 'Ngữ văn', TOAN: 'Toán', NGOAI_NGU_1: 'Ngoại ngữ 1', GIAO_DUC_CONG_DAN: 'Giáo dục công dân', LICH_SU_DIA_LI: 'Lịch sử và Địa lí',
  KHOA_HOC_TU_NHIEN: 'Khoa học tự nhiên', LICH_SU: 'Lịch sử', DIA_LI: 'Địa lí', GIAO_DUC_KINH_TE_PHAP_LUAT: 'Giáo dục kinh tế và pháp luật',
  VAT_LI: 'Vật lí', HOA_HOC: 'Hóa học', SINH_HOC: 'Sinh học', CONG_NGHE: 'Công nghệ', TIN_HOC: 'Tin học',
  GIAO_DUC_QUOC_PHONG_AN_NINH: 'Giáo dục quốc phòng và an ninh', GIAO_DUC_THE_CHAT: 'Giáo dục thể chất', AM_NHAC: 'Âm nhạc', MI_THUAT: 'Mĩ thuật',
  HOAT_DONG_TRAI_NGHIEM_HUONG_NGHIEP: 'Hoạt động trải nghiệm, hướng nghiệp', NOI_DUNG_GIAO_DUC_DIA_PHUONG: 'Nội dung giáo dục của địa phương',
  TIENG_DAN_TOC: 'Tiếng dân tộc', NGOAI_NGU_2: 'Ngoại ngữ 2',
};

export const QUALITY_VI: Readonly<Record<Quality, string>> = { YEU_NUOC: 'Yêu nước', NHAN_AI: 'Nhân ái', CHAM_CHI: 'Chăm chỉ', TRUNG_THUC: 'Trung thực', TRACH_NHIEM: 'Trách nhiệm' };

export const COMPETENCY_VI: Readonly<Record<Competency, string>> = {
  TU_CHU_TU_HOC: 'Tự chủ và tự học', GIAO_TIEP_HOP_TAC: 'Giao tiếp và hợp tác', GIAI_QUYET_VAN_DE_SANG_TAO: 'Giải quyết vấn đề và sáng tạo',
  NGON_NGU: 'Ngôn ngữ', TINH_TOAN: 'Tính toán', KHOA_HOC: 'Khoa học', CONG_NGHE: 'Công nghệ', TIN_HOC: 'Tin học', THAM_MI: 'Thẩm mĩ', THE_CHAT: 'Thể chất',
};

export const SUBJECT_LEVEL_VI: Readonly<Record<SubjectLevel, string>> = { T: 'Hoàn thành tốt', H: 'Hoàn thành', C: 'Chưa hoàn thành' };
export const RATING_VI: Readonly<Record<Rating, string>> = { TOT: 'Tốt', DAT: 'Đạt', CCG: 'Cần cố gắng' };
export const YEAR_END_VI: Readonly<Record<YearEndResult, string>> = {
  HTXS: 'Hoàn thành xuất sắc', HTT: 'Hoàn thành tốt', HT: 'Hoàn thành', CHT: 'Chưa hoàn thành',
};
export const RESULT_LEVEL_VI: Readonly<Record<ResultLevel, string>> = { TOT: 'Tốt', KHA: 'Khá', DAT: 'Đạt', CHUA_DAT: 'Chưa đạt' };
export const COMMENT_RESULT_VI: Readonly<Record<CommentResult, string>> = { DAT: 'Đạt', CHUA_DAT: 'Chưa đạt' };
export const SIGNATURE_ROLE_VI: Readonly<Record<SignatureRole, string>> = { HOMEROOM_TEACHER: 'Giáo viên chủ nhiệm', PRINCIPAL: 'Hiệu trưởng', SCHOOL_SEAL: 'Dấu của nhà trường' };

/** The names of a signed document's signer roles (record-signatures/format.ts). */
export const SIGNER_ROLE_VI: Readonly<Record<string, string>> = { teacher: 'Giáo viên chủ nhiệm', principal: 'Hiệu trưởng', seal: 'Dấu của nhà trường' };

/** A code's name, or the code itself when the table has none (a newer profile's code). */
export function nameOf<K extends string>(table: Readonly<Record<K, string>>, code: string | undefined | null): string {
  if (code === undefined || code === null) return '';
  return (table as Record<string, string>)[code] ?? code;
}
