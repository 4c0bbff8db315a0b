import t from 'tap';
import { sampleVneduBatch } from '../src/adapters/vnedu/sample.js';
import { loadSettings } from '../src/config/settings.js';
import { validationContextFrom } from '../src/config/validation-context.js';
import { accept, type AcceptInput } from '../src/pipeline/accept.js';
import { runBatchIntake } from '../src/pipeline/batch-intake.js';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import type { Store } from '../src/storage/store.js';
import { api, startTestGateway } from './helpers/gateway.js';

// The one acceptance step (pipeline/accept.ts) on its own, against a real (in-memory) SQLite
// outbox, and through the JSON API: the school authority, the held guard, the version rule, dry
// runs and strict handling. The other paths (signed records, import, SOAP, workbooks) have tests
// of their own that go through the same function.

const settings = loadSettings({});
const ctx = validationContextFrom(settings);

async function memoryStore(t: Tap): Promise<Store> {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  t.teardown(() => store.close());
  return store;
}
type Tap = { teardown(fn: () => unknown): void };

async function intakeOf(batch: unknown) {
  const outcome = await runBatchIntake({ vendor: 'vnedu', mediaType: 'application/json', body: JSON.stringify(batch) }, ctx, 5000);
  if (outcome.kind !== 'ok') throw new Error(`intake: ${outcome.kind}`);
  return outcome;
}

function input(o: Awaited<ReturnType<typeof intakeOf>>, over: Partial<AcceptInput> = {}): AcceptInput {
  return { principal: { vendor: 'vnedu', schools: ['01001234'] }, idempotencyKey: null, requestHash: o.requestHash, handling: null, dryRun: false, result: o.result, ...over };
}

t.test('a record of a school the key does not hold is refused, and nothing of it is stored', async (t) => {
  const store = await memoryStore(t);
  let nudges = 0;
  const deps = { store, settings, nudge: () => void nudges++ };
  const ours = sampleVneduBatch(2, 1, { schoolId: '01001234' });
  const theirs = sampleVneduBatch(2, 2, { schoolId: '01004001' });
  // One batch is one school: a key holding only 01001234 sends 01004001's batch.
  const refused = await accept(deps, input(await intakeOf(theirs)));
  t.equal(refused.kind, 'refused');
  if (refused.kind !== 'refused') return;
  t.equal(refused.code, 'BATCH_REJECTED');
  t.same(refused.response.validationErrors.map((e) => [e.index, e.path, e.code]), [
    [0, '/school/schoolId', 'SCHOOL_NOT_AUTHORISED'],
    [1, '/school/schoolId', 'SCHOOL_NOT_AUTHORISED'],
  ]);
  t.match(refused.response.validationErrors[0]!.message_vi, /không được gửi hồ sơ của trường này/);
  t.same(await store.countByState(), {}, 'nothing stored');

  const stored = await accept(deps, input(await intakeOf(ours)));
  t.equal(stored.kind, 'stored');
  t.same(await store.countByState(), { queued: 2 });
  t.equal(nudges, 1, 'one nudge for the stored submission');
  const rows = await store.listRecords({ state: 'queued' });
  t.same(rows.length, 2);

  // A key with no school list (made before keys named their schools) may send any school's.
  const any = await accept(deps, input(await intakeOf(theirs), { principal: { vendor: 'vnedu', schools: null } }));
  t.equal(any.kind, 'stored');
});

t.test('an invalid record of another school is refused for the school first, its other errors left to that school\'s vendor', async (t) => {
  const store = await memoryStore(t);
  const theirs = sampleVneduBatch(3, 3, { schoolId: '01004001' });
  theirs.DanhSachHocSinh[1]!.MaDinhDanh = '12345'; // maps, then fails validation
  theirs.DanhSachHocSinh[2]!.NgaySinh = '31/02/2015'; // cannot be mapped at all: no record, no school to judge
  const refused = await accept({ store, settings, nudge: () => undefined }, input(await intakeOf(theirs)));
  if (refused.kind !== 'refused') return t.fail(refused.kind);
  t.same(refused.response.validationErrors.map((e) => [e.index, e.code]), [
    [0, 'SCHOOL_NOT_AUTHORISED'],
    [1, 'SCHOOL_NOT_AUTHORISED'],
    [2, 'VENDOR_FIELD_INVALID'],
  ]);
});

