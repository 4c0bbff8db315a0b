import { splitVneduBatch } from '../src/adapters/vnedu/map.js';
import { sampleVneduBatch } from '../src/adapters/vnedu/sample.js';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { BatchFormatError } from '../src/adapters/adapter.js';
import { adapters, getAdapter } from '../src/adapters/registry.js';
import type { VneduBatch } from '../src/adapters/vnedu/index.js';
import { sampleVneduBatch, vneduAdapter } from '../src/adapters/vnedu/index.js';
import { recordToXml } from '../src/canonical/xml.js';
import type { CanonicalRecord } from '../src/canonical/record.js';
import { validateRecord } from '../src/validation/validate.js';
import type { FieldError } from '../src/validation/types.js';
import { contextWith } from './helpers/records.js';

const ctx = contextWith();

/** Maps and validates every student: the records, and [index, code, path] for every problem. */
function run(batch: unknown): { records: CanonicalRecord[]; problems: [number, string, string][] } {
  const { items, context } = splitVneduBatch(batch);
  const records: CanonicalRecord[] = [];
  const problems: [number, string, string][] = [];
  items.forEach((item, i) => {
    const outcome = vneduAdapter.map(item, context);
    const errors: FieldError[] = outcome.ok ? validateRecord(outcome.record, ctx) : outcome.errors;
    if (outcome.ok) records.push(outcome.record);
    for (const e of errors) problems.push([i, e.code, e.path]);
  });
  return { records, problems };
}

const sample = (count: number, seed?: number) => sampleVneduBatch(count, seed, { schoolId: '01001234' });
const example = (name: string): VneduBatch =>
  JSON.parse(readFileSync(new URL(`../examples/vnedu/${name}`, import.meta.url), 'utf8'));

/** One sample student (grade 3, so it has NN and TH-CN with scores), with a change applied. */
function mapOne(change: (s: Record<string, unknown>) => void) {
  const batch = sample(3, 9);
  const student = batch.DanhSachHocSinh[2] as unknown as Record<string, unknown>;
  change(student);
  const { items, context } = splitVneduBatch(batch);
  return vneduAdapter.map(items[2], context);
}
const mapErrors = (change: (s: Record<string, unknown>) => void) => {
  const o = mapOne(change);
  return o.ok ? validateRecord(o.record, ctx).map((e) => [e.code, e.path]) : o.errors.map((e) => [e.code, e.path]);
};

t.test('registry', async (t) => {
  t.equal(getAdapter('vnedu'), vneduAdapter);
  t.equal(adapters.vnedu, vneduAdapter);
  t.equal(getAdapter('nope'), undefined);
  t.equal(getAdapter('toString'), undefined);
});

t.test('sample(40) at a primary school maps and validates with no errors', async (t) => {
  const { records, problems } = run(sample(40));
  t.same(problems, []);
  t.equal(records.length, 40);
  t.equal(new Set(records.map((r) => r.student.personalId)).size, 40, 'distinct personal IDs');
  t.equal(new Set(records.map((r) => r.student.learnerId)).size, 40, 'distinct MaHocSinh');
  t.same([...new Set(records.map((r) => r.grade))].sort(), [1, 2, 3, 4, 5]);
  for (const r of records) {
    const tested = r.primary!.subjects.filter((s) => s.testScores !== undefined).map((s) => s.subject).sort();
    const expected = ['TIENG_VIET', 'TOAN'];
    if (r.grade >= 3) expected.push('NGOAI_NGU_1', 'TIN_HOC_CONG_NGHE');
    if (r.grade >= 4) expected.push('KHOA_HOC', 'LICH_SU_DIA_LI');
    t.same(tested, expected.sort(), `tested subjects of grade ${r.grade}`);
    for (const s of r.primary!.subjects) {
      for (const x of Object.values(s.testScores ?? {})) t.ok(Number.isInteger(x) && x >= 1 && x <= 10);
    }
  }
});

