import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { XLSX_MEDIA_TYPE, c1Adapter } from '../src/adapters/c1/index.js';
import { readC1Workbook, bytesStream, type C1Item } from '../src/adapters/c1/read.js';
import { colLetters, columnsOf, HEADER_LABELS } from '../src/adapters/c1/template.js';
import { cellOf, sampleSheets, type SheetContent } from '../src/adapters/c1/write.js';
import { api, eventually, startTestGateway } from './helpers/gateway.js';
import { dataDir, ensureBuilt } from './helpers/processes.js';

// C1 workbooks written by other programs than the gateway (openpyxl: shared strings, real dates,
// merged cells; a zip written by hand: inline strings), through POST /v1/submissions and
// `hocba-gw import` to the Ministry; errors placed at sheet, row and cell.

ensureBuilt();
const MAIN = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');
const WRITER = join(import.meta.dirname, 'fixtures', 'c1', 'write-workbook.py');
// Debian's python3 (python3-openpyxl), not another python3 first on the PATH.
const PYTHON = '/usr/bin/python3';

type Spec = { name: string; cells: [number, number, unknown][]; merges: string[] };

/**
 * A sheet as a school might lay it out by hand: title merged over row 1, "Mã trường: …" in one
 * merged cell, other labels with their value two cells to the right, a blank row, headings merged
 * over sub-headings, a blank row between students; `vary` rewrites a value (numbers as text…).
 */
function layout(content: SheetContent, vary: (key: string, v: unknown, n: number) => unknown = (_k, v) => v): { spec: Spec; headingCol: Map<string, number>; firstRow: number } {
  const cells: [number, number, unknown][] = [[1, 1, 'KẾT QUẢ HỌC TẬP — MẪU C1']];
  const merges = ['A1:H1', 'A2:C2'];
  cells.push([2, 1, `Mã trường: ${content.header.MaTruong}`]);
  HEADER_LABELS.filter(([, k]) => k !== 'MaTruong').forEach(([label, key], i) => {
    const r = 3 + Math.floor(i / 2);
    const c = 1 + (i % 2) * 4;
    cells.push([r, c, label]);
    if (content.header[key] !== undefined) cells.push([r, c + 2, content.header[key]]);
  });
  const H = 8;
  const cols = columnsOf(content.level);
  const headingCol = new Map<string, number>();
  cols.forEach((col, i) => {
    const c = i + 1;
    headingCol.set(col.key, c);
    const prev = cols[i - 1];
    if (col.sub === undefined) {
      cells.push([H, c, col.group]);
      merges.push(`${colLetters(c)}${H}:${colLetters(c)}${H + 1}`);
    } else {
      if (!prev || prev.group !== col.group || prev.sub === undefined) {
        cells.push([H, c, col.group]);
        const span = cols.slice(i).findIndex((x) => x.group !== col.group || x.sub === undefined);
        const last = span === -1 ? cols.length : i + span;
        if (last > c) merges.push(`${colLetters(c)}${H}:${colLetters(last)}${H}`);
      }
      cells.push([H + 1, c, col.sub]);
    }
  });
  content.students.forEach((s, n) => {
    const r = H + 2 + n * 2; // a blank row after every student
    cols.forEach((col, i) => {
      const v = col.key === 'STT' ? n + 1 : cellOf(s, col.key);
      if (v !== undefined && v !== '') cells.push([r, i + 1, vary(col.key, v, n)]);
    });
  });
  return { spec: { name: content.name, cells, merges }, headingCol, firstRow: H + 2 };
}

function writeWith(writer: 'openpyxl' | 'inline', path: string, sheets: Spec[]): Buffer {
  execFileSync(PYTHON, [WRITER], { input: JSON.stringify({ writer, path, sheets }) });
  return readFileSync(path);
}

/** Numbers as text, some with a decimal comma; birth dates as real Excel dates. */
function byHand(key: string, v: unknown, n: number): unknown {
  if (key === 'NgaySinh' && typeof v === 'string') {
    const [d, m, y] = v.split('/');
    return { date: `${y}-${m}-${d}` };
  }
  if (typeof v === 'number' && n % 2 === 0) return String(v).replace('.', ',');
  if (key === 'PhienBan') return '1';
  return v;
}