t.test('the version rule, a dry run and strict handling', async (t) => {
  const store = await memoryStore(t);
  const deps = { store, settings, nudge: () => undefined };
  const batch = sampleVneduBatch(3, 4, { schoolId: '01001234' });
  t.equal((await accept(deps, input(await intakeOf(batch)))).kind, 'stored');

  const changed = structuredClone(batch);
  changed.DanhSachHocSinh[0]!.Lop = `${changed.DanhSachHocSinh[0]!.Khoi}Z`;
  const dry = await accept(deps, input(await intakeOf(changed), { dryRun: true }));
  if (dry.kind !== 'dry-run') return t.fail(dry.kind);
  t.equal(dry.response.submissionId, null, 'a dry run has no submission');
  t.equal(dry.response.dryRun, true);
  t.same(dry.response.validationErrors.map((e) => [e.index, e.path, e.code]), [[0, '/version', 'VERSION_NOT_HIGHER']], 'new content at the same version');
  t.equal(dry.response.queued, 2, 'the two unchanged records are re-sends of the same content');
  t.same(await store.countByState(), { queued: 3 }, 'the dry run stored nothing');

  const strict = await accept(deps, input(await intakeOf(changed), { handling: 'strict' }));
  t.match(strict, { kind: 'refused', code: 'BATCH_REJECTED_STRICT' });
  t.same(await store.countByState(), { queued: 3 });

  changed.DanhSachHocSinh[0]!.PhienBan = 2;
  const higher = await accept(deps, input(await intakeOf(changed)));
  t.equal(higher.kind, 'stored', 'a higher version passes');
});

t.test('idempotency: the same key and body is replayed, another body is a conflict', async (t) => {
  const store = await memoryStore(t);
  const deps = { store, settings, nudge: () => undefined };
  const batch = await intakeOf(sampleVneduBatch(2, 5, { schoolId: '01001234' }));
  const first = await accept(deps, input(batch, { idempotencyKey: 'k-1' }));
  if (first.kind !== 'stored') return t.fail(first.kind);
  const again = await accept(deps, input(await intakeOf(sampleVneduBatch(2, 5, { schoolId: '01001234' })), { idempotencyKey: 'k-1' }));
  t.same(again, { kind: 'replayed', response: JSON.parse(JSON.stringify(first.response)) });
  const other = await accept(deps, input(await intakeOf(sampleVneduBatch(2, 6, { schoolId: '01001234' })), { idempotencyKey: 'k-1' }));
  t.same(other, { kind: 'conflict' });
});

t.test('an unsigned record does not overtake one held for its signatures', async (t) => {
  const store = await memoryStore(t);
  const deps = { store, settings, nudge: () => undefined };
  const batch = sampleVneduBatch(2, 7, { schoolId: '01001234' });
  const first = await intakeOf(batch);
  // The same records, as a signed submission still missing a signature: held.
  for (const r of first.result.records) r.state = 'held';
  for (const o of first.result.outcomes) o.status = 'held';
  t.equal((await accept(deps, input(first, { signed: true }))).kind, 'stored');
  const unsigned = await accept(deps, input(await intakeOf(batch)));
  if (unsigned.kind !== 'refused') return t.fail(unsigned.kind);
  t.same(unsigned.response.validationErrors.map((e) => [e.index, e.path, e.code]), [
    [0, '/student/learnerId', 'RECORD_HELD'],
    [1, '/student/learnerId', 'RECORD_HELD'],
  ]);
  t.same(await store.countByState(), { held: 2 });
});

