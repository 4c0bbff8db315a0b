import { readFileSync } from 'node:fs';
import t from 'tap';
import { BatchFormatError } from '../src/adapters/adapter.js';
import { adapters, getAdapter } from '../src/adapters/registry.js';
import type { VneduBatch } from '../src/adapters/vnedu/index.js';
import { vneduAdapter } from '../src/adapters/vnedu/index.js';
import { recordToXml } from '../src/canonical/xml.js';
import type { CanonicalRecord } from '../src/canonical/record.js';
import { validateRecord } from '../src/validation/validate.js';
import type { FieldError } from '../src/validation/types.js';

/** Maps and validates every student: the records, and [index, code, path] for every problem. */
function run(batch: unknown): { records: CanonicalRecord[]; problems: [number, string, string][] } {
  const { items, context } = vneduAdapter.split(batch);
  const records: CanonicalRecord[] = [];
  const problems: [number, string, string][] = [];
  items.forEach((item, i) => {
    const outcome = vneduAdapter.map(item, context);
    const errors: FieldError[] = outcome.ok ? validateRecord(outcome.record) : outcome.errors;
    if (outcome.ok) records.push(outcome.record);
    for (const e of errors) problems.push([i, e.code, e.path]);
  });
  return { records, problems };
}

const sample = (count: number, seed?: number) => vneduAdapter.sample(count, seed) as VneduBatch;
const example = (name: string): VneduBatch =>
  JSON.parse(readFileSync(new URL(`../examples/vnedu/${name}`, import.meta.url), 'utf8'));

/** One sample student (grade 3, so it has NN and TH-CN with scores), with a change applied. */
function mapOne(change: (s: Record<string, unknown>) => void) {
  const batch = sample(3, 9);
  const student = batch.DanhSachHocSinh[2] as unknown as Record<string, unknown>;
  change(student);
  const { items, context } = vneduAdapter.split(batch);
  return vneduAdapter.map(items[2], context);
}
const mapErrors = (change: (s: Record<string, unknown>) => void) => {
  const o = mapOne(change);
  return o.ok ? validateRecord(o.record).map((e) => [e.code, e.path]) : o.errors.map((e) => [e.code, e.path]);
};

t.test('registry', async (t) => {
  t.equal(getAdapter('vnedu'), vneduAdapter);
  t.equal(adapters.vnedu, vneduAdapter);
  t.equal(getAdapter('smas'), undefined);
  t.equal(getAdapter('toString'), undefined);
});

t.test('sample(40) maps and validates with no errors', async (t) => {
  const { records, problems } = run(sample(40));
  t.same(problems, []);
  t.equal(records.length, 40);
  t.equal(new Set(records.map((r) => r.student.personalId)).size, 40, 'distinct personal IDs');
  t.equal(new Set(records.map((r) => r.student.learnerId)).size, 40, 'distinct MaHocSinh');
  t.same([...new Set(records.map((r) => r.grade))].sort(), [1, 2, 3, 4, 5]);
  for (const r of records) {
    const tested = r.primary.subjects.filter((s) => s.testScore !== undefined).map((s) => s.subject).sort();
    const expected = ['TIENG_VIET', 'TOAN'];
    if (r.grade >= 3) expected.push('NGOAI_NGU_1', 'TIN_HOC_CONG_NGHE');
    if (r.grade >= 4) expected.push('KHOA_HOC', 'LICH_SU_DIA_LI');
    t.same(tested, expected.sort(), `tested subjects of grade ${r.grade}`);
    for (const s of r.primary.subjects) if (s.testScore !== undefined) t.ok(Number.isInteger(s.testScore) && s.testScore >= 1 && s.testScore <= 10);
  }
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

  const withErrors = run(example('batch-with-errors.json'));
  t.equal(example('batch-with-errors.json').DanhSachHocSinh.length, 5);
  t.same(withErrors.problems, [
    [1, 'PERSONAL_ID_SEX_MISMATCH', '/student/personalId'],
    [3, 'SCHEMA_RANGE', '/primary/subjects/1/testScore'],
  ]);
});