t.test('the default sample covers grades 1-12 and a batch of 240 validates', async (t) => {
  const { records, problems } = run(sampleVneduBatch(240, 5));
  t.same(problems, []);
  t.same([...new Set(records.map((r) => r.grade))].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const secondary = records.filter((r) => r.secondary);
  t.equal(secondary.length, 140, 'grades 6-12 carry secondary results');
  t.ok(secondary.every((r) => r.primary === undefined), 'and no primary ones');
  const upper = secondary.filter((r) => r.grade >= 10);
  for (const r of upper) t.ok(r.secondary!.scoreSubjects.some((s) => s.subject === 'LICH_SU'), 'Lịch sử at grades 10-12');
  t.ok(secondary.some((r) => !r.secondary!.promoted) || secondary.some((r) => r.secondary!.learningResult.year === 'CHUA_DAT'), 'weaker students appear too');
});

t.test('sample is deterministic for a seed', async (t) => {
  t.same(sample(10, 42), sample(10, 42));
  t.notSame(sample(10, 42), sample(10, 43));
  t.throws(() => sample(0), RangeError);
});

t.test('example files behave as described', async (t) => {
  const big = run(example('batch-grades-1-5.json'));
  t.same(big.problems, []);
  t.ok(big.records.length >= 30);
  t.same([...new Set(big.records.map((r) => r.grade))].sort(), [1, 2, 3, 4, 5]);

  const small = run(example('batch-small.json'));
  t.same(small.problems, []);
  t.equal(small.records.length, 3);

  const all = run(example('batch-grades-1-12.json'));
  t.same(all.problems, []);
  t.same([...new Set(all.records.map((r) => r.grade))].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

  const withErrors = run(example('batch-with-errors.json'));
  t.equal(example('batch-with-errors.json').DanhSachHocSinh.length, 5);
  t.same(withErrors.problems, [
    [1, 'PERSONAL_ID_SEX_MISMATCH', '/student/personalId'],
    [3, 'SCHEMA_RANGE', '/primary/subjects/1/testScores/endOfYear'],
  ]);
});

t.test('mapped record has canonical keys in record.ts order and omits absent scores', async (t) => {
  const o = mapOne(() => {});
  if (!o.ok) return t.fail('did not map');
  const r = o.record;
  t.same(Object.keys(r), ['recordId', 'lookupCode', 'effectiveDate', 'version', 'student', 'school', 'schoolYear', 'grade', 'className', 'homeroomTeacher', 'principal', 'primary', 'attendance', 'signatures']);
  t.same(Object.keys(r.student), ['learnerId', 'personalId', 'fullName', 'birthDate', 'sex', 'ethnicity', 'nationality']);
  t.same(Object.keys(r.school), ['schoolId', 'provinceCode', 'name']);
  const p = r.primary!;
  t.same(Object.keys(p), ['subjects', 'qualities', 'competencies', 'yearEndResult', 'completedProgramme', 'promoted', 'commendations', 'remarks']);
  const dd = p.subjects.find((s) => s.subject === 'DAO_DUC')!;
  t.same(Object.keys(dd), ['subject', 'level']);
  t.same(Object.keys(p.subjects[0]!), ['subject', 'level', 'testScores']);
  t.same(Object.keys(p.subjects[0]!.testScores!), ['endOfTermI', 'endOfYear'], 'grade 3 has no mid-term tests');
  t.same(p.qualities.map((q) => Object.keys(q)), p.qualities.map(() => ['code', 'rating']));
  t.same(r.attendance, { excusedAbsences: r.attendance.excusedAbsences, unexcusedAbsences: r.attendance.unexcusedAbsences });
  t.same(r.signatures.map((s) => s.role), ['HOMEROOM_TEACHER', 'PRINCIPAL', 'SCHOOL_SEAL']);
  t.equal(r.student.nationality, 'VN');
  t.match(r.student.birthDate, /^\d{4}-\d{2}-\d{2}$/);
});

t.test('XML rendition follows the canonical order', async (t) => {
  const o = mapOne(() => {});
  if (!o.ok) return t.fail('did not map');
  const xml = recordToXml(o.record);
  t.ok(xml.startsWith('<hocba xmlns="urn:moet:hocba:record:v1"><recordId>'), 'first element is recordId');
  const topLevel = [...xml.matchAll(/<(recordId|lookupCode|effectiveDate|version|student|school|schoolYear|grade|className|homeroomTeacher|principal|primary|attendance|signatures)>/g)].map((m) => m[1]);
  t.same(topLevel, Object.keys(o.record));
  t.match(xml, /<subject><subject>TIENG_VIET<\/subject><level>[THC]<\/level><testScores><endOfTermI>\d+<\/endOfTermI><endOfYear>\d+<\/endOfYear><\/testScores><\/subject>/);
});

t.test('mapping errors at the vendor path', async (t) => {
  t.same(mapErrors((s) => (s.NgaySinh = '31/02/2016')), [['VENDOR_FIELD_INVALID', '/NgaySinh']]);
  t.same(mapErrors((s) => (s.NgaySinh = '2016-02-01')), [['VENDOR_FIELD_INVALID', '/NgaySinh']]);
  t.same(mapErrors((s) => (s.NgayHieuLuc = '31/13/2025')), [['VENDOR_FIELD_INVALID', '/NgayHieuLuc']]);
  t.same(mapErrors((s) => ((s.KetQuaHocTap as Record<string, unknown>[])[2]!.MaMon = 'TIN')), [['VENDOR_FIELD_INVALID', '/KetQuaHocTap/2/MaMon']]);
  t.same(mapErrors((s) => ((s.KetQuaHocTap as Record<string, unknown>[])[0]!.MucDat = 'A')), [['VENDOR_FIELD_INVALID', '/KetQuaHocTap/0/MucDat']]);
  t.same(mapErrors((s) => (s.GioiTinh = 'Khác')), [['VENDOR_FIELD_INVALID', '/GioiTinh']]);
  t.same(mapErrors((s) => (s.QuocTich = 'Atlantis')), [['VENDOR_FIELD_INVALID', '/QuocTich']]);
  t.same(mapErrors((s) => ((s.PhamChat as Record<string, unknown>).YeuNuoc = 'X')), [['VENDOR_FIELD_INVALID', '/PhamChat/YeuNuoc']]);
  t.same(mapErrors((s) => ((s.NangLuc as Record<string, unknown>).HoiHoa = 'T')), [['VENDOR_FIELD_INVALID', '/NangLuc/HoiHoa']]);
  t.same(mapErrors((s) => ((s.ChuKy as Record<string, unknown>).KeToan = '2025-05-29T09:00:00+07:00')), [['VENDOR_FIELD_INVALID', '/ChuKy/KeToan']]);
  const o = mapOne((s) => (s.NgaySinh = 'hôm qua'));
  t.equal(o.ok, false);
  if (!o.ok) t.match(o.errors[0], { detail_en: /dd\/MM\/yyyy/, detail_vi: /dd\/MM\/yyyy/ });
  t.same(vneduAdapter.map('not a student', {}), { ok: false, errors: [{ path: '', code: 'VENDOR_FIELD_INVALID', detail_en: 'each student must be a JSON object', detail_vi: 'mỗi học sinh phải là một đối tượng JSON' }] });
});

t.test('vendor variants the mapper accepts', async (t) => {
  // A Lao student studies under a passport, not a Vietnamese ID; the country by name or by code.
  const lao = (s: Record<string, unknown>, country: string) => {
    s.QuocTich = country;
    delete s.MaDinhDanh;
    s.GiayTo = { Loai: 'HoChieu', So: 'P0123456', NoiCap: country };
  };
  t.same(mapErrors((s) => lao(s, 'LA')), []);
  t.same(mapErrors((s) => lao(s, 'Lào')), []);
  t.same(mapErrors((s) => (s.QuocTich = 'LA')), [['PERSONAL_ID_NOT_EXPECTED', '/student/personalId'], ['IDENTITY_DOCUMENT_MISSING', '/student/identityDocument']]);
  t.same(mapErrors((s) => (s.NgaySinh = (s.NgaySinh as string).replace(/^0/, ''))), []);
  t.same(mapErrors((s) => (s.GioiTinh = (s.GioiTinh as string).normalize('NFD'))), []);
  t.same(mapErrors((s) => (s.Khoi = '3')), []);
  t.same(mapErrors((s) => delete s.KhenThuong), []);
  const o = mapOne((s) => ((s.KetQuaHocTap as Record<string, unknown>[])[0]!.DiemKTDK = null));
  t.ok(o.ok && !('endOfYear' in o.record.primary!.subjects[0]!.testScores!), 'null score is omitted');
  t.same(mapErrors((s) => ((s.KetQuaHocTap as Record<string, unknown>[])[0]!.DiemKTDK = '8')), [], 'a quoted score is read as a number');
});

t.test('students the rules forget, in vnEdu\'s fields', async (t) => {
  const lao = mapOne((s) => {
    s.QuocTich = 'Lào';
    delete s.MaDinhDanh;
    s.GiayTo = { Loai: 'HoChieu', So: 'P0123456', NoiCap: 'Lào' };
  });
  t.ok(lao.ok);
  if (lao.ok) {
    t.same(lao.record.student.identityDocument, { kind: 'PASSPORT', number: 'P0123456', issuingCountry: 'LA' });
    t.notOk('personalId' in lao.record.student, 'no personal ID key at all');
  }
  const pending = mapOne((s) => {
    s.MaDinhDanh = '';
    s.ChoCapMaDinhDanh = true;
  });
  t.ok(pending.ok && pending.record.student.personalIdPending === true && pending.record.student.personalId === undefined, 'an empty MaDinhDanh is no ID');
  t.same(mapErrors((s) => (s.MaDinhDanh = '')), [['PERSONAL_ID_MISSING', '/student/personalId']]);
  const disabled = mapOne((s) => {
    s.KhuyetTat = { Loai: 'NgheNoi', KeHoachCaNhan: true };
    const subjects = s.KetQuaHocTap as Record<string, unknown>[];
    const i = subjects.findIndex((x) => x.MaMon === 'TD');
    subjects.splice(i, 1);
    s.MienHoc = [{ MaMon: 'TD', LyDo: 'SucKhoe' }];
  });
  t.ok(disabled.ok);
  if (disabled.ok) {
    t.same(disabled.record.student.disability, { type: 'NGHE_NOI', individualPlan: true });
    t.same(disabled.record.primary!.exemptSubjects, [{ subject: 'GIAO_DUC_THE_CHAT', reason: 'HEALTH' }]);
    t.same(validateRecord(disabled.record, ctx), []);
  }
  t.same(mapErrors((s) => (s.KhuyetTat = { Loai: 'Mu', KeHoachCaNhan: false })), [['VENDOR_FIELD_INVALID', '/KhuyetTat/Loai']]);
  t.same(mapErrors((s) => (s.MienHoc = [{ MaMon: 'TD', LyDo: 'Lười' }])), [['VENDOR_FIELD_INVALID', '/MienHoc/0/LyDo']]);
  t.same(mapErrors((s) => (s.GiayTo = { Loai: 'CMND', So: '1', NoiCap: 'VN' })), [['VENDOR_FIELD_INVALID', '/GiayTo/Loai']]);
  t.same(mapErrors((s) => (s.NoiDangKyKhaiSinh = 'Nhật Bản')), [['PERSONAL_ID_COUNTRY_MISMATCH', '/student/personalId']]);
  // Grade 9: the confirmation of completing lower secondary, its date as vnEdu writes dates.
  const g9 = sampleVneduBatch(20, 6, { grade: 9 });
  const done = g9.DanhSachHocSinh.find((x) => x.LenLop)! as unknown as Record<string, unknown>;
  done.XacNhanHoanThanhTHCS = { SoQuyetDinh: '88/QĐ-THCS', Ngay: `5/6/${g9.NamHoc.slice(5)}` };
  const g9split = splitVneduBatch({ ...g9, DanhSachHocSinh: [done] });
  const confirmed = vneduAdapter.map(g9split.items[0], g9split.context);
  t.ok(confirmed.ok && confirmed.record.secondary!.lowerSecondaryCompletion!.date === `${g9.NamHoc.slice(5)}-06-05`, 'date read as dd/MM/yyyy');
  if (confirmed.ok) t.same(validateRecord(confirmed.record, ctx), []);
  // Grade 10: chuyên đề clusters and Công nghệ's orientation, in vnEdu's fields.
  const g10 = sampleVneduBatch(30, 8, { grade: 10 });
  const upper = g10.DanhSachHocSinh.find((x) => (x.KetQuaHocTap as unknown as Record<string, unknown>[]).some((k) => k.MaMon === 'CN'));
  if (upper) {
    const list = upper.KetQuaHocTap as unknown as Record<string, unknown>[];
    list.find((k) => k.MaMon === 'CN')!.DinhHuong = 'NongNghiep';
    list.find((k) => k.MaMon === 'NV')!.SoCumChuyenDe = 1;
    const g10split = splitVneduBatch({ ...g10, DanhSachHocSinh: [upper] });
    const m10 = vneduAdapter.map(g10split.items[0], g10split.context);
    t.ok(m10.ok);
    if (m10.ok) {
      const nv = m10.record.secondary!.scoreSubjects.find((x) => x.subject === 'NGU_VAN')!;
      t.same(Object.keys(nv).slice(0, 3), ['subject', 'periodsPerYear', 'topicClusters'], 'in element order');
      t.equal(m10.record.secondary!.scoreSubjects.find((x) => x.subject === 'CONG_NGHE')!.orientation, 'NONG_NGHIEP');
      t.same(validateRecord(m10.record, ctx), []);
    }
  } else t.fail('no grade 10 sample student takes Công nghệ');
  // A retest in vnEdu's KiemTraLai, on a secondary student whose year was not Chưa đạt: mapped, then refused.
  const batch = sampleVneduBatch(20, 5, { grade: 8 });
  const student = batch.DanhSachHocSinh.find((x) => (x.HocTap as { CaNam: string }).CaNam !== 'CĐ')! as unknown as Record<string, unknown>;
  const subjects = student.KetQuaHocTap as Record<string, unknown>[];
  const scoreAt = subjects.findIndex((x) => typeof x.CaNam === 'number');
  subjects[scoreAt]!.KiemTraLai = '6.5';
  const { items, context } = splitVneduBatch({ ...batch, DanhSachHocSinh: [student] });
  const mapped = vneduAdapter.map(items[0], context);
  t.ok(mapped.ok);
  if (mapped.ok) {
    t.equal(mapped.record.secondary!.scoreSubjects[0]!.retestScore, 6.5, 'a quoted retest score is read as a number');
    t.same(validateRecord(mapped.record, ctx).map((e) => [e.code, e.path]), [['RETEST_NOT_EXPECTED', '/secondary/scoreSubjects/0/retestScore']]);
  }
});

t.test('missing and mistyped values pass through to schema validation', async (t) => {
  t.same(mapErrors((s) => delete s.HoTen), [['SCHEMA_REQUIRED', '/student/fullName']]);
  t.same(mapErrors((s) => delete s.NgaySinh), [['SCHEMA_REQUIRED', '/student/birthDate']]);
  t.same(mapErrors((s) => (s.Khoi = 'ba')), [['SCHEMA_TYPE', '/grade']]);
  t.same(mapErrors((s) => (s.Khoi = 13)), [['SCHEMA_RANGE', '/grade']]);
  t.same(mapErrors((s) => (s.DanhGiaCuoiNam = 'GIOI')), [['SCHEMA_ENUM', '/primary/yearEndResult']]);
  t.same(mapErrors((s) => delete (s.PhamChat as Record<string, unknown>).ChamChi), [['SCHEMA_REQUIRED', '/primary/qualities/2/rating']]);
  t.same(mapErrors((s) => ((s.KetQuaHocTap as Record<string, unknown>[])[1]!.DiemKTDK = 11)), [['SCHEMA_RANGE', '/primary/subjects/1/testScores/endOfYear']]);
  t.same(mapErrors((s) => delete s.SoBuoiNghiCoPhep), [['SCHEMA_REQUIRED', '/attendance/excusedAbsences']]);
  t.same(mapErrors((s) => delete (s.ChuKy as Record<string, unknown>).DauTruong), [['SIGNATURE_MISSING', '/signatures']]);
});

t.test('split rejects an unusable envelope', async (t) => {
  const paths = (batch: unknown) => {
    try {
      splitVneduBatch(batch);
      return 'no error';
    } catch (e) {
      t.type(e, BatchFormatError);
      return (e as BatchFormatError).errors.map((x) => [x.code, x.path]);
    }
  };
  t.same(paths([]), [['VENDOR_FIELD_INVALID', '']]);
  t.same(paths(null), [['VENDOR_FIELD_INVALID', '']]);
  t.same(paths({ MaSoGD: '01', MaTruong: 'X', NamHoc: '2024-2025', DanhSachHocSinh: [] }), [['VENDOR_FIELD_INVALID', '/DanhSachHocSinh']]);
  t.same(paths({ MaSoGD: 1, NamHoc: '2024-2025', DanhSachHocSinh: {} }), [
    ['VENDOR_FIELD_INVALID', '/MaSoGD'],
    ['SCHEMA_REQUIRED', '/MaTruong'],
    ['VENDOR_FIELD_INVALID', '/DanhSachHocSinh'],
  ]);
  t.same(paths({ MaSoGD: '01', MaTruong: 'X', NamHoc: '2024-2025' }), [['SCHEMA_REQUIRED', '/DanhSachHocSinh']]);
  const { items, context } = splitVneduBatch(sample(2));
  t.equal(items.length, 2);
  t.same(context, { MaSoGD: '01', MaTruong: '01001234', TenTruong: 'Trường Tiểu học Nguyễn Du', NamHoc: '2024-2025', HieuTruong: sample(2).HieuTruong });
  t.throws(() => sampleVneduBatch(2, 1, { schoolId: 'nope' }), RangeError);
});

/** One secondary sample student (grade 10 at the multi-level demo school), with a change applied. */
function mapSecondary(change: (s: Record<string, any>) => void) {
  const batch = sampleVneduBatch(10, 21);
  const student = batch.DanhSachHocSinh[9] as unknown as Record<string, any>;
  change(student);
  const { items, context } = splitVneduBatch(batch);
  const o = vneduAdapter.map(items[9], context);
  return o.ok ? validateRecord(o.record, ctx).map((e) => [e.code, e.path]) : o.errors.map((e) => [e.code, e.path]);
}

t.test('secondary students map to score and comment subjects', async (t) => {
  const batch = sampleVneduBatch(10, 21);
  const student = batch.DanhSachHocSinh[9]!;
  t.equal(student.Khoi, 10);
  const { items, context } = splitVneduBatch(batch);
  const o = vneduAdapter.map(items[9], context);
  if (!o.ok) return t.fail('did not map');
  const s = o.record.secondary!;
  t.same(Object.keys(s), ['scoreSubjects', 'commentSubjects', 'learningResult', 'conductResult', 'promoted', 'commendations', 'remarks']);
  const vendorScores = (student.KetQuaHocTap as { MaMon: string; CaNam: unknown }[]).filter((x) => typeof x.CaNam === 'number');
  t.equal(s.scoreSubjects.length, vendorScores.length, 'numbers in CaNam are score subjects, in the vendor\'s order');
  t.equal(s.scoreSubjects[0]!.subject, 'NGU_VAN');
  t.same(Object.keys(s.scoreSubjects[0]!.termI), ['regularScores', 'midTermScore', 'endOfTermScore', 'average']);
  t.ok(s.commentSubjects.some((c) => c.subject === 'GIAO_DUC_THE_CHAT'));
  t.same(validateRecord(o.record, ctx), []);
  t.same(mapSecondary(() => {}), []);
});

t.test('secondary mapping and validation errors', async (t) => {
  t.same(mapSecondary((s) => (s.KetQuaHocTap[0].MaMon = 'VAN')), [['VENDOR_FIELD_INVALID', '/KetQuaHocTap/0/MaMon']]);
  t.same(mapSecondary((s) => (s.HocTap.HK1 = 'G')), [['VENDOR_FIELD_INVALID', '/HocTap/HK1']]);
  const comment = (s: Record<string, any>) => s.KetQuaHocTap.findIndex((x: { MaMon: string }) => x.MaMon === 'TD');
  t.same(mapSecondary((s) => (s.KetQuaHocTap[comment(s)].HK1.DDGtx[0] = 'X')), [['VENDOR_FIELD_INVALID', `/KetQuaHocTap/${comment(sampleVneduBatch(10, 21).DanhSachHocSinh[9] as never)}/HK1/DDGtx/0`]]);
  t.same(mapSecondary((s) => (s.KetQuaHocTap[0].HK1.DTB = String(s.KetQuaHocTap[0].HK1.DTB))), [], 'a quoted average is read as a number');
  t.same(mapSecondary((s) => (s.KetQuaHocTap[0].HK1.DDGtx[0] = 12)), [['SCHEMA_RANGE', '/secondary/scoreSubjects/0/termI/regularScores/0']]);
  t.same(mapSecondary((s) => (s.RenLuyen.CaNam = s.RenLuyen.CaNam === 'T' ? 'K' : 'T')), [['CONDUCT_YEAR_INCONSISTENT', '/secondary/conductResult/year']]);
  t.same(mapSecondary((s) => (s.HocTap.SauHe = 'Đ')).map((e) => e[0]).includes('SUMMER_REVIEW_NOT_EXPECTED') || undefined, true, 'a summer review after a passed year');
});

t.test('grades 1-2 rate eight competencies: no Công nghệ, no Tin học (issue 15 item 4)', async (t) => {
  const batch = sampleVneduBatch(40, 11, { schoolId: '01001234', grade: 2 });
  const students = batch.DanhSachHocSinh as unknown as Record<string, Record<string, unknown>>[];
  t.ok(students.every((s) => !('CongNghe' in s.NangLuc!) && !('TinHoc' in s.NangLuc!)), 'the sample leaves them out');
  const { records, problems } = run(batch);
  t.same(problems, []);
  t.ok(records.every((r) => r.primary!.competencies.length === 8 && !r.primary!.competencies.some((c) => c.code === 'CONG_NGHE' || c.code === 'TIN_HOC')));
  t.ok(records.some((r) => r.primary!.yearEndResult === 'HTXS'), 'HTXS decided on the eight');

  // A vendor that rates Tin học at grade 2 is told so, at that competency.
  students[0]!.NangLuc!.TinHoc = 'T';
  const rated = run(batch);
  t.same(rated.problems, [[0, 'PRIMARY_COMPETENCY_NOT_IN_GRADE', '/primary/competencies/6/code']]);

  // From grade 3 they are rated, and a missing one is a gap at its rating.
  const third = sampleVneduBatch(5, 11, { schoolId: '01001234', grade: 3 });
  const s3 = third.DanhSachHocSinh[0] as unknown as Record<string, Record<string, unknown>>;
  t.ok('CongNghe' in s3.NangLuc! && 'TinHoc' in s3.NangLuc!);
  delete s3.NangLuc!.TinHoc;
  t.same(run(third).problems, [[0, 'SCHEMA_REQUIRED', '/primary/competencies/7/rating']]);
});
