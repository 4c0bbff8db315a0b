import { sampleVneduBatch } from '../src/adapters/vnedu/sample.js';
import t from 'tap';
import { sampleVneduBatch, vneduAdapter, type VneduBatch } from '../src/adapters/vnedu/index.js';
import { ERRORS } from '../src/errors/catalogue.js';
import { api, simRecords, startTestGateway, waitForStates } from './helpers/gateway.js';

// The vendor API on profile v1, over real HTTP with real SQLite and the real simulator:
// lenient and strict handling, the version rule, and a large batch with one wrong score.

const post = (gw: { url: string; vendorKey: string }, body: unknown, headers: Record<string, string> = {}) =>
  api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body, headers });

t.test('a batch of 500 records across grades 1-12 with one wrong score: 202, 499 queued, one precise error', async (t) => {
  const gw = await startTestGateway(t);
  const batch = sampleVneduBatch(500, 2024) as VneduBatch;
  const broken = 250;
  const student = batch.DanhSachHocSinh[broken]!;
  t.equal(student.Khoi, 11, 'an upper-secondary student');
  const subject = (student.KetQuaHocTap as { HK1: { DDGtx: number[] } }[])[1]!;
  subject.HK1.DDGtx[2] = 10.5;

  const res = await post(gw, batch);
  t.equal(res.status, 202);
  t.equal(res.json.received, 500);
  t.equal(res.json.queued, 499);
  t.equal(res.json.rejected, 1);
  t.same(res.json.validationErrors, [
    {
      index: broken,
      recordKey: `${student.MaHocSinh}/2024-2025`,
      path: '/secondary/scoreSubjects/1/termI/regularScores/2',
      code: 'SCHEMA_RANGE',
      message_en: `${ERRORS.SCHEMA_RANGE.en}: must be <= 10, got 10.5`,
      message_vi: `${ERRORS.SCHEMA_RANGE.vi}: phải <= 10, nhận được 10.5`,
    },
  ]);
  t.equal(res.json.records[broken].status, 'rejected');
  t.equal(res.json.records.filter((r: { status: string }) => r.status === 'queued').length, 499);

  await waitForStates(gw, res.json.submissionId, (c) => c.acknowledged === 499 && c.rejected === 1, 60_000);
  t.equal((await simRecords(gw)).unique, 499, 'the Ministry holds the 499 valid records, v1 schema and all');
});

t.test('Prefer: handling=strict rejects the whole batch when one record is invalid, and stores nothing', async (t) => {
  const gw = await startTestGateway(t, { delivery: { pollIntervalMs: 60_000 } });
  const batch = sampleVneduBatch(4, 31, { schoolId: '01002345' });
  const conduct = batch.DanhSachHocSinh[2]!.RenLuyen!;
  t.not(conduct.CaNam, 'CĐ', 'a student who passes conduct');
  conduct.CaNam = conduct.CaNam === 'T' ? 'K' : 'T';
  const strict = await post(gw, batch, { prefer: 'handling=strict' });
  t.equal(strict.status, 422);
  t.match(strict.headers.get('content-type'), /application\/problem\+json/);
  t.equal(strict.headers.get('preference-applied'), 'handling=strict');
  t.equal(strict.json.code, 'BATCH_REJECTED_STRICT');
  t.equal(strict.json.type, 'urn:hocba-gateway:problem:batch-rejected-strict');
  t.same(strict.json.validationErrors.map((e: { index: number; code: string; path: string }) => [e.index, e.code, e.path]), [[2, 'CONDUCT_YEAR_INCONSISTENT', '/secondary/conductResult/year']]);
  t.ok(strict.json.detail && strict.json.detail_vi);
  t.same(await gw.store.countByState(), {}, 'nothing stored');

  const lenient = await post(gw, batch, { prefer: 'respond-async, handling=lenient' });
  t.equal(lenient.status, 202);
  t.equal(lenient.headers.get('preference-applied'), 'handling=lenient');
  t.equal(lenient.json.queued, 3);

  const fixed = sampleVneduBatch(4, 32, { schoolId: '01003456' });
  const ok = await post(gw, fixed, { prefer: 'handling=strict' });
  t.equal(ok.status, 202, 'a valid batch is accepted under strict handling');
  t.equal(ok.headers.get('preference-applied'), 'handling=strict');
  t.equal(ok.json.queued, 4);
  const none = await post(gw, sampleVneduBatch(1, 33, { schoolId: '01003456' }));
  t.equal(none.headers.get('preference-applied'), null, 'no preference, none applied');
});

t.test('a record\'s version only goes up for the same record key', async (t) => {
  const gw = await startTestGateway(t, { delivery: { pollIntervalMs: 60_000 } });
  const batch = sampleVneduBatch(2, 41, { schoolId: '01001234' });
  const first = await post(gw, batch);
  t.equal(first.json.queued, 2);

  const again = await post(gw, batch);
  t.equal(again.status, 202);
  t.equal(again.json.queued, 2, 'the same content at the same version is a re-send, not an error');

  const changed = structuredClone(batch);
  changed.DanhSachHocSinh[0]!.NhanXet = 'Em đã tiến bộ nhiều.';
  changed.DanhSachHocSinh[1]!.NhanXet = 'Em đã tiến bộ nhiều.';
  changed.DanhSachHocSinh[1]!.PhienBan = 2;
  const res = await post(gw, changed);
  t.equal(res.status, 202);
  t.same(res.json.records.map((r: { status: string }) => r.status), ['rejected', 'queued']);
  t.same(res.json.validationErrors.map((e: { index: number; code: string; path: string; recordKey: string }) => [e.index, e.code, e.path, e.recordKey]), [
    [0, 'VERSION_NOT_HIGHER', '/version', `${batch.DanhSachHocSinh[0]!.MaHocSinh}/2024-2025`],
  ]);
  t.match(res.json.validationErrors[0].message_en, /got 1, version 1 was accepted before with other content/);

  const older = structuredClone(batch);
  older.DanhSachHocSinh = [older.DanhSachHocSinh[1]!];
  const stale = await post(gw, older);
  t.equal(stale.status, 422, 'version 1 after version 2: nothing valid left');
  t.equal(stale.json.code, 'BATCH_REJECTED');
  t.same(stale.json.validationErrors.map((e: { code: string }) => e.code), ['VERSION_NOT_HIGHER']);
});

t.test('the same student twice in one batch, and records of another province', async (t) => {
  const gw = await startTestGateway(t, { delivery: { pollIntervalMs: 60_000 } });
  const batch = sampleVneduBatch(3, 51, { schoolId: '01001234' });
  batch.DanhSachHocSinh.push({ ...structuredClone(batch.DanhSachHocSinh[0]!), MaHocSinh: 'X-0001' });
  const res = await post(gw, batch);
  t.same(res.json.validationErrors.map((e: { index: number; code: string; path: string }) => [e.index, e.code, e.path]), [[3, 'DUPLICATE_PERSONAL_ID_IN_BATCH', '/student/personalId']]);

  const elsewhere = sampleVneduBatch(2, 52, { schoolId: '01001234' });
  elsewhere.MaSoGD = '79';
  const other = await post(gw, elsewhere);
  t.equal(other.status, 422);
  t.same(other.json.validationErrors.map((e: { code: string; path: string }) => [e.code, e.path]), [
    ['SCHOOL_PROVINCE_NOT_OURS', '/school/provinceCode'],
    ['SCHOOL_PROVINCE_NOT_OURS', '/school/provinceCode'],
  ]);
  t.match(other.json.validationErrors[0].message_vi, /trường thuộc tỉnh 79/);
});
