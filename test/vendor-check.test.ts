import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { sampleEmisBatch } from '../src/adapters/emis/sample.js';
import { sampleVneduBatch } from '../src/adapters/vnedu/sample.js';
import { reportText, topCodesOf, type VendorCheckReport } from '../src/cli/vendor-check.js';
import { dataDir, ensureBuilt, runCli } from './helpers/processes.js';

// `hocba-gw vendor-check` as a vendor's developer runs it: a real process, no gateway database.

const ROOT = join(import.meta.dirname, '..');
ensureBuilt();

const hocbaGw = (args: string[], env: Record<string, string>) => runCli(args, env, { nodeArgs: ['--max-old-space-size=192'], cwd: ROOT });

/** A data directory whose DATABASE_URL points at a file the check must never create. */
function setup(t: Parameters<typeof dataDir>[0]) {
  const dir = dataDir(t);
  return { dir, env: { DATA_DIR: dir, DATABASE_URL: join(dir, 'gateway.db') } };
}

const example = (vendor: string, name: string) => join(ROOT, 'examples', vendor, name);
const rows = (r: VendorCheckReport) => r.errors.map((e) => [e.index, e.recordKey ?? null, e.path, e.code]);

t.test('an EMIS file with errors: exit 1, each error with record, key, path, code and both languages', async (t) => {
  const { dir, env } = setup(t);
  const json = await hocbaGw(['vendor-check', '--vendor', 'emis', example('emis', 'batch-with-errors.json'), '--json'], env);
  t.equal(json.code, 1, json.stderr);
  const report = JSON.parse(json.stdout) as VendorCheckReport;
  t.match(report, { vendor: 'emis', format: 'json', records: 5, valid: 2, invalid: 3, errorCount: 3 });
  t.same(rows(report), [
    [1, null, '/dateOfBirth', 'VENDOR_FIELD_INVALID'],
    [2, 'EM0100500200003/2024-2025', '/student/personalId', 'PERSONAL_ID_SEX_MISMATCH'],
    [4, null, '/secondaryAssessment/academicPerformance/year', 'VENDOR_FIELD_INVALID'],
  ]);
  t.match(report.errors[0], { message_en: /expected a date yyyy-mm-dd or yyyyMMdd, got "\d{4}-02-30"/, message_vi: /cần ngày dạng yyyy-mm-dd hoặc yyyyMMdd/ });
  t.same(report.topCodes, [
    { code: 'VENDOR_FIELD_INVALID', count: 2 },
    { code: 'PERSONAL_ID_SEX_MISMATCH', count: 1 },
  ]);
  t.equal(report.unreadable, undefined);

  const text = await hocbaGw(['vendor-check', '--vendor', 'emis', example('emis', 'batch-with-errors.json')], env);
  t.equal(text.code, 1);
  t.match(text.stdout, /Records read \/ Số hồ sơ đọc được: 5/);
  t.match(text.stdout, /record 2 \(EM0100500200003\/2024-2025\)  \/student\/personalId  PERSONAL_ID_SEX_MISMATCH\n    vi: .+\n    en: .+/);
  t.match(text.stdout, /Most often broken \/ Lỗi gặp nhiều nhất:\n  VENDOR_FIELD_INVALID +2\n  PERSONAL_ID_SEX_MISMATCH +1/);
  t.match(text.stdout, /3 of 5 records would be rejected/);
  t.notOk(existsSync(env.DATABASE_URL), 'no gateway database touched');
  t.same(readdirSync(dir), [], 'nothing written to the data directory');
});

t.test('valid files of both JSON vendors: exit 0', async (t) => {
  const { env } = setup(t);
  const emis = await hocbaGw(['vendor-check', '--vendor', 'emis', example('emis', 'batch-grades-1-9.json')], env);
  t.equal(emis.code, 0, emis.stderr);
  t.match(emis.stdout, /Valid \/ Hợp lệ: +18\n/);
  t.match(emis.stdout, /Every record is valid/);
  const vnedu = await hocbaGw(['vendor-check', '--vendor', 'vnedu', '--format', 'json', example('vnedu', 'batch-small.json'), '--json'], env);
  t.equal(vnedu.code, 0, vnedu.stderr);
  t.match(JSON.parse(vnedu.stdout), { vendor: 'vnedu', records: 3, valid: 3, invalid: 0, errors: [], topCodes: [] });
});

t.test('the example workbooks and SMAS batch are valid: exit 0', async (t) => {
  const { env } = setup(t);
  for (const [vendor, name, n] of [['c1', 'results-grade-5.xlsx', 12], ['c1', 'results-grade-8.xlsx', 12], ['smas', 'batch.xml', 0]] as const) {
    const run = await hocbaGw(['vendor-check', '--vendor', vendor, example(vendor, name), '--json'], env);
    t.equal(run.code, 0, `${name}: ${run.stderr}`);
    const report = JSON.parse(run.stdout);
    t.match(report, { vendor, invalid: 0, errors: [] }, name);
    if (n) t.equal(report.records, n, name);
    else t.ok(report.records > 0, name);
  }
});

