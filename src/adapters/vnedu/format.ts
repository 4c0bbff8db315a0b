// The native JSON batch of VNPT vnEdu as the gateway receives it (see README.md beside this file).
// Field names are vnEdu's: Vietnamese without diacritics, PascalCase. Types describe a well-formed
// batch; the mapper still reads every field as unknown because vendors send what they send.
// One batch is one school and one school year; a student is primary (Khoi 1-5) or secondary (6-12).

/** A primary subject (Circular 27): level, and periodic test scores for tested subjects. */
export interface VneduPrimarySubject {
  MaMon: string;
  MucDat: string; // HTT | HT | CHT
  DiemGKI?: number; // giữa học kì I (Tiếng Việt, Toán at grades 4-5)
  DiemCKI?: number; // cuối học kì I
  DiemGKII?: number; // giữa học kì II (Tiếng Việt, Toán at grades 4-5)
  DiemKTDK?: number; // kiểm tra định kì cuối năm
  /** Tin học và Công nghệ (TH-CN) only: its two parts, each with its level and end-of-term test scores. */
  PhanTinHoc?: VneduSubjectPart;
  PhanCongNghe?: VneduSubjectPart;
}

export interface VneduSubjectPart {
  MucDat: string;
  DiemCKI?: number;
  DiemKTDK?: number;
}

/** One term of a secondary subject assessed by score: ĐĐGtx, ĐĐGgk, ĐĐGck, ĐTBmhk. */
export interface VneduScoreTerm {
  DDGtx: number[];
  DDGgk: number;
  DDGck: number;
  DTB: number;
}

/** One term of a secondary subject assessed by comment: every value Đ (Đạt) or CĐ (Chưa đạt). */
export interface VneduCommentTerm {
  DDGtx: string[];
  DDGgk: string;
  DDGck: string;
  KQ: string;
}

/** A secondary subject (Circular 22): a number in `CaNam` means assessed by score, Đ/CĐ by comment. */
export interface VneduSecondarySubject {
  MaMon: string;
  SoTiet: number; // periods a year
  /** Grades 10-12: chuyên đề clusters taken in this subject. */
  SoCumChuyenDe?: number;
  /** Công nghệ at grades 10-12: CongNghiep or NongNghiep. */
  DinhHuong?: string;
  HK1: VneduScoreTerm | VneduCommentTerm;
  HK2: VneduScoreTerm | VneduCommentTerm;
  CaNam: number | string; // ĐTBmcn, or the year's Đ/CĐ
  /** Kiểm tra lại after a Chưa đạt year: a score, or Đ/CĐ for a subject assessed by comment. */
  KiemTraLai?: number | string;
}

/** Learning (HocTap) or conduct (RenLuyen) results: T / K / Đ / CĐ. */
export interface VneduTermResults {
  HK1: string;
  HK2: string;
  CaNam: string;
  SauHe?: string; // after the summer retest / training
}

/** Signing times (ISO 8601) of the signatures on the vendor's signed rendition. */
export interface VneduSignatures {
  GVCN?: string;
  HieuTruong?: string;
  DauTruong?: string;
}

export interface VneduStudent {
  MaHocSinh: string;
  MaDinhDanh?: string;
  HoTen: string;
  NgaySinh: string; // dd/MM/yyyy
  GioiTinh: string; // "Nam" | "Nữ"
  DanToc: string;
  QuocTich: string; // "Việt Nam" or an ISO alpha-2 code
  /** true while a Vietnamese student's personal ID is not issued yet (MaDinhDanh left out): the record is held. */
  ChoCapMaDinhDanh?: boolean;
  /** A foreign student's passport (HoChieu) or travel document (GiayToDiLai), instead of MaDinhDanh. */
  GiayTo?: { Loai: string; So: string; NoiCap: string };
  /** A birth registered at a Vietnamese mission abroad: the country (name or ISO alpha-2). */
  NoiDangKyKhaiSinh?: string;
  /** Khuyết tật: Loai (VanDong, NgheNoi, Nhin, ThanKinhTamThan, TriTue, Khac), assessed by an individual plan or not. */
  KhuyetTat?: { Loai: string; KeHoachCaNhan: boolean };
  /** Subjects the student is exempted from: MaMon and LyDo (SucKhoe, KhuyetTat). */
  MienHoc?: { MaMon: string; LyDo: string }[];
  Khoi: number;
  Lop: string;
  GVCN: string;
  SoHocBa: string;
  MaTraCuu: string;
  NgayHieuLuc: string; // dd/MM/yyyy
  PhienBan: number;
  KetQuaHocTap: VneduPrimarySubject[] | VneduSecondarySubject[];
  // Primary (Khoi 1-5)
  PhamChat?: Record<string, string>;
  NangLuc?: Record<string, string>;
  DanhGiaCuoiNam?: string;
  HoanThanhCTLH?: boolean;
  // Secondary (Khoi 6-12)
  HocTap?: VneduTermResults;
  RenLuyen?: VneduTermResults;
  /** Primary, after a year not completed: the supplementary assessment's date (dd/MM/yyyy) and whether it completes the programme. */
  DanhGiaBoSung?: { Ngay: string; HoanThanh: boolean };
  /** Grade 5: hoàn thành chương trình tiểu học. */
  HoanThanhCTTH?: boolean;
  /** Grade 9: the principal's confirmation of completing lower secondary. */
  XacNhanHoanThanhTHCS?: { SoQuyetDinh: string; Ngay: string };
  /** Grade 12: eligible for the graduation review. */
  DuDieuKienXetTN?: boolean;
  /** Profile v2: the rest of the học bạ form (README.md, "The record form"). */
  LyLich?: VneduRecordForm;
  // Both
  LenLop: boolean;
  KhenThuong: string[];
  NhanXet: string;
  SoBuoiNghiCoPhep: number;
  SoBuoiNghiKhongPhep: number;
  ChuKy: VneduSignatures;
}

/** LyLich: lý lịch and the rest of the học bạ form, every field optional. */
export interface VneduRecordForm {
  MaDanToc?: string; // QĐ 4998 / GSO code, 01-55
  NoiSinh?: string;
  QueQuan?: string;
  NoiO?: string;
  DoiTuongChinhSach?: string; // codes.ts POLICY_BY_VNEDU_CODE
  SoDangBo?: string;
  NgayNhapHoc?: string; // dd/MM/yyyy
  GiaDinh?: { QuanHe: string; HoTen: string; NamSinh?: number; NgheNghiep?: string }[];
  QuaTrinhHocTap?: { NamHoc: string; Khoi: number; MaTruong?: string; TenTruong: string; Lop: string; ChuyenTruong?: { Loai: string; Ngay: string; TruongKhac?: string } }[];
  NhanXetMon?: { MaMon: string; NhanXet: string }[];
  NhanXetPhamChat?: Record<string, string>;
  NhanXetNangLuc?: Record<string, string>;
  ChieuCao?: number; // cm
  CanNang?: number; // kg
  DanhHieu?: string[]; // XuatSac, Gioi, TieuBieu
}

export interface VneduBatch {
  MaSoGD: string;
  MaTruong: string;
  TenTruong: string;
  NamHoc: string;
  HieuTruong: string;
  DanhSachHocSinh: VneduStudent[];
}

/** What `split` hands to `map` for every student: the batch-level fields. */
export type VneduContext = Omit<VneduBatch, 'DanhSachHocSinh'>;
