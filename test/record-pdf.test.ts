import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { distinctBatch } from '../src/bench/data.js';
import { recordToXml } from '../src/canonical/xml.js';
import { demoPkiPaths } from '../src/pki/demo.js';
import { renderRecordPdf } from '../src/pdf/record-pdf.js';
import { DemoSigners, sampleRecords, signedDocument } from '../src/record-signatures/demo-documents.js';
import { api, eventually, startTestGateway } from './helpers/gateway.js';

// The PDF học bạ (issue 15 item 11): GET /v1/records/{id}/pdf for the record's vendor or an
// admin, and `hocba-gw render`. pdftotext (poppler-utils) reads each PDF back: every Vietnamese
// name must come out as it went in.

let hasPdftotext = true;
try {
  execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
} catch {
  hasPdftotext = false;
}
const textOf = (pdf: Buffer, dir: string): string => {
  const p = join(dir, `t-${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(p, pdf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', p, '-']).toString('utf8');
};
const pdfOf = async (url: string, token?: string) => {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
};

t.test('GET /v1/records/{id}/pdf: the record form with every Vietnamese name intact, for its vendor or an admin', { skip: hasPdftotext ? false : 'pdftotext (poppler-utils) is not installed' }, async (t) => {
  const gw = await startTestGateway(t, { publicUrl: 'https://hocba.hanoi.edu.vn' });
  const creds = JSON.parse(readFileSync(join(gw.dir, 'demo-credentials.json'), 'utf8')) as { vendors: Record<string, string> };
  const batch = distinctBatch(5, 500, 9191);
  batch.DanhSachHocSinh = batch.DanhSachHocSinh.filter((s) => s.Khoi >= 6).slice(0, 1).concat(batch.DanhSachHocSinh.filter((s) => s.Khoi < 6).slice(0, 1));
  const res = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: batch });
  t.equal(res.status, 202);
  const sub = await eventually('the records', async () => {
    const r = await api(gw, 'GET', `/v1/submissions/${res.json.submissionId}`, { token: gw.vendorKey });
    return r.json?.records?.length === 2 ? r.json : null;
  });
  for (const [i, s] of batch.DanhSachHocSinh.entries()) {
    const id = sub.records[i].recordId;
    const pdf = await pdfOf(`${gw.url}/v1/records/${id}/pdf`, gw.vendorKey);
    t.equal(pdf.status, 200);
    t.equal(pdf.type, 'application/pdf');
    t.equal(pdf.body.subarray(0, 5).toString(), '%PDF-');
    const text = textOf(pdf.body, gw.dir);
    for (const name of [s.HoTen, batch.TenTruong ?? '', s.GVCN ?? '', 'HỌC BẠ', 'Thông tin học sinh', 'Chữ ký số']) {
      if (name) t.ok(text.includes(name), `the PDF's text holds "${name}"`);
    }
    t.ok(text.includes(s.MaTraCuu), 'the lookup code');
    t.ok(text.includes(`https://hocba.hanoi.edu.vn/lookup/${s.MaTraCuu}`), 'the lookup address under the configured public URL');
    t.match(text, s.Khoi >= 6 ? /Kết quả học tập và rèn luyện/ : /Phẩm chất chủ yếu và năng lực cốt lõi/, 'the results as the form of its level has them');
  }
  const first = sub.records[0].recordId;
  t.equal((await pdfOf(`${gw.url}/v1/records/${first}/pdf`)).status, 401, 'no key, no PDF');
  const other = await api(gw, 'GET', `/v1/records/${first}/pdf`, { token: creds.vendors.emis });
  t.equal(other.status, 404, 'another vendor cannot tell the record exists');
  t.equal(other.json.code, 'NOT_FOUND');
  t.equal((await pdfOf(`${gw.url}/v1/records/${first}/pdf`, gw.adminToken)).status, 200, 'an admin may');
  const auditLog = await api(gw, 'GET', '/admin/v1/audit?action=record.pdf', { token: gw.adminToken });
  t.ok(JSON.stringify(auditLog.json).includes(first), 'the admin\'s download is in the audit log');

  // Once the retention purge has cleared the content: 410 with its own code.
  await eventually('acknowledged', async () => (await gw.store.getRecord(first))?.state === 'acknowledged');
  await gw.store.purgePayloads(Date.now() + 60_000, 100);
  const purged = await api(gw, 'GET', `/v1/records/${first}/pdf`, { token: gw.vendorKey });
  t.equal(purged.status, 410);
  t.equal(purged.json.code, 'PAYLOAD_PURGED');
  t.match(purged.json.detail_vi, /không còn lưu/);
});

