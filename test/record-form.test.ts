import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { recordFromXmlText } from '../src/canonical/from-xml.js';
import { ethnicityCodeOf } from '../src/canonical/ethnicities.js';
import type { CanonicalRecord } from '../src/canonical/record.js';
import { contentHashOf, recordToXml } from '../src/canonical/xml.js';
import { intake } from '../src/pipeline/intake.js';
import { validateRecord } from '../src/validation/validate.js';
import { canonicalAdapter, contextWith, FIXTURES, loadValid } from './helpers/records.js';

// Profile v2 (issue 15 item 9): a record with the rest of the học bạ form passes, is written in
// the v2 namespace, valid against v2's XSD, and reads back to the same JSON; a record without the
// form stays a v1 record byte for byte, so earlier hashes and signatures hold.

const forms: { name: string; record: CanonicalRecord }[] = JSON.parse(readFileSync(join(FIXTURES, 'records', 'form-records.json'), 'utf8'));
const specs = join(import.meta.dirname, '..', 'specs', 'ministry-profile');

t.test('whole record forms pass, written as profile v2', async (t) => {
  t.equal(forms.length, 2);
  const dir = mkdtempSync(join(tmpdir(), 'hocba-form-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const files: string[] = [];
  for (const { name, record } of forms) {
    t.same(validateRecord(record, contextWith()), [], `${name} with its form is valid`);
    const result = intake(canonicalAdapter, [record], null, contextWith());
    t.equal(result.records[0]!.state, 'queued', `${name} is queued`);
    const xml = result.records[0]!.recordXml!;
    t.match(xml, /^<hocba xmlns="urn:moet:hocba:record:v2">/, 'in the v2 namespace');
    t.match(xml, /<form><ethnicityCode>01<\/ethnicityCode><birthPlace>/, 'the form last, in schema order');
    t.same(recordFromXmlText(xml), JSON.parse(JSON.stringify(record)), 'and reads back to the same record');
    const file = join(dir, `${name}.xml`);
    writeFileSync(file, xml);
    files.push(file);
  }
  const { stderr } = await promisify(execFile)('xmllint', ['--noout', '--schema', join(specs, 'v2', 'record.xsd'), ...files]);
  t.match(stderr, /validates/, 'xmllint: valid against the v2 XSD');
  t.equal(stderr.split('\n').filter((l) => l.endsWith(' validates')).length, files.length, 'every one');
});

t.test('a record without the form is a v1 record, byte for byte', async (t) => {
  const plain = loadValid(forms[0]!.name);
  const xml = recordToXml(plain);
  t.match(xml, /^<hocba xmlns="urn:moet:hocba:record:v1">/);
  t.notMatch(xml, /<form>/);
  const withForm = recordToXml(forms[0]!.record);
  t.equal(withForm.replace('record:v2', 'record:v1').replace(/<form>.*<\/form>/, ''), xml, 'the v2 rendition is the v1 one plus the form');
  t.not(contentHashOf(withForm), contentHashOf(xml));
});

t.test('the v2 XSD refuses what the v2 schema refuses', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hocba-form-bad-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bad = structuredClone(forms[0]!.record);
  (bad.form as Record<string, unknown>).titles = ['HOC_SINH_GIOI_NHAT'];
  const file = join(dir, 'bad.xml');
  writeFileSync(file, recordToXml(bad));
  const out = await promisify(execFile)('xmllint', ['--noout', '--schema', join(specs, 'v2', 'record.xsd'), file]).then(
    () => 'validated',
    (e: { stderr: string }) => e.stderr,
  );
  t.match(out, /title.*not an element of the set|not a valid value/, 'an unknown title');
  t.match(validateRecord(bad, contextWith()), [{ code: 'SCHEMA_ENUM', path: '/form/titles/0' }]);
});

t.test('ethnicity names to their QĐ 4998 codes, spelled as people write them', async (t) => {
  t.equal(ethnicityCodeOf('Kinh'), '01');
  t.equal(ethnicityCodeOf('Gia Rai'), '10');
  t.equal(ethnicityCodeOf('Ê Đê'), '12');
  t.equal(ethnicityCodeOf('Khơ-me'), '05');
  t.equal(ethnicityCodeOf('H\'Mông'), '08');
  t.equal(ethnicityCodeOf('Rơ Măm'), '54');
  t.equal(ethnicityCodeOf('Klingon'), undefined);
});

t.test('vnEdu carries the form in LyLich, mapped to profile v2', async (t) => {
  const { getAdapter } = await import('../src/adapters/registry.js');
  const { sampleVneduBatch } = await import('../src/adapters/vnedu/sample.js');
  const { splitVneduBatch } = await import('../src/adapters/vnedu/map.js');
  const batch = sampleVneduBatch(60, 3);
  const s = batch.DanhSachHocSinh.find((x) => x.Khoi >= 2 && x.Khoi <= 5 && x.DanhGiaCuoiNam === 'HTT' && x.QuocTich === 'Việt Nam' && x.DanToc === 'Kinh');
  if (!s) throw new Error('the sample has no Kinh student of grades 2-5 with HTT');
  const [start, end] = batch.NamHoc.split('-').map(Number);
  s.LyLich = {
    MaDanToc: '01',
    NoiSinh: 'Xã Yên Thường, Thành phố Hà Nội',
    QueQuan: 'Xã Vĩnh Bảo, Thành phố Hải Phòng',
    NoiO: 'Số 12 ngõ 34 phố Thăng Long, Hà Nội',
    DoiTuongChinhSach: 'HoCanNgheo',
    SoDangBo: '2021/0427',
    NgayNhapHoc: `05/09/${start! - 3}`,
    GiaDinh: [{ QuanHe: 'Me', HoTen: 'Nguyễn Thị Hoà', NamSinh: 1987, NgheNghiep: 'Giáo viên' }],
    QuaTrinhHocTap: [
      { NamHoc: `${start! - 1}-${start}`, Khoi: s.Khoi - 1, TenTruong: 'Trường Tiểu học Kim Liên', Lop: `${s.Khoi - 1}A`, ChuyenTruong: { Loai: 'Di', Ngay: `30/05/${start}`, TruongKhac: batch.TenTruong } },
      { NamHoc: batch.NamHoc, Khoi: s.Khoi, MaTruong: batch.MaTruong, TenTruong: batch.TenTruong, Lop: s.Lop, ChuyenTruong: { Loai: 'Den', Ngay: `15/08/${start}` } },
    ],
    NhanXetMon: [{ MaMon: 'TV', NhanXet: 'Đọc lưu loát.' }],
    NhanXetPhamChat: { ChamChi: 'Chăm học.' },
    NhanXetNangLuc: { TuChuTuHoc: 'Tự giác.' },
    ChieuCao: 131.5,
    CanNang: 27.8,
    DanhHieu: ['TieuBieu'],
  };
  batch.DanhSachHocSinh = [s];
  const { items, context } = splitVneduBatch(batch);
  const out = intake(getAdapter('vnedu')!, items, context, contextWith()).records[0]!;
  t.equal(out.state, 'queued', 'valid');
  const record = recordFromXmlText(out.recordXml!) as CanonicalRecord;
  t.same(record.form, {
    ethnicityCode: '01',
    birthPlace: 'Xã Yên Thường, Thành phố Hà Nội',
    homeTown: 'Xã Vĩnh Bảo, Thành phố Hải Phòng',
    address: 'Số 12 ngõ 34 phố Thăng Long, Hà Nội',
    policyCategory: 'HO_CAN_NGHEO',
    registrationNumber: '2021/0427',
    enrolmentDate: `${start! - 3}-09-05`,
    family: [{ relation: 'MOTHER', fullName: 'Nguyễn Thị Hoà', birthYear: 1987, occupation: 'Giáo viên' }],
    schoolHistory: [
      { schoolYear: `${start! - 1}-${start}`, grade: s.Khoi - 1, schoolName: 'Trường Tiểu học Kim Liên', className: `${s.Khoi - 1}A`, transfer: { kind: 'OUT', date: `${start}-05-30`, otherSchool: batch.TenTruong } },
      { schoolYear: batch.NamHoc, grade: s.Khoi, schoolId: batch.MaTruong, schoolName: batch.TenTruong, className: s.Lop, transfer: { kind: 'IN', date: `${start}-08-15` } },
    ],
    subjectComments: [{ subject: 'TIENG_VIET', comment: 'Đọc lưu loát.' }],
    qualityComments: [{ code: 'CHAM_CHI', comment: 'Chăm học.' }],
    competencyComments: [{ code: 'TU_CHU_TU_HOC', comment: 'Tự giác.' }],
    physical: { heightCm: 131.5, weightKg: 27.8 },
    titles: ['HOC_SINH_TIEU_BIEU'],
  }, 'every LyLich field, in the v2 record');
  t.ok(end, 'a school year');

  // A vnEdu code outside its tables is the vendor's field, with its path.
  s.LyLich.DanhHieu = ['Gioi'];
  s.LyLich.DoiTuongChinhSach = 'VIP';
  const bad = intake(getAdapter('vnedu')!, splitVneduBatch(batch).items, context, contextWith());
  t.same(bad.validationErrors.map((e) => [e.code, e.path]).sort(), [['VENDOR_FIELD_INVALID', '/LyLich/DoiTuongChinhSach']]);
});

t.test('the Ministry simulator reads profile v2 records and holds them to the v2 schema', async (t) => {
  const { throwawayCert } = await import('./helpers/throwaway-cert.js');
  const { startSimulator, DEMO_MINISTRY_CLIENT } = await import('../src/simulator/server.js');
  const { buildPacket } = await import('../src/packet/build.js');
  const { signEnveloped } = await import('../src/signing/xmldsig.js');
  const { recordKeyOf } = await import('../src/canonical/record.js');
  const key = await throwawayCert();
  const sim = await startSimulator({ port: 0, inspection: true, provinceCertPem: key.certificatePem });
  t.teardown(() => sim.close());
  const token = ((await (await fetch(`${sim.url}/api/v0/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(DEMO_MINISTRY_CLIENT) })).json()) as { accessToken: string }).accessToken;
  const send = async (records: CanonicalRecord[]) => {
    const xml = signEnveloped(buildPacket({ packetId: `PKT-V2-${records.length}`, provinceCode: '01', createdAt: '2025-06-01T08:00:00.000Z', records: records.map((r) => {
      const x = recordToXml(r);
      return { recordKey: recordKeyOf(r), contentHash: contentHashOf(x), xml: x, event: 'NEW' as const };
    }) }), key);
    return (await (await fetch(`${sim.url}/api/v0/packets`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` }, body: xml })).json()) as { results: { status: string; code?: string; message?: string }[] };
  };
  const good = forms.map((f) => f.record);
  const bad = structuredClone(good[0]!);
  (bad.form as Record<string, unknown>).nickname = 'Bông';
  bad.student.learnerId = '0100999999999';
  const receipt = await send([...good, bad]);
  t.match(receipt.results, [{ status: 'accepted' }, { status: 'accepted' }, { status: 'rejected', code: 'RECORD_INVALID', message: /form.*nickname|additional/ }]);
});
