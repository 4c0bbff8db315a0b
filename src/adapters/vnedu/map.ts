import { LAST_PRIMARY_GRADE, type CanonicalRecord, type NamedRating } from '../../canonical/record.js';
import type { MapOutcome } from '../adapter.js';
import type { FieldError } from '../../validation/types.js';
import {
  COMMENT_BY_VNEDU_CODE,
  COMPETENCY_BY_VNEDU_KEY,
  COUNTRY_BY_VNEDU_NAME,
  DISABILITY_BY_VNEDU_CODE,
  DOCUMENT_BY_VNEDU_CODE,
  EXEMPTION_BY_VNEDU_CODE,
  LEVEL_BY_VNEDU_CODE,
  ORIENTATION_BY_VNEDU_CODE,
  POLICY_BY_VNEDU_CODE,
  QUALITY_BY_VNEDU_KEY,
  RELATION_BY_VNEDU_CODE,
  TITLE_BY_VNEDU_CODE,
  TRANSFER_BY_VNEDU_CODE,
  RATING_BY_VNEDU_CODE,
  RESULT_BY_VNEDU_CODE,
  SECONDARY_SUBJECT_BY_VNEDU_CODE,
  SEX_BY_VNEDU_VALUE,
  SIGNATURE_BY_VNEDU_KEY,
  SUBJECT_BY_VNEDU_CODE,
  lookup,
} from './codes.js';
import type { VneduContext } from './format.js';
import { checkEnvelope, decimal, integer, isAbsent, isObject, text, type Json } from '../json-values.js';
import { withoutUnratedCompetencies } from '../ratings.js';

// The mapper reports only what it cannot translate (a date it cannot read, a code not in a
// vnEdu table) at the vendor's path. Anything missing or of the wrong type is passed through
// unchanged so that schema validation reports it once, at the canonical path.

/** A secondary subject is assessed by comment when its year value is a Đ/CĐ code rather than a number. */
const isCommentSubject = (r: Json): boolean => typeof r.CaNam === 'string' && !/^[0-9.]+$/.test(r.CaNam.trim());

/** Periodic test fields of a primary subject, in canonical order. */
const PRIMARY_TESTS = [
  ['DiemGKI', 'midTermI'],
  ['DiemCKI', 'endOfTermI'],
  ['DiemGKII', 'midTermII'],
  ['DiemKTDK', 'endOfYear'],
] as const;

/** vnEdu leaves the list out when a student has no commendation. */
function commendations(v: unknown): unknown {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v.map(text) : v;
}

class ItemMapper {
  readonly errors: FieldError[] = [];

  invalid(path: string, en: string, vi: string): undefined {
    this.errors.push({ path, code: 'VENDOR_FIELD_INVALID', detail_en: en, detail_vi: vi });
    return undefined;
  }