t.test('a student whose personal ID is not issued yet: held, then superseded by the version that carries it', async (t) => {
  const store = await memoryStore(t);
  let nudges = 0;
  const deps = { store, settings, nudge: () => void nudges++ };
  const batch = sampleVneduBatch(2, 11, { schoolId: '01001234' });
  const [a, b] = batch.DanhSachHocSinh as unknown as Record<string, unknown>[];
  const personalId = a!.MaDinhDanh;
  delete a!.MaDinhDanh;
  a!.ChoCapMaDinhDanh = true;
  const first = await accept(deps, input(await intakeOf(batch)));
  if (first.kind !== 'stored') return t.fail(first.kind);
  t.same([first.response.queued, first.response.held, first.response.rejected], [1, 1, 0], 'one queued, one held, none rejected');
  t.same(first.response.records[0]!.errors?.map((e) => [e.path, e.code]), [['/student/personalIdPending', 'PERSONAL_ID_PENDING']]);
  t.match(first.response.records[0]!.errors![0]!.message_vi, /giữ tại cổng/);
  t.same(await store.countByState(), { held: 1, queued: 1 });
  const heldId = first.response.records[0]!.recordId;
  t.match(await store.getRecord(heldId), { state: 'held', lastCode: 'PERSONAL_ID_PENDING' });

  // The same version again with the ID is new content at the same version: refused.
  a!.MaDinhDanh = personalId;
  delete a!.ChoCapMaDinhDanh;
  batch.DanhSachHocSinh = [a] as never;
  const same = await accept(deps, input(await intakeOf(batch)));
  if (same.kind !== 'refused') return t.fail(same.kind);
  t.same(same.response.validationErrors.map((e) => e.code), ['VERSION_NOT_HIGHER']);

  // A later version with the ID, unsigned: it supersedes the held one and is queued.
  a!.PhienBan = 2;
  const later = await accept(deps, input(await intakeOf(batch)));
  if (later.kind !== 'stored') return t.fail(later.kind);
  t.same([later.response.queued, later.response.held], [1, undefined], 'queued; no held count when none waits');
  t.match(await store.getRecord(heldId), { state: 'superseded', lastCode: 'SUPERSEDED' });
  t.same(await store.countByState(), { queued: 2, superseded: 1 });
  t.equal(nudges, 2, 'delivery nudged for each submission that queued something');
  t.ok(b, 'the other student was queued from the start');
});

t.test('through the JSON API: school authority, the version rule and a dry run', async (t) => {
  const gw = await startTestGateway(t);
  const key = gw.demoCredentials!.vendors.vnedu!;
  // vnEdu's demo key holds vnEdu's sample schools, not SMAS's.
  const theirs = sampleVneduBatch(2, 8, { schoolId: '01004001' });
  const refused = await api(gw, 'POST', '/v1/submissions', { token: key, body: theirs });
  t.equal(refused.status, 422);
  t.equal(refused.json.code, 'BATCH_REJECTED');
  t.same(refused.json.validationErrors.map((e: { code: string }) => e.code), ['SCHOOL_NOT_AUTHORISED', 'SCHOOL_NOT_AUTHORISED']);

  const ours = sampleVneduBatch(2, 9, { schoolId: '01001234' });
  const dry = await api(gw, 'POST', '/v1/submissions', { token: key, body: ours, headers: { prefer: 'handling=dry-run' } });
  t.equal(dry.status, 200, 'a dry run answers 200');
  t.equal(dry.json.dryRun, true);
  t.equal(dry.json.submissionId, null);
  t.equal(dry.json.queued, 2);
  t.equal(dry.headers.get('preference-applied'), 'handling=dry-run');
  t.same(await gw.store.countByState(), {}, 'nothing stored by the dry run or the refusal');

  t.equal((await api(gw, 'POST', '/v1/submissions', { token: key, body: ours })).status, 202);
  const changed = structuredClone(ours);
  changed.DanhSachHocSinh[1]!.Lop = `${changed.DanhSachHocSinh[1]!.Khoi}Z`;
  const lower = await api(gw, 'POST', '/v1/submissions', { token: key, body: changed });
  t.equal(lower.status, 202);
  t.same(lower.json.validationErrors.map((e: { index: number; code: string }) => [e.index, e.code]), [[1, 'VERSION_NOT_HIGHER']]);

  const xml = await api(gw, 'POST', '/v1/submissions', { token: key, raw: '<batch/>', headers: { 'content-type': 'application/vnd.oasis.opendocument.spreadsheet' } });
  t.equal(xml.status, 415, 'a media type no adapter reads');
  t.equal(xml.json.code, 'UNSUPPORTED_MEDIA_TYPE');
});