t.test('a signed record\'s PDF lists its signers, roles, times and verdicts', { skip: hasPdftotext ? false : 'pdftotext (poppler-utils) is not installed' }, async (t) => {
  const gw = await startTestGateway(t);
  const signers = new DemoSigners(demoPkiPaths(join(gw.dir, 'pki')));
  const [a] = sampleRecords(1, 23);
  const res = await api(gw, 'POST', '/v1/signed-records', { token: gw.vendorKey, raw: await signedDocument(signers, a!), headers: { 'content-type': 'application/xml' } });
  t.equal(res.status, 202, res.text);
  const pdf = await pdfOf(`${gw.url}/v1/records/${res.json.records[0].recordId}/pdf`, gw.vendorKey);
  const text = textOf(pdf.body, gw.dir);
  for (const s of ['Giáo viên chủ nhiệm', 'Hiệu trưởng', 'Dấu của nhà trường', a!.homeroomTeacher, a!.principal, a!.student.fullName]) t.ok(text.includes(s), `holds "${s}"`);
  t.equal(text.match(/Hợp lệ/g)?.length, 3, 'three signatures, each valid when received');
});

// The installed command (package.json "bin": dist/cli/main.js, built by `npm test` before tap
// runs): each run starts in a fraction of the time the TypeScript loader needs.
const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const hocbaGw = (env: Record<string, string>, ...args: string[]): Promise<{ code: number; out: string }> =>
  new Promise((resolve) =>
    execFile(process.execPath, [cli, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    ),
  );

t.test('hocba-gw render: a signed học bạ checked now, a bare record marked unverified', { skip: hasPdftotext ? false : 'pdftotext (poppler-utils) is not installed' }, async (t) => {
  const dir = t.testdirName;
  execFileSync('mkdir', ['-p', dir]);
  const env = { DATA_DIR: dir };
  t.equal((await hocbaGw(env, 'keys', 'init')).code, 0);
  const signers = new DemoSigners(demoPkiPaths(join(dir, 'pki')));
  const [a] = sampleRecords(1, 31);
  const signedPath = join(dir, 'signed.xml');
  writeFileSync(signedPath, await signedDocument(signers, a!));
  const out = join(dir, 'hocba.pdf');
  const r = await hocbaGw(env, 'render', signedPath, '--out', out, '--public-url', 'https://tra-cuu.example.vn');
  t.equal(r.code, 0, r.out);
  t.match(r.out, /teacher=VALID, principal=VALID, seal=VALID/);
  t.equal(statSync(out).mode & 0o777, 0o600, 'the PDF holds personal data: its owner only');
  const text = textOf(readFileSync(out), dir);
  t.ok(text.includes(a!.student.fullName) && text.includes(a!.school.name), 'names intact');
  t.ok(text.includes(`https://tra-cuu.example.vn/lookup/${a!.lookupCode}`));
  t.equal(text.match(/Hợp lệ/g)?.length, 3);

  // A time-stamped teacher's signature, checked with the authority's root (--tsa): its time printed.
  const { makeTsa, signatureValueC14n, stampObject, withObject } = await import('./helpers/tsa.js');
  const tsa = await makeTsa(join(dir, 'tsa'), 'PDF TSA');
  const doc = readFileSync(signedPath, 'utf8');
  const stampedPath = join(dir, 'stamped.xml');
  writeFileSync(stampedPath, withObject(doc, 'sig-gvcn', stampObject('sig-gvcn', await tsa.stamp(signatureValueC14n(doc, 'sig-gvcn')))));
  const stampedOut = join(dir, 'stamped.pdf');
  const st = await hocbaGw(env, 'render', stampedPath, '--out', stampedOut, '--tsa', tsa.rootFile);
  t.equal(st.code, 0, st.out);
  const stampedText = textOf(readFileSync(stampedOut), dir).replace(/\s+/g, ' ');
  // (The cell wraps the time over two lines, which pdftotext interleaves with the next column.)
  t.match(stampedText, /Giáo viên chủ nhiệm .*Hợp lệ \(dấu thời gian .*Hiệu trưởng/, 'the stamp beside the teacher\'s verdict');
  t.equal(stampedText.match(/dấu thời gian/g)?.length, 1, 'only the stamped signature says so');

  const barePath = join(dir, 'record.xml');
  writeFileSync(barePath, recordToXml(a!));
  const bare = await hocbaGw(env, 'render', barePath, '--out', join(dir, 'bare.pdf'));
  t.equal(bare.code, 0, bare.out);
  t.match(readFileSync(join(dir, 'bare.pdf')).subarray(0, 5).toString(), '%PDF-');
  t.match(textOf(readFileSync(join(dir, 'bare.pdf')), dir), /chưa kiểm tra/, 'declared signatures are marked as not verified');

  const junk = join(dir, 'junk.xml');
  writeFileSync(junk, '<other/>');
  const refused = await hocbaGw(env, 'render', junk, '--out', join(dir, 'junk.pdf'));
  t.equal(refused.code, 1);
  t.match(refused.out, /expected <hocba> or <signedHocba>/);
  t.equal((await hocbaGw(env, 'render', junk)).code, 2, 'no --out: a usage error');
});

t.test('the form carries what the rules used to forget: passport, disability, exemptions, the end of the level', { skip: hasPdftotext ? false : 'pdftotext (poppler-utils) is not installed' }, async (t) => {
  const dir = t.testdirName;
  execFileSync('mkdir', ['-p', dir]);
  const [a] = sampleRecords(1, 32);
  const record = structuredClone(a!);
  const { personalId: _, ...student } = record.student;
  record.student = { ...student, nationality: 'KR', identityDocument: { kind: 'PASSPORT', number: 'M7654321', issuingCountry: 'KR' }, disability: { type: 'TRI_TUE', individualPlan: true } };
  const block = (record.primary ?? record.secondary)!;
  block.exemptSubjects = [{ subject: 'GIAO_DUC_THE_CHAT', reason: 'HEALTH' }] as never;
  if (record.secondary) record.secondary.lowerSecondaryCompletion = { decisionNumber: '88/QĐ-THCS', date: '2025-06-05' };
  else record.primary!.completedPrimary = true;
  const text = textOf(await renderRecordPdf({ record, signatures: [], lookupUrl: 'https://tra-cuu.example.vn/lookup/X', generatedAt: new Date() }), dir);
  t.match(text, /Hộ chiếu: M7654321 \(KR\)/);
  t.match(text, /khuyết tật trí tuệ; đánh giá theo kế hoạch giáo dục cá nhân/);
  t.match(text, /Miễn học: GIAO_DUC_THE_CHAT \(sức khỏe\)/);
  t.match(text, record.secondary ? /Xác nhận hoàn thành chương trình THCS: số 88\/QĐ-THCS, ngày 2025-06-05/ : /Hoàn thành chương trình tiểu học: Có/);
  t.notMatch(text, /Mã định danh cá nhân: [0-9]/, 'no personal ID printed for a student who has none');
});

t.test('a profile v2 record prints its lý lịch, school history, comments and title', { skip: hasPdftotext ? false : 'pdftotext (poppler-utils) is not installed' }, async (t) => {
  const dir = t.testdirName;
  execFileSync('mkdir', ['-p', dir]);
  const forms = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'records', 'form-records.json'), 'utf8')) as { record: Parameters<typeof recordToXml>[0] }[];
  const record = forms[0]!.record;
  const text = textOf(await renderRecordPdf({ record, signatures: [], lookupUrl: 'https://tra-cuu.example.vn/lookup/X', generatedAt: new Date() }), dir);
  const f = record.form!;
  t.match(text, /Lý lịch học sinh/);
  t.match(text, new RegExp(`Nơi sinh: ${f.birthPlace}`));
  t.match(text, new RegExp(`Quê quán: ${f.homeTown}`));
  t.match(text, /Đối tượng chính sách: Hộ cận nghèo/);
  t.match(text, new RegExp(`Họ tên mẹ: ${f.family![0]!.fullName}, sinh năm 1987, Giáo viên`), 'the mother, with every diacritic');
  t.match(text, new RegExp(`Chiều cao / cân nặng: ${f.physical!.heightCm} cm / ${f.physical!.weightKg} kg`));
  t.match(text, /Quá trình học tập/);
  for (const e of f.schoolHistory!) t.match(text, new RegExp(e.schoolYear), `the school year ${e.schoolYear}`);
  t.match(text, /Chăm học, tự giác làm bài ở nhà\./, 'a quality comment');
  t.match(text, /Danh hiệu: Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện/);
});