t.test('a file of several chunks: indexes are places in the file', async (t) => {
  const { dir, env } = setup(t);
  const batch = sampleVneduBatch(1200, 77);
  batch.DanhSachHocSinh[10]!.NgaySinh = '31/02/2015';
  batch.DanhSachHocSinh[600]!.MaDinhDanh = '12345';
  batch.DanhSachHocSinh[1150]!.GioiTinh = 'X';
  const file = join(dir, 'year-end.json');
  writeFileSync(file, JSON.stringify(batch));
  const run = await hocbaGw(['vendor-check', '--vendor', 'vnedu', file, '--json'], env);
  t.equal(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as VendorCheckReport;
  t.match(report, { records: 1200, valid: 1197, invalid: 3 });
  t.same(report.errors.map((e) => [e.index, e.path]), [
    [10, '/NgaySinh'],
    [600, '/student/personalId'],
    [1150, '/GioiTinh'],
  ]);
  t.equal(report.errors[1]!.recordKey, `${batch.DanhSachHocSinh[600]!.MaHocSinh}/2024-2025`);
});

t.test('a file that cannot be read: exit 2, and why', async (t) => {
  const { dir, env } = setup(t);
  const cut = join(dir, 'cut.json');
  writeFileSync(cut, JSON.stringify(sampleEmisBatch(3, 1)).slice(0, 900));
  const truncated = await hocbaGw(['vendor-check', '--vendor', 'emis', cut, '--json'], env);
  t.equal(truncated.code, 2);
  t.match(JSON.parse(truncated.stdout).unreadable, { message: /ends before/ });

  const envelope = join(dir, 'envelope.json');
  writeFileSync(envelope, JSON.stringify({ schoolCode: '01005001', students: [{}] }));
  const noYear = await hocbaGw(['vendor-check', '--vendor', 'emis', envelope, '--json'], env);
  t.equal(noYear.code, 2);
  t.same(JSON.parse(noYear.stdout).unreadable.errors.map((e: { path: string; code: string }) => [e.path, e.code]), [
    ['/provinceCode', 'SCHEMA_REQUIRED'],
    ['/academicYear', 'SCHEMA_REQUIRED'],
  ]);
  const text = await hocbaGw(['vendor-check', '--vendor', 'emis', envelope], env);
  t.match(text.stdout, /UNREADABLE \/ KHÔNG ĐỌC ĐƯỢC: EMIS batch envelope is invalid\n  \/provinceCode  SCHEMA_REQUIRED\n    vi: Thiếu trường bắt buộc/);

  const missing = await hocbaGw(['vendor-check', '--vendor', 'emis', join(dir, 'nope.json')], env);
  t.equal(missing.code, 2);
  t.match(missing.stdout, /ENOENT|no such file/);

  const xml = join(dir, 'batch.xml');
  writeFileSync(xml, '<batch/>');
  const wrongFormat = await hocbaGw(['vendor-check', '--vendor', 'emis', xml], env);
  t.equal(wrongFormat.code, 2, 'a .xml file for a vendor that sends JSON');
  t.match(wrongFormat.stdout, /vendor emis has no format xml \(it reads json; give --format\)/);
  const forced = await hocbaGw(['vendor-check', '--vendor', 'emis', '--format', 'json', xml, '--json'], env);
  t.equal(forced.code, 2);
  t.match(JSON.parse(forced.stdout), { format: 'json', unreadable: { message: /./ } });
});

t.test('command lines it cannot act on: exit 2', async (t) => {
  const { env } = setup(t);
  const unknown = await hocbaGw(['vendor-check', '--vendor', 'nope', example('emis', 'batch-small.json')], env);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /unknown vendor: nope \(vendors: vnedu, emis/);
  const noFile = await hocbaGw(['vendor-check', '--vendor', 'emis'], env);
  t.equal(noFile.code, 2);
  t.match(noFile.stderr, /usage: hocba-gw vendor-check/);
  const help = await hocbaGw(['help'], env);
  t.match(help.stdout, /vendor-check --vendor V <file> \[--format F\] \[--json\]/);
});

t.test('the text report names a workbook\'s sheet, row and cell, and lists at most ten codes', async (t) => {
  const counts = new Map(Array.from({ length: 12 }, (_, i) => [`CODE_${String.fromCharCode(65 + i)}`, i < 2 ? 5 : 12 - i] as const));
  const top = topCodesOf(counts);
  t.equal(top.length, 10);
  t.same(top.map((c) => `${c.code}:${c.count}`), ['CODE_C:10', 'CODE_D:9', 'CODE_E:8', 'CODE_F:7', 'CODE_G:6', 'CODE_A:5', 'CODE_B:5', 'CODE_H:5', 'CODE_I:4', 'CODE_J:3'], 'most first, then by name; the two rarest left out');
  const report: VendorCheckReport = {
    vendor: 'c1',
    format: 'xlsx',
    file: 'so-diem.xlsx',
    records: 2,
    valid: 1,
    invalid: 1,
    errors: [{ index: 0, recordKey: 'X/2024-2025', path: '/student/birthDate', code: 'SCHEMA_PATTERN', message_en: 'Wrong format', message_vi: 'Giá trị không đúng định dạng', source: { sheet: 'Lop 4A', row: 7, cell: 'D7' } }],
    errorCount: 1,
    topCodes: [{ code: 'SCHEMA_PATTERN', count: 1 }],
  };
  const text = reportText(report);
  t.match(text, /record 0 \(X\/2024-2025\)  \/student\/birthDate  SCHEMA_PATTERN  \[sheet Lop 4A, row 7, cell D7\]/);
  t.match(text, /1 of 2 records would be rejected/);
  t.match(text, /Most often broken \/ Lỗi gặp nhiều nhất:\n  SCHEMA_PATTERN  1\n/);
});