  /** dd/MM/yyyy (day and month may have one digit) to ISO yyyy-mm-dd. */
  date(v: unknown, path: string): unknown {
    if (isAbsent(v)) return undefined;
    if (typeof v !== 'string') return v;
    const m = /^([0-9]{1,2})\/([0-9]{1,2})\/([0-9]{4})$/.exec(v.trim());
    if (m) {
      const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const t = new Date(Date.UTC(y, mo - 1, d));
      if (t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d) {
        return `${m[3]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
      }
    }
    return this.invalid(path, `expected a date dd/MM/yyyy, got "${v}"`, `cần ngày dạng dd/MM/yyyy, nhận được "${v}"`);
  }

  code<T>(table: Readonly<Record<string, T>>, v: unknown, path: string, en: string, vi: string): unknown {
    if (isAbsent(v)) return undefined;
    if (typeof v !== 'string') return v;
    const key = v.normalize('NFC').trim();
    const found = lookup(table, key);
    if (found !== undefined) return found;
    const allowed = Object.keys(table).join(', ');
    return this.invalid(path, `unknown ${en} "${v}" (known: ${allowed})`, `${vi} "${v}" không có trong danh mục (${allowed})`);
  }

  /** A country by vnEdu's name for it or its ISO alpha-2 code. */
  country(v: unknown, path: string): unknown {
    const s = text(v);
    if (typeof s === 'string' && /^[A-Z]{2}$/.test(s)) return s;
    return this.code(COUNTRY_BY_VNEDU_NAME, s, path, 'country', 'quốc gia');
  }

  /** The optional identity fields of a student, present only when vnEdu sends them (README: students the rules forget). */
  identity(item: Json): Json {
    const out: Json = {};
    if (item.ChoCapMaDinhDanh !== undefined && item.ChoCapMaDinhDanh !== null) out.personalIdPending = item.ChoCapMaDinhDanh;
    const doc = item.GiayTo;
    if (!isAbsent(doc)) {
      out.identityDocument = isObject(doc)
        ? { kind: this.code(DOCUMENT_BY_VNEDU_CODE, doc.Loai, '/GiayTo/Loai', 'document kind', 'loại giấy tờ'), number: text(doc.So), issuingCountry: this.country(doc.NoiCap, '/GiayTo/NoiCap') }
        : doc;
    }
    if (!isAbsent(item.NoiDangKyKhaiSinh)) out.birthRegistrationCountry = this.country(item.NoiDangKyKhaiSinh, '/NoiDangKyKhaiSinh');
    const d = item.KhuyetTat;
    if (!isAbsent(d)) {
      out.disability = isObject(d) ? { type: this.code(DISABILITY_BY_VNEDU_CODE, d.Loai, '/KhuyetTat/Loai', 'disability type', 'dạng khuyết tật'), individualPlan: d.KeHoachCaNhan } : d;
    }
    return out;
  }

  /** DanhGiaBoSung (primary, after a year not completed): its date (dd/MM/yyyy) and whether the programme is then completed. */
  supplementaryAssessment(v: unknown): Json {
    if (isAbsent(v)) return {};
    if (!isObject(v)) return { supplementaryAssessment: v };
    return { supplementaryAssessment: { date: this.date(v.Ngay, '/DanhGiaBoSung/Ngay'), completedProgramme: v.HoanThanh } };
  }

  /**
   * LyLich: the rest of the học bạ form (profile v2's `form`), each field only when vnEdu sends
   * it, in the order of the v2 schema. `subjects` are vnEdu's subject codes of the level.
   */
  form(v: unknown, subjects: Readonly<Record<string, string>>): Json {
    if (isAbsent(v)) return {};
    if (!isObject(v)) return { form: v };
    const out: Json = {};
    const put = (key: string, value: unknown) => {
      if (value !== undefined) out[key] = value;
    };
    const list = (w: unknown, path: string, each: (x: Json, p: string) => unknown): unknown => {
      if (isAbsent(w)) return undefined;
      if (!Array.isArray(w)) return w;
      return w.map((x: unknown, i) => (isObject(x) ? each(x, `${path}/${i}`) : this.invalid(`${path}/${i}`, 'each item must be an object', 'mỗi mục phải là một đối tượng')));
    };
    const named = (w: unknown, table: Readonly<Record<string, string>>, path: string): unknown => {
      if (isAbsent(w)) return undefined;
      if (!isObject(w)) return w;
      return Object.entries(w).map(([k, comment]) => ({ code: this.code(table, k, `${path}/${k}`, 'key', 'khóa'), comment: text(comment) }));
    };
    put('ethnicityCode', text(v.MaDanToc));
    put('birthPlace', text(v.NoiSinh));
    put('homeTown', text(v.QueQuan));
    put('address', text(v.NoiO));
    put('policyCategory', this.code(POLICY_BY_VNEDU_CODE, v.DoiTuongChinhSach, '/LyLich/DoiTuongChinhSach', 'policy category', 'đối tượng chính sách'));
    put('registrationNumber', text(v.SoDangBo));
    put('enrolmentDate', isAbsent(v.NgayNhapHoc) ? undefined : this.date(v.NgayNhapHoc, '/LyLich/NgayNhapHoc'));
    put('family', list(v.GiaDinh, '/LyLich/GiaDinh', (x, p) => ({
      relation: this.code(RELATION_BY_VNEDU_CODE, x.QuanHe, `${p}/QuanHe`, 'relation', 'quan hệ'),
      fullName: text(x.HoTen),
      ...(isAbsent(x.NamSinh) ? {} : { birthYear: integer(x.NamSinh) }),
      ...(isAbsent(x.NgheNghiep) ? {} : { occupation: text(x.NgheNghiep) }),
    })));
    put('schoolHistory', list(v.QuaTrinhHocTap, '/LyLich/QuaTrinhHocTap', (x, p) => {
      const t = x.ChuyenTruong;
      return {
        schoolYear: text(x.NamHoc),
        grade: integer(x.Khoi),
        ...(isAbsent(x.MaTruong) ? {} : { schoolId: text(x.MaTruong) }),
        schoolName: text(x.TenTruong),
        className: text(x.Lop),
        ...(isAbsent(t) ? {} : {
          transfer: isObject(t)
            ? { kind: this.code(TRANSFER_BY_VNEDU_CODE, t.Loai, `${p}/ChuyenTruong/Loai`, 'transfer', 'chuyển trường'), date: this.date(t.Ngay, `${p}/ChuyenTruong/Ngay`), ...(isAbsent(t.TruongKhac) ? {} : { otherSchool: text(t.TruongKhac) }) }
            : t,
        }),
      };
    }));
    put('subjectComments', list(v.NhanXetMon, '/LyLich/NhanXetMon', (x, p) => ({ subject: this.code(subjects, x.MaMon, `${p}/MaMon`, 'subject code', 'mã môn học'), comment: text(x.NhanXet) })));
    put('qualityComments', named(v.NhanXetPhamChat, QUALITY_BY_VNEDU_KEY, '/LyLich/NhanXetPhamChat'));
    put('competencyComments', named(v.NhanXetNangLuc, COMPETENCY_BY_VNEDU_KEY, '/LyLich/NhanXetNangLuc'));
    if (!isAbsent(v.ChieuCao) || !isAbsent(v.CanNang)) out.physical = { heightCm: decimal(v.ChieuCao), weightKg: decimal(v.CanNang) };
    put('titles', isAbsent(v.DanhHieu) ? undefined : Array.isArray(v.DanhHieu) ? v.DanhHieu.map((x: unknown, i) => this.code(TITLE_BY_VNEDU_CODE, x, `/LyLich/DanhHieu/${i}`, 'title', 'danh hiệu')) : v.DanhHieu);
    return { form: out };
  }

  /** XacNhanHoanThanhTHCS (grade 9): the principal's decision number and its date (dd/MM/yyyy). */
  lowerSecondaryCompletion(v: unknown): Json {
    if (isAbsent(v)) return {};
    if (!isObject(v)) return { lowerSecondaryCompletion: v };
    return { lowerSecondaryCompletion: { decisionNumber: text(v.SoQuyetDinh), date: this.date(v.Ngay, '/XacNhanHoanThanhTHCS/Ngay') } };
  }

  /** MienHoc: subjects the student is exempted from, with vnEdu's subject codes of the level. */
  exemptSubjects(v: unknown, table: Readonly<Record<string, string>>): Json {
    if (isAbsent(v)) return {};
    if (!Array.isArray(v)) return { exemptSubjects: v };
    return {
      exemptSubjects: v.map((r: unknown, i) => {
        const base = `/MienHoc/${i}`;
        if (!isObject(r)) return this.invalid(base, 'each exemption must be an object', 'mỗi môn miễn phải là một đối tượng');
        return { subject: this.code(table, r.MaMon, `${base}/MaMon`, 'subject code', 'mã môn học'), reason: this.code(EXEMPTION_BY_VNEDU_CODE, r.LyDo, `${base}/LyDo`, 'exemption reason', 'lý do miễn') };
      }),
    };
  }

  primarySubjects(v: unknown): unknown {
    if (!Array.isArray(v)) return text(v);
    return v.map((r: unknown, i) => {
      const base = `/KetQuaHocTap/${i}`;
      if (!isObject(r)) return this.invalid(base, 'each subject result must be an object', 'mỗi kết quả môn học phải là một đối tượng');
      const subject = this.code(SUBJECT_BY_VNEDU_CODE, r.MaMon, `${base}/MaMon`, 'subject code', 'mã môn học');
      const level = this.code(LEVEL_BY_VNEDU_CODE, r.MucDat, `${base}/MucDat`, 'level code', 'mức đạt được');
      const testScores: Json = {};
      for (const [vendor, canonical] of PRIMARY_TESTS) {
        const score = decimal(r[vendor]);
        if (score !== undefined) testScores[canonical] = score;
      }
      const out: Json = Object.keys(testScores).length === 0 ? { subject, level } : { subject, level, testScores };
      // Tin học và Công nghệ in its two parts (PhanTinHoc, PhanCongNghe), each with its level and end-of-term scores.
      if (!isAbsent(r.PhanTinHoc) || !isAbsent(r.PhanCongNghe)) {
        out.parts = { informatics: this.subjectPart(r.PhanTinHoc, `${base}/PhanTinHoc`), technology: this.subjectPart(r.PhanCongNghe, `${base}/PhanCongNghe`) };
      }
      return out;
    });
  }

  /** One part of Tin học và Công nghệ: MucDat, DiemCKI, DiemKTDK. */
  subjectPart(v: unknown, path: string): unknown {
    if (!isObject(v)) return text(v);
    const part: Json = { level: this.code(LEVEL_BY_VNEDU_CODE, v.MucDat, `${path}/MucDat`, 'level code', 'mức đạt được') };
    if (!isAbsent(v.DiemCKI)) part.endOfTermI = decimal(v.DiemCKI);
    if (!isAbsent(v.DiemKTDK)) part.endOfYear = decimal(v.DiemKTDK);
    return part;
  }

  scoreTerm(t: unknown): unknown {
    if (!isObject(t)) return text(t);
    return {
      regularScores: Array.isArray(t.DDGtx) ? t.DDGtx.map(decimal) : text(t.DDGtx),
      midTermScore: decimal(t.DDGgk),
      endOfTermScore: decimal(t.DDGck),
      average: decimal(t.DTB),
    };
  }

  commentTerm(t: unknown, path: string): unknown {
    if (!isObject(t)) return text(t);
    const comment = (v: unknown, p: string) => this.code(COMMENT_BY_VNEDU_CODE, v, p, 'comment result', 'kết quả đánh giá');
    return {
      regularResults: Array.isArray(t.DDGtx) ? t.DDGtx.map((x, k) => comment(x, `${path}/DDGtx/${k}`)) : text(t.DDGtx),
      midTermResult: comment(t.DDGgk, `${path}/DDGgk`),
      endOfTermResult: comment(t.DDGck, `${path}/DDGck`),
      result: comment(t.KQ, `${path}/KQ`),
    };
  }

  /** KetQuaHocTap of grades 6-12, split by kind of assessment; each list keeps the vendor's order. */
  secondarySubjects(v: unknown): { scoreSubjects: unknown; commentSubjects: unknown } {
    if (!Array.isArray(v)) return { scoreSubjects: text(v), commentSubjects: [] };
    const scoreSubjects: unknown[] = [];
    const commentSubjects: unknown[] = [];
    v.forEach((r: unknown, i) => {
      const base = `/KetQuaHocTap/${i}`;
      if (!isObject(r)) return void this.invalid(base, 'each subject result must be an object', 'mỗi kết quả môn học phải là một đối tượng');
      const subject = this.code(SECONDARY_SUBJECT_BY_VNEDU_CODE, r.MaMon, `${base}/MaMon`, 'subject code', 'mã môn học');
      const periodsPerYear = integer(r.SoTiet);
      const clusters = isAbsent(r.SoCumChuyenDe) ? {} : { topicClusters: integer(r.SoCumChuyenDe) };
      if (isCommentSubject(r)) {
        commentSubjects.push({
          subject,
          periodsPerYear,
          ...clusters,
          termI: this.commentTerm(r.HK1, `${base}/HK1`),
          termII: this.commentTerm(r.HK2, `${base}/HK2`),
          yearResult: this.code(COMMENT_BY_VNEDU_CODE, r.CaNam, `${base}/CaNam`, 'comment result', 'kết quả đánh giá'),
          ...(isAbsent(r.KiemTraLai) ? {} : { retestResult: this.code(COMMENT_BY_VNEDU_CODE, r.KiemTraLai, `${base}/KiemTraLai`, 'comment result', 'kết quả đánh giá') }),
        });
      } else {
        scoreSubjects.push({
          subject,
          ...(isAbsent(r.DinhHuong) ? {} : { orientation: this.code(ORIENTATION_BY_VNEDU_CODE, r.DinhHuong, `${base}/DinhHuong`, 'orientation', 'định hướng') }),
          periodsPerYear,
          ...clusters,
          termI: this.scoreTerm(r.HK1),
          termII: this.scoreTerm(r.HK2),
          yearAverage: decimal(r.CaNam),
          ...(isAbsent(r.KiemTraLai) ? {} : { retestScore: decimal(r.KiemTraLai) }),
        });
      }
    });
    return { scoreSubjects, commentSubjects };
  }

  termResults(v: unknown, field: string): unknown {
    if (!isObject(v)) return text(v);
    const level = (x: unknown, key: string) => this.code(RESULT_BY_VNEDU_CODE, x, `/${field}/${key}`, 'result', 'mức đánh giá');
    const out: Json = { termI: level(v.HK1, 'HK1'), termII: level(v.HK2, 'HK2'), year: level(v.CaNam, 'CaNam') };
    if (!isAbsent(v.SauHe)) out.afterSummer = level(v.SauHe, 'SauHe');
    return out;
  }

  /** ChuKy: signing times by role; a role left out or empty has not signed. */
  signatures(v: unknown): unknown {
    if (v === undefined || v === null) return [];
    if (!isObject(v)) return text(v);
    for (const key of Object.keys(v)) {
      if (lookup(SIGNATURE_BY_VNEDU_KEY, key) === undefined) this.invalid(`/ChuKy/${key}`, `unknown signature "${key}"`, `chữ ký "${key}" không có trong danh mục`);
    }
    return Object.entries(SIGNATURE_BY_VNEDU_KEY).flatMap(([key, role]) => (isAbsent(v[key]) ? [] : [{ role, signedAt: text(v[key]) }]));
  }

  /**
   * vnEdu keeps ratings as an object keyed by quality or competency. Every known key becomes one
   * entry, in canonical order, even when its rating is missing, so the schema reports the gap.
   */
  ratings(v: unknown, table: Readonly<Record<string, string>>, field: string): unknown {
    if (!isObject(v)) return text(v);
    for (const key of Object.keys(v)) {
      if (lookup(table, key) === undefined) {
        this.invalid(`/${field}/${key}`, `unknown ${field} key "${key}"`, `khóa "${key}" không có trong danh mục ${field}`);
      }
    }
    return Object.entries(table).map(([vendorKey, code]): NamedRating => {
      const rating = this.code(RATING_BY_VNEDU_CODE, v[vendorKey], `/${field}/${vendorKey}`, 'rating', 'mức đánh giá');
      return { code, rating } as NamedRating;
    });
  }
}

export function splitVneduBatch(batch: unknown): { items: unknown[]; context: VneduContext } {
  const { batch: b, items } = checkEnvelope(batch, { vendor: 'vnEdu', required: ['MaSoGD', 'MaTruong', 'NamHoc'], itemsField: 'DanhSachHocSinh' });
  const context: VneduContext = {
    MaSoGD: String(b.MaSoGD).trim(),
    MaTruong: String(b.MaTruong).trim(),
    TenTruong: text(b.TenTruong) as string,
    NamHoc: String(b.NamHoc).trim(),
    HieuTruong: text(b.HieuTruong) as string,
  };
  return { items, context };
}

export function mapVneduStudent(item: unknown, context: unknown): MapOutcome {
  if (!isObject(item)) {
    return { ok: false, errors: [{ path: '', code: 'VENDOR_FIELD_INVALID', detail_en: 'each student must be a JSON object', detail_vi: 'mỗi học sinh phải là một đối tượng JSON' }] };
  }
  const ctx = (isObject(context) ? context : {}) as Partial<VneduContext>;
  const m = new ItemMapper();
  const grade = integer(item.Khoi);
  // Grades 6-12 are secondary; anything else is read as primary and the schema judges the grade.
  const secondary = typeof grade === 'number' && grade > LAST_PRIMARY_GRADE && grade <= 12;
  // Literal objects in the order of canonical/record.ts: that order is the XML element order.
  const record = {
    recordId: text(item.SoHocBa),
    lookupCode: text(item.MaTraCuu),
    effectiveDate: m.date(item.NgayHieuLuc, '/NgayHieuLuc'),
    version: integer(item.PhienBan),
    student: {
      learnerId: text(item.MaHocSinh),
      // Left out, not undefined, when vnEdu has none (a foreign student, an ID not issued yet).
      ...(isAbsent(item.MaDinhDanh) ? {} : { personalId: text(item.MaDinhDanh) }),
      fullName: text(item.HoTen),
      birthDate: m.date(item.NgaySinh, '/NgaySinh'),
      sex: m.code(SEX_BY_VNEDU_VALUE, item.GioiTinh, '/GioiTinh', 'sex', 'giới tính'),
      ethnicity: text(item.DanToc),
      nationality: m.country(item.QuocTich, '/QuocTich'),
      ...m.identity(item),
    },
    school: {
      schoolId: ctx.MaTruong,
      provinceCode: ctx.MaSoGD,
      name: ctx.TenTruong,
    },
    schoolYear: ctx.NamHoc,
    grade,
    className: text(item.Lop),
    homeroomTeacher: text(item.GVCN),
    principal: ctx.HieuTruong,
    ...(secondary
      ? {
          secondary: {
            ...m.secondarySubjects(item.KetQuaHocTap),
            learningResult: m.termResults(item.HocTap, 'HocTap'),
            conductResult: m.termResults(item.RenLuyen, 'RenLuyen'),
            promoted: item.LenLop ?? undefined,
            commendations: commendations(item.KhenThuong),
            remarks: text(item.NhanXet),
            ...m.exemptSubjects(item.MienHoc, SECONDARY_SUBJECT_BY_VNEDU_CODE),
            ...m.lowerSecondaryCompletion(item.XacNhanHoanThanhTHCS),
            ...(isAbsent(item.DuDieuKienXetTN) ? {} : { graduationReviewEligible: item.DuDieuKienXetTN }),
          },
        }
      : {
          primary: {
            subjects: m.primarySubjects(item.KetQuaHocTap),
            qualities: m.ratings(item.PhamChat, QUALITY_BY_VNEDU_KEY, 'PhamChat'),
            competencies: m.ratings(item.NangLuc, COMPETENCY_BY_VNEDU_KEY, 'NangLuc'),
            yearEndResult: text(item.DanhGiaCuoiNam),
            completedProgramme: item.HoanThanhCTLH ?? undefined,
            promoted: item.LenLop ?? undefined,
            commendations: commendations(item.KhenThuong),
            remarks: text(item.NhanXet),
            ...m.exemptSubjects(item.MienHoc, SUBJECT_BY_VNEDU_CODE),
            ...(isAbsent(item.HoanThanhCTTH) ? {} : { completedPrimary: item.HoanThanhCTTH }),
            ...m.supplementaryAssessment(item.DanhGiaBoSung),
          },
        }),
    attendance: {
      excusedAbsences: integer(item.SoBuoiNghiCoPhep),
      unexcusedAbsences: integer(item.SoBuoiNghiKhongPhep),
    },
    signatures: m.signatures(item.ChuKy),
    ...m.form(item.LyLich, secondary ? SECONDARY_SUBJECT_BY_VNEDU_CODE : SUBJECT_BY_VNEDU_CODE),
  };
  if (m.errors.length > 0) return { ok: false, errors: m.errors };
  // Not yet validated: the pipeline runs validateRecord on it next.
  return { ok: true, record: withoutUnratedCompetencies(record as unknown as CanonicalRecord) };
}