t.test('a record with retests prints them in a Kiểm tra lại column', { skip: hasPdftotext ? false : 'pdftotext (poppler-utils) is not installed' }, async (t) => {
  const dir = t.testdirName;
  execFileSync('mkdir', ['-p', dir]);
  const { applyChanges, loadValid } = await import('./helpers/records.js');
  const kinds = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'records', 'forgotten-kinds.json'), 'utf8')) as { kind: string; base: string; change: never[] }[];
  const k = kinds.find((x) => x.kind === 'retests after a failed year')!;
  const record = applyChanges(loadValid(k.base), k.change);
  const text = textOf(await renderRecordPdf({ record, signatures: [], lookupUrl: 'https://tra-cuu.example.vn/lookup/X', generatedAt: new Date() }), dir);
  t.match(text, /Kiểm tra lại/);
  const retested = record.secondary!.scoreSubjects.filter((x) => x.retestScore !== undefined);
  t.ok(retested.length > 0);
  for (const x of retested) t.match(text, new RegExp(x.retestScore!.toFixed(1).replace('.', '\\.')), `the retest score ${x.retestScore}`);
  const plain = textOf(await renderRecordPdf({ record: loadValid(k.base), signatures: [], lookupUrl: 'https://tra-cuu.example.vn/lookup/X', generatedAt: new Date() }), dir);
  t.notMatch(plain, /Kiểm tra lại/, 'no such column without retests');
});
