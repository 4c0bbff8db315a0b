// The native JSON batch of VNPT vnEdu as the gateway receives it (see README.md beside this file).
// Field names are vnEdu's: Vietnamese without diacritics, PascalCase. Types describe a well-formed
// batch; the mapper still reads every field as unknown because vendors send what they send.

export interface VneduSubjectResult {
  MaMon: string;
  MucDat: string;
  DiemKTDK?: number;
}

export interface VneduStudent {
  MaHocSinh: string;
  MaDinhDanh: string;
  HoTen: string;
  NgaySinh: string; // dd/MM/yyyy
  GioiTinh: string; // "Nam" | "Nữ"
  DanToc: string;
  QuocTich: string; // "Việt Nam" or an ISO alpha-2 code
  Khoi: number;
  Lop: string;
  GVCN: string;
  SoHocBa: string;
  MaTraCuu: string;
  NgayHieuLuc: string; // dd/MM/yyyy
  PhienBan: number;
  KetQuaHocTap: VneduSubjectResult[];
  PhamChat: Record<string, string>;
  NangLuc: Record<string, string>;
  DanhGiaCuoiNam: string;
  HoanThanhCTLH: boolean;
  LenLop: boolean;
  KhenThuong: string[];
  NhanXet: string;
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