async function post(key: string, body: Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(gw.url + '/v1/submissions', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': XLSX_MEDIA_TYPE, ...headers }, body });
  return { status: res.status, json: (await res.json()) as any };
}

async function acknowledged(key: string, id: string, n: number) {
  return eventually(`submission ${id} acknowledged`, async () => {
    const r = await api(gw, 'GET', `/v1/submissions/${id}`, { token: key });
    return r.json?.counts?.acknowledged === n ? r.json : null;
  });
}

const sheets = (records: number, seed: number, grade: number) => [...sampleSheets(records, seed, grade)];

// One gateway for the HTTP tests: starting one costs seconds on a shared machine.
const gw = await startTestGateway(t);
const key = gw.demoCredentials.vendors.c1!;

t.test('workbooks of openpyxl and of a hand-written zip (inline strings) reach the Ministry', async (t) => {
  const primary = sheets(6, 11, 4).map((s) => layout(s, byHand).spec);
  const secondary = sheets(5, 12, 11).map((s) => layout(s, byHand).spec);
  const openpyxl = writeWith('openpyxl', join(gw.dir, 'openpyxl.xlsx'), [...primary, ...secondary]);

  const items: C1Item[] = [];
  for await (const item of readC1Workbook(bytesStream(openpyxl))) items.push(item);
  t.equal(items.length, 11, 'every student row, blank rows skipped');
  t.equal(items[0]!.s.header.MaTruong!.v, '01006001', 'the school from a "Mã trường: …" cell');

  const a = await post(key, openpyxl, { 'idempotency-key': 'c1-openpyxl' });
  t.equal(a.status, 202, JSON.stringify(a.json).slice(0, 800));
  t.equal(a.json.queued, 11);
  t.equal(a.json.rejected, 0, JSON.stringify(a.json.records?.find((r: any) => r.errors)?.errors ?? []).slice(0, 800));
  await acknowledged(key, a.json.submissionId, 11);

  const inline = writeWith('inline', join(gw.dir, 'inline.xlsx'), sheets(4, 13, 8).map((s) => layout(s).spec));
  t.notOk(inline.includes(Buffer.from('sharedStrings')), 'no shared strings at all');
  const b = await post(key, inline);
  t.equal(b.status, 202);
  t.equal(b.json.queued, 4, JSON.stringify(b.json.records?.find((r: any) => r.errors)?.errors ?? []).slice(0, 800));
  await acknowledged(key, b.json.submissionId, 4);
});

t.test('a wrong score is rejected at its sheet, row and cell; another province school is not the key\'s', async (t) => {
  const all = sheets(3, 21, 5);
  const content: SheetContent = { ...all[0]!, students: all.flatMap((x) => x.students) };
  // Learner IDs of their own: the first test stored the sample's.
  content.students.forEach((s, i) => (s.MaHocSinh = `01006001${String(900 + i).padStart(7, '0')}`));
  const { spec, headingCol, firstRow } = layout(content, (k, v, n) => (k === 'KQ.TO.DiemKTDK' && n === 1 ? 11 : v));
  const body = writeWith('openpyxl', join(gw.dir, 'wrong.xlsx'), [spec]);
  const res = await post(key, body);
  t.equal(res.status, 202, JSON.stringify(res.json).slice(0, 1500));
  t.equal(res.json.queued, 2);
  t.equal(res.json.rejected, 1);
  const e = res.json.validationErrors.find((x: any) => x.index === 1);
  t.equal(e.code, 'SCHEMA_RANGE');
  t.equal(e.path, '/primary/subjects/1/testScores/endOfYear');
  const row = firstRow + 2;
  t.same(e.source, { sheet: content.name, row, cell: `${colLetters(headingCol.get('KQ.TO.DiemKTDK')!)}${row}`, field: 'Toán | Điểm cuối năm' });

  // The same students at a school of vnEdu's: the c1 key may not send them.
  const students = content.students.map((s, i) => ({ ...s, MaHocSinh: `01001234${String(950 + i).padStart(7, '0')}` }));
  const other = layout({ ...content, header: { ...content.header, MaTruong: '01001234' }, students });
  const refused = await post(key, writeWith('openpyxl', join(gw.dir, 'other.xlsx'), [other.spec]));
  // Every record refused at record level, so the batch as a whole (422 BATCH_REJECTED).
  t.equal(refused.status, 422, JSON.stringify(refused.json).slice(0, 600));
  t.ok(refused.json.validationErrors.length === 3 && refused.json.validationErrors.every((x: any) => x.code === 'SCHOOL_NOT_AUTHORISED'), 'each record: SCHOOL_NOT_AUTHORISED');

  // The version rule on this path too: student 0 with another name at the version already accepted.
  const renamed = layout({ ...content, students: content.students.map((s, i) => (i === 0 ? { ...s, HoTen: `${s.HoTen} Anh` } : s)) }, (k, v, n) => (k === 'KQ.TO.DiemKTDK' && n === 1 ? 11 : v));
  const again = await post(key, writeWith('openpyxl', join(gw.dir, 'renamed.xlsx'), [renamed.spec]));
  t.equal(again.status, 202, JSON.stringify(again.json).slice(0, 600));
  t.same(again.json.validationErrors.map((x: any) => [x.index, x.code]), [[0, 'VERSION_NOT_HIGHER'], [1, 'SCHEMA_RANGE']], 'other content at the same version; the unchanged record is a re-send');

  // Not a workbook; a sheet without headings.
  const junk = await post(key, Buffer.from('not a zip at all'));
  t.equal(junk.status, 422);
  t.equal(junk.json.errors[0].code, 'WORKBOOK_UNREADABLE');
  const noHeadings = writeWith('openpyxl', join(gw.dir, 'noheadings.xlsx'), [{ name: 'Lớp 5A', cells: [[1, 1, 'Mã trường: 01006001'], [3, 1, 'Nguyễn Văn An']], merges: [] }]);
  const missing = await post(key, noHeadings);
  t.equal(missing.status, 422);
  t.equal(missing.json.errors[0].code, 'WORKBOOK_HEADER_MISSING');
  t.match(missing.json.errors[0].message ?? JSON.stringify(missing.json.errors[0]), /Lớp 5A/);
});

t.test('Tin học và Công nghệ in its two parts: read from their columns, a wrong part placed at its cell', async (t) => {
  const all = sheets(3, 31, 4);
  const content: SheetContent = { ...all[0]!, students: all.flatMap((x) => x.students) };
  content.students.forEach((s, i) => (s.MaHocSinh = `01006001${String(800 + i).padStart(7, '0')}`));
  // Parts that give each student's own level and scores: both parts at its level, the same scores.
  for (const s of content.students) {
    const r = (s.KetQuaHocTap as unknown as Record<string, unknown>[]).find((x) => x.MaMon === 'TH-CN')!;
    const part = { MucDat: r.MucDat, DiemCKI: r.DiemCKI, DiemKTDK: r.DiemKTDK };
    Object.assign(r, { PhanTinHoc: { ...part }, PhanCongNghe: { ...part } });
  }
  const wrongLevel = (k: string, v: unknown, n: number) => (k === 'KQ.TH-CN.PhanCongNghe.MucDat' && n === 2 ? (v === 'CHT' ? 'HTT' : 'CHT') : v);
  const { spec, headingCol, firstRow } = layout(content, wrongLevel);
  const body = writeWith('openpyxl', join(gw.dir, 'thcn.xlsx'), [spec]);
  const res = await post(key, body);
  t.equal(res.status, 202, JSON.stringify(res.json).slice(0, 1500));
  t.equal(res.json.queued, 2, 'the students whose parts agree with the subject');
  const e = res.json.validationErrors.find((x: any) => x.index === 2);
  t.equal(e?.code, 'SUBJECT_PARTS_LEVEL_INCONSISTENT');
  const row = firstRow + 4;
  t.equal(e?.source?.sheet, content.name);
  t.equal(e?.source?.row, row);
  t.ok(headingCol.has('KQ.TH-CN.PhanTinHoc.MucDat') && headingCol.has('KQ.TH-CN.PhanCongNghe.DiemKTDK'), 'the template has the parts\' columns');
  t.equal(e?.source?.cell, `${colLetters(headingCol.get('KQ.TH-CN.MucDat')!)}${row}`, 'at the subject\'s own level');
  // Each row maps the parts into the record.
  const items: C1Item[] = [];
  for await (const item of readC1Workbook(bytesStream(body))) items.push(item);
  const mapped = c1Adapter.map(items[0], null);
  if (!mapped.ok) throw new Error(JSON.stringify(mapped.errors));
  const thcn = mapped.record.primary!.subjects.find((x) => x.subject === 'TIN_HOC_CONG_NGHE')!;
  t.same(thcn.parts, { informatics: { level: thcn.level, ...(thcn.testScores ?? {}) }, technology: { level: thcn.level, ...(thcn.testScores ?? {}) } }, 'both parts, with their levels and scores');
});

t.test('lý lịch columns send the record form (profile v2); a wrong one is placed at its cell', async (t) => {
  const all = sheets(3, 41, 3);
  const content: SheetContent = { ...all[0]!, students: all.flatMap((x) => x.students) };
  content.students.forEach((s, i) => (s.MaHocSinh = `01006001${String(700 + i).padStart(7, '0')}`));
  const year = Number(content.header.NamHoc!.toString().slice(0, 4));
  const { ethnicityCodeOf } = await import('../src/canonical/ethnicities.js');
  for (const s of content.students) {
    s.LyLich = {
      MaDanToc: s.QuocTich === 'Việt Nam' ? ethnicityCodeOf(s.DanToc) : '55',
      NoiSinh: 'Xã Đông Anh, Thành phố Hà Nội',
      QueQuan: 'Xã Hải Hậu, Tỉnh Ninh Bình',
      NoiO: 'Phường Cầu Giấy, Thành phố Hà Nội',
      DoiTuongChinhSach: 'HoCanNgheo',
      SoDangBo: `${year - 2}/0312`,
      NgayNhapHoc: `05/09/${year - 2}`,
      GiaDinh: [{ QuanHe: 'Cha', HoTen: 'Lê Văn Hùng' }, { QuanHe: 'Me', HoTen: 'Phạm Thị Ngọc Ánh' }],
      ChieuCao: 125.5,
      CanNang: 24.8,
    };
  }
  const wrong = (k: string, v: unknown, n: number) => (k === 'LyLich.ChieuCao' && n === 1 ? '125.55' : v);
  const { spec, headingCol, firstRow } = layout(content, wrong);
  const body = writeWith('openpyxl', join(gw.dir, 'lylich.xlsx'), [spec]);
  const res = await post(key, body);
  t.equal(res.status, 202, JSON.stringify(res.json).slice(0, 1500));
  t.equal(res.json.queued, 2, JSON.stringify(res.json.validationErrors).slice(0, 800));
  const e = res.json.validationErrors.find((x: any) => x.index === 1);
  t.equal(e?.code, 'FORM_MEASURE_PRECISION');
  t.equal(e?.source?.cell, `${colLetters(headingCol.get('LyLich.ChieuCao')!)}${firstRow + 2}`, 'at the height\'s cell');
  const items: C1Item[] = [];
  for await (const item of readC1Workbook(bytesStream(body))) items.push(item);
  const mapped = c1Adapter.map(items[0], null);
  if (!mapped.ok) throw new Error(JSON.stringify(mapped.errors));
  t.match(mapped.record.form, {
    birthPlace: 'Xã Đông Anh, Thành phố Hà Nội',
    policyCategory: 'HO_CAN_NGHEO',
    enrolmentDate: `${year - 2}-09-05`,
    family: [{ relation: 'FATHER', fullName: 'Lê Văn Hùng' }, { relation: 'MOTHER', fullName: 'Phạm Thị Ngọc Ánh' }],
    physical: { heightCm: 125.5, weightKg: 24.8 },
  }, 'the row\'s lý lịch, in the record form');
});

t.test('a workbook large enough for an intake thread (over 32 kB) is read there as well', async (t) => {
  // `hocba-gw sample --vendor c1` as a school would post it: its bytes cross to an intake thread.
  const made = await c1Adapter.sample({ records: 40, seed: 77, grade: 7 });
  const body = made.body as Buffer;
  t.ok(body.byteLength > 32 * 1024, `${body.byteLength} bytes: handed to a thread`);
  const res = await post(key, body);
  t.equal(res.status, 202, JSON.stringify(res.json).slice(0, 600));
  t.equal(res.json.received, 40, 'every row read');
  // Sample learner IDs restart at 1 for each seed: those the earlier tests stored come back as other content.
  t.same([...new Set(res.json.validationErrors.map((e: { code: string }) => e.code))].filter((c) => c !== 'VERSION_NOT_HIGHER'), [], 'no other refusal');
  t.ok(res.json.queued > 30);
});

t.test('empty templates are public, read back as templates, and an unknown name is 404', async (t) => {
  for (const name of ['c1-tt27-tieu-hoc.xlsx', 'c1-tt22-thcs.xlsx', 'c1-tt22-thpt.xlsx']) {
    const res = await fetch(`${gw.url}/v1/templates/${name}`);
    t.equal(res.status, 200, name);
    t.equal(res.headers.get('content-type'), XLSX_MEDIA_TYPE);
    const items: C1Item[] = [];
    for await (const item of readC1Workbook(bytesStream(Buffer.from(await res.arrayBuffer())))) items.push(item);
    t.equal(items.length, 0, `${name}: headings found, no student`);
  }
  const missing = await fetch(`${gw.url}/v1/templates/c1-tt99.xlsx`);
  t.equal(missing.status, 404);
  t.equal(((await missing.json()) as any).code, 'NOT_FOUND');
});

t.test('hocba-gw import --vendor c1 --format xlsx streams a workbook into the outbox', async (t) => {
  const dir = dataDir(t);
  const file = join(dir, 'c1.xlsx');
  writeFileSync(file, (await c1Adapter.sample({ records: 120, seed: 5 })).body);
  const child = spawn(process.execPath, [MAIN, 'import', '--vendor', 'c1', '--format', 'xlsx', '--chunk', '50', file], {
    env: { ...process.env, DATA_DIR: dir, DATABASE_URL: join(dir, 'gateway.db'), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const [code] = await once(child, 'exit');
  t.equal(code, 0, err);
  const summary = JSON.parse(out.trim().split('\n').pop()!);
  t.match(summary, { records: 120, queued: 120, rejected: 0, submissions: 3 });
});