t.test('mapped record has canonical keys in record.ts order and omits absent scores', async (t) => {
  const o = mapOne(() => {});
  if (!o.ok) return t.fail('did not map');
  const r = o.record;
  t.same(Object.keys(r), ['recordId', 'lookupCode', 'effectiveDate', 'version', 'student', 'school', 'schoolYear', 'grade', 'className', 'homeroomTeacher', 'principal', 'primary']);
  t.same(Object.keys(r.student), ['learnerId', 'personalId', 'fullName', 'birthDate', 'sex', 'ethnicity', 'nationality']);
  t.same(Object.keys(r.school), ['schoolId', 'provinceCode', 'name']);
  t.same(Object.keys(r.primary), ['subjects', 'qualities', 'competencies', 'yearEndResult', 'completedProgramme', 'promoted', 'commendations', 'remarks']);
  const dd = r.primary.subjects.find((s) => s.subject === 'DAO_DUC')!;
  t.same(Object.keys(dd), ['subject', 'level']);
  t.same(Object.keys(r.primary.subjects[0]!), ['subject', 'level', 'testScore']);
  t.same(r.primary.qualities.map((q) => Object.keys(q)), r.primary.qualities.map(() => ['code', 'rating']));
  t.equal(r.student.nationality, 'VN');
  t.match(r.student.birthDate, /^\d{4}-\d{2}-\d{2}$/);
});

t.test('XML rendition follows the canonical order', async (t) => {
  const o = mapOne(() => {});
  if (!o.ok) return t.fail('did not map');
  const xml = recordToXml(o.record);
  t.ok(xml.startsWith('<hocba xmlns="urn:moet:hocba:record:v0"><recordId>'), 'first element is recordId');
  const topLevel = [...xml.matchAll(/<(recordId|lookupCode|effectiveDate|version|student|school|schoolYear|grade|className|homeroomTeacher|principal|primary)>/g)].map((m) => m[1]);
  t.same(topLevel, Object.keys(o.record));
  t.match(xml, /<subject><subject>TIENG_VIET<\/subject><level>[THC]<\/level><testScore>\d+<\/testScore><\/subject>/);
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
  const o = mapOne((s) => (s.NgaySinh = 'hôm qua'));
  t.equal(o.ok, false);
  if (!o.ok) t.match(o.errors[0], { detail_en: /dd\/MM\/yyyy/, detail_vi: /dd\/MM\/yyyy/ });
  t.same(vneduAdapter.map('not a student', {}), { ok: false, errors: [{ path: '', code: 'VENDOR_FIELD_INVALID', detail_en: 'each student must be a JSON object', detail_vi: 'mỗi học sinh phải là một đối tượng JSON' }] });
});

t.test('vendor variants the mapper accepts', async (t) => {
  t.same(mapErrors((s) => (s.QuocTich = 'LA')), []);
  t.same(mapErrors((s) => (s.NgaySinh = (s.NgaySinh as string).replace(/^0/, ''))), []);
  t.same(mapErrors((s) => (s.GioiTinh = (s.GioiTinh as string).normalize('NFD'))), []);
  t.same(mapErrors((s) => (s.Khoi = '3')), []);
  t.same(mapErrors((s) => delete s.KhenThuong), []);
  const o = mapOne((s) => ((s.KetQuaHocTap as Record<string, unknown>[])[0]!.DiemKTDK = null));
  t.ok(o.ok && !('testScore' in o.record.primary.subjects[0]!), 'null score is omitted');
});

t.test('missing and mistyped values pass through to schema validation', async (t) => {
  t.same(mapErrors((s) => delete s.HoTen), [['SCHEMA_REQUIRED', '/student/fullName']]);
  t.same(mapErrors((s) => delete s.NgaySinh), [['SCHEMA_REQUIRED', '/student/birthDate']]);
  t.same(mapErrors((s) => (s.Khoi = 'ba')), [['SCHEMA_TYPE', '/grade']]);
  t.same(mapErrors((s) => (s.Khoi = 6)), [['SCHEMA_RANGE', '/grade']]);
  t.same(mapErrors((s) => (s.DanhGiaCuoiNam = 'GIOI')), [['SCHEMA_ENUM', '/primary/yearEndResult']]);
  t.same(mapErrors((s) => delete (s.PhamChat as Record<string, unknown>).ChamChi), [['SCHEMA_REQUIRED', '/primary/qualities/2/rating']]);
  t.same(mapErrors((s) => ((s.KetQuaHocTap as Record<string, unknown>[])[1]!.DiemKTDK = 11)), [['SCHEMA_RANGE', '/primary/subjects/1/testScore']]);
});

t.test('split rejects an unusable envelope', async (t) => {
  const paths = (batch: unknown) => {
    try {
      vneduAdapter.split(batch);
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
  const { items, context } = vneduAdapter.split(sample(2));
  t.equal(items.length, 2);
  t.same(context, { MaSoGD: '01', MaTruong: '01001234', TenTruong: 'Trường Tiểu học Nguyễn Du', NamHoc: '2024-2025', HieuTruong: sample(2).HieuTruong });
});
