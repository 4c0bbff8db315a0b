import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { BatchFormatError } from '../src/adapters/adapter.js';
import { EMIS_EXAMPLE } from '../src/adapters/emis/example.js';
import { emisAdapter, emisBatchOf, emisStudentOf, sampleEmisBatch, type EmisBatch } from '../src/adapters/emis/index.js';
import { mapEmisStudent, splitEmisBatch } from '../src/adapters/emis/map.js';
import { adapters, getAdapter } from '../src/adapters/registry.js';
import { mapVneduStudent, splitVneduBatch } from '../src/adapters/vnedu/map.js';
import { sampleVneduBatch } from '../src/adapters/vnedu/sample.js';
import type { CanonicalRecord } from '../src/canonical/record.js';
import { recordToXml } from '../src/canonical/xml.js';
import type { FieldError } from '../src/validation/types.js';
import { validateRecord } from '../src/validation/validate.js';
import { api, simRecords, startTestGateway, waitForStates } from './helpers/gateway.js';
import { applyChanges, contextWith, FIXTURES, loadValid, type Change } from './helpers/records.js';

// MISA EMIS: its own JSON shape, codes and dates mapped to the canonical record; its samples;
// and its batches through the generic POST /v1/submissions with the EMIS demo key.

const ctx = contextWith();

function run(batch: unknown): { records: CanonicalRecord[]; problems: [number, string, string][] } {
  const { items, context } = splitEmisBatch(batch);
  const records: CanonicalRecord[] = [];
  const problems: [number, string, string][] = [];
  items.forEach((item, i) => {
    const outcome = emisAdapter.map(item, context);
    const errors: FieldError[] = outcome.ok ? validateRecord(outcome.record, ctx) : outcome.errors;
    if (outcome.ok) records.push(outcome.record);
    for (const e of errors) problems.push([i, e.code, e.path]);
  });
  return { records, problems };
}

const example = (name: string): EmisBatch => JSON.parse(readFileSync(new URL(`../examples/emis/${name}`, import.meta.url), 'utf8'));

/** Student `index` of a sample (grade 4 at index 3 of the default school, grade 7 at index 6), changed, mapped and validated: [code, path] of each problem. */
function problemsOf(index: number, change: (s: Record<string, any>) => void): string[][] {
  const batch = sampleEmisBatch(9, 11);
  change(batch.students[index] as unknown as Record<string, any>);
  const { items, context } = splitEmisBatch(batch);
  const o = mapEmisStudent(items[index], context);
  return o.ok ? validateRecord(o.record, ctx).map((e) => [e.code, e.path]) : o.errors.map((e) => [e.code, e.path]);
}
const primary = (change: (s: Record<string, any>) => void) => problemsOf(3, change);
const secondary = (change: (s: Record<string, any>) => void) => problemsOf(6, change);

t.test('registry and demo schools', async (t) => {
  t.equal(getAdapter('emis'), emisAdapter);
  t.equal(adapters.emis, emisAdapter);
  t.same(emisAdapter.sampleSchools, ['01005001', '01005002']);
  t.same(emisAdapter.formats.map((f) => [f.name, f.mediaType]), [['json', 'application/json']]);
});

t.test('the default sample (grades 1-9 at 01005002) maps and validates with no errors', async (t) => {
  const batch = sampleEmisBatch(45, 3);
  t.equal(batch.schoolCode, '01005002');
  const { records, problems } = run(batch);
  t.same(problems, []);
  t.same([...new Set(records.map((r) => r.grade))].sort(), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  t.ok(records.every((r) => /^EM01005002\d{5}$/.test(r.student.learnerId) && r.recordId.startsWith('EMIS-01005002-2024-')), 'EMIS record keys');
  t.equal(new Set(records.map((r) => r.student.personalId)).size, 45);
  t.ok(records.filter((r) => r.grade >= 6).every((r) => r.secondary && !r.primary), 'grades 6-9 carry secondary results only');
  t.ok(batch.students.every((s) => /^\d{4}-\d{2}-\d{2}$/.test(s.dateOfBirth) && /^\d{8}$/.test(s.issuedDate) && (s.sex === 1 || s.sex === 2)), 'EMIS dates and sex codes');

  const vnedu = splitVneduBatch(sampleVneduBatch(45, 3));
  const vneduIds = new Set(vnedu.items.map((s) => (s as { MaDinhDanh: string }).MaDinhDanh));
  t.notOk(records.some((r) => vneduIds.has(r.student.personalId)), 'no student shared with the vnEdu sample of the same seed');
  t.same(sampleEmisBatch(5, 8), sampleEmisBatch(5, 8), 'deterministic for a seed');
  t.notSame(sampleEmisBatch(5, 8), sampleEmisBatch(5, 9));
});

t.test('sample({grade}) puts every student in that grade, at the EMIS school teaching it', async (t) => {
  for (const [grade, school] of [[2, '01005001'], [7, '01005002']] as const) {
    const made = await emisAdapter.sample({ records: 6, seed: 4, grade });
    t.equal(made.mediaType, 'application/json');
    const batch = JSON.parse(made.body as string) as EmisBatch;
    t.equal(batch.schoolCode, school);
    const { records, problems } = run(batch);
    t.same(problems, []);
    t.same(records.map((r) => r.grade), [grade, grade, grade, grade, grade, grade]);
  }
  await t.rejects(async () => emisAdapter.sample({ records: 2, seed: 1, grade: 11 }), /grades 1-9/);
  t.throws(() => sampleVneduBatch(2, 1, { schoolId: '01001234', grade: 8 }), RangeError, 'vnEdu: a grade the school does not teach');
  const vnedu = JSON.parse((await getAdapter('vnedu')!.sample({ records: 4, seed: 2, grade: 3 })).body as string);
  t.same(vnedu.DanhSachHocSinh.map((s: { Khoi: number }) => s.Khoi), [3, 3, 3, 3], 'vnEdu honours the grade too');
});

t.test('write is the inverse of map: every canonical record of grades 1-12 comes back to the same XML', async (t) => {
  const { items, context } = splitVneduBatch(sampleVneduBatch(72, 12));
  const records = items.map((item) => {
    const m = mapVneduStudent(item, context);
    if (!m.ok) throw new Error('vnEdu sample does not map');
    return m.record;
  });
  t.same([...new Set(records.map((r) => r.grade))].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const emis = emisBatchOf(records);
  const back = splitEmisBatch(JSON.parse(JSON.stringify(emis)));
  let same = 0;
  back.items.forEach((item, i) => {
    const m = mapEmisStudent(item, back.context);
    if (m.ok && recordToXml(m.record) === recordToXml(records[i]!)) same += 1;
  });
  t.equal(same, 72);
});

t.test('the /docs example is the sample it says, and is valid', async (t) => {
  t.same(EMIS_EXAMPLE, sampleEmisBatch(1, 1, { grade: 1 }));
  t.same(run(EMIS_EXAMPLE).problems, []);
  t.same((emisAdapter.formats[0]!.docs.schema.examples as unknown[])[0], EMIS_EXAMPLE);
});

t.test('variants EMIS writes: numeric codes, compact dates, digit strings, lower case', async (t) => {
  t.same(primary(() => {}), []);
  t.same(primary((s) => (s.sex = String(s.sex))), []);
  t.same(primary((s) => (s.dateOfBirth = s.dateOfBirth.replaceAll('-', ''))), []);
  t.same(primary((s) => (s.issuedDate = `${s.issuedDate.slice(0, 4)}-${s.issuedDate.slice(4, 6)}-${s.issuedDate.slice(6)}`)), []);
  t.same(primary((s) => (s.gradeLevel = '4')), []);
  const numeric = { COMPLETED_WELL: 3, COMPLETED: 2, NOT_COMPLETED: 1, GOOD: 3, PASS: 2, NEEDS_EFFORT: 1 } as Record<string, number>;
  t.same(
    primary((s) => {
      for (const x of s.primaryAssessment.subjects) x.achievement = numeric[x.achievement];
      for (const x of [...s.primaryAssessment.qualities, ...s.primaryAssessment.competencies]) x.rating = String(numeric[x.rating]);
      s.primaryAssessment.finalResult = { OUTSTANDING: 4, COMPLETED_WELL: 3, COMPLETED: 2, NOT_COMPLETED: 1 }[s.primaryAssessment.finalResult as string];
      s.primaryAssessment.subjects[0].subjectCode = s.primaryAssessment.subjects[0].subjectCode.toLowerCase();
      s.primaryAssessment.qualities.reverse();
    }),
    [],
    'numbers for every result, a lower-case code, ratings in another order',
  );
  const level = { EXCELLENT: 4, GOOD: 3, PASS: 2, FAIL: 1 } as Record<string, number>;
  t.same(
    secondary((s) => {
      for (const r of [s.secondaryAssessment.academicPerformance, s.secondaryAssessment.conduct]) for (const k of Object.keys(r)) r[k] = level[r[k]];
      for (const c of s.secondaryAssessment.commentedSubjects) {
        c.yearResult = c.yearResult === 'PASS' ? 1 : 0;
        c.semester1.regular = c.semester1.regular.map((x: string) => (x === 'PASS' ? 1 : 0));
      }
      s.secondaryAssessment.scoredSubjects[0].semester1.average = String(s.secondaryAssessment.scoredSubjects[0].semester1.average);
    }),
    [],
  );
  const student = structuredClone(EMIS_EXAMPLE.students[0]!);
  delete student.primaryAssessment!.awards;
  const o = mapEmisStudent(student, splitEmisBatch(EMIS_EXAMPLE).context);
  t.same(o.ok && o.record.primary!.commendations, [], 'no awards: no commendations');
});

t.test('mapping errors at the vendor path', async (t) => {
  t.same(primary((s) => (s.dateOfBirth = '2015-02-30')), [['VENDOR_FIELD_INVALID', '/dateOfBirth']]);
  t.same(primary((s) => (s.dateOfBirth = '02/03/2015')), [['VENDOR_FIELD_INVALID', '/dateOfBirth']]);
  t.same(primary((s) => (s.dateOfBirth = '2015-0302')), [['VENDOR_FIELD_INVALID', '/dateOfBirth']]);
  t.same(primary((s) => (s.issuedDate = '20251301')), [['VENDOR_FIELD_INVALID', '/issuedDate']]);
  t.same(primary((s) => (s.sex = 3)), [['VENDOR_FIELD_INVALID', '/sex']]);
  t.same(primary((s) => (s.primaryAssessment.subjects[2].subjectCode = 'LIT')), [['VENDOR_FIELD_INVALID', '/primaryAssessment/subjects/2/subjectCode']]);
  t.same(primary((s) => (s.primaryAssessment.subjects[0].achievement = 'EXCELLENT')), [['VENDOR_FIELD_INVALID', '/primaryAssessment/subjects/0/achievement']]);
  t.same(primary((s) => (s.primaryAssessment.qualities[1].code = 'BRAVERY')), [
    ['VENDOR_FIELD_INVALID', '/primaryAssessment/qualities/1/code'],
  ]);
  t.same(primary((s) => (s.primaryAssessment.competencies[4].rating = 5)), [['VENDOR_FIELD_INVALID', '/primaryAssessment/competencies/4/rating']]);
  t.same(primary((s) => (s.primaryAssessment.finalResult = 'GREAT')), [['VENDOR_FIELD_INVALID', '/primaryAssessment/finalResult']]);
  t.same(primary((s) => (s.signatures[1].signer = 'CLERK')), [['VENDOR_FIELD_INVALID', '/signatures/1/signer']]);
  t.same(secondary((s) => (s.secondaryAssessment.scoredSubjects[0].subjectCode = 'VIE')), [['VENDOR_FIELD_INVALID', '/secondaryAssessment/scoredSubjects/0/subjectCode']]);
  t.same(secondary((s) => (s.secondaryAssessment.conduct.semester2 = 'GREAT')), [['VENDOR_FIELD_INVALID', '/secondaryAssessment/conduct/semester2']]);
  t.same(secondary((s) => (s.secondaryAssessment.commentedSubjects[0].semester1.regular[0] = 'MAYBE')), [
    ['VENDOR_FIELD_INVALID', '/secondaryAssessment/commentedSubjects/0/semester1/regular/0'],
  ]);
  const o = mapEmisStudent({ ...sampleEmisBatch(1, 1).students[0], dateOfBirth: 'hôm qua' }, {});
  t.match(!o.ok && o.errors[0], { detail_en: /yyyy-mm-dd or yyyyMMdd/, detail_vi: /yyyy-mm-dd hoặc yyyyMMdd/ });
  t.same(mapEmisStudent(7, {}), { ok: false, errors: [{ path: '', code: 'VENDOR_FIELD_INVALID', detail_en: 'each student must be a JSON object', detail_vi: 'mỗi học sinh phải là một đối tượng JSON' }] });
});

t.test('missing and mistyped values pass through to the canonical checks', async (t) => {
  t.same(primary((s) => delete s.fullName), [['SCHEMA_REQUIRED', '/student/fullName']]);
  t.same(primary((s) => (s.gradeLevel = 'bốn')), [['SCHEMA_TYPE', '/grade']]);
  t.same(primary((s) => s.primaryAssessment.qualities.splice(2, 1)), [['SCHEMA_REQUIRED', '/primary/qualities/2/rating']]);
  t.same(primary((s) => (s.primaryAssessment.subjects[1].scores.endYear = 11)), [['SCHEMA_RANGE', '/primary/subjects/1/testScores/endOfYear']]);
  t.same(primary((s) => delete s.absences.excused), [['SCHEMA_REQUIRED', '/attendance/excusedAbsences']]);
  t.same(primary((s) => (s.signatures = s.signatures.filter((x: { signer: string }) => x.signer !== 'SEAL'))), [['SIGNATURE_MISSING', '/signatures']]);
  t.same(primary((s) => (s.signatures[2].signer = 'TEACHER')), [['SIGNATURE_REPEATED', '/signatures/2/role'], ['SIGNATURE_MISSING', '/signatures']]);
  t.same(secondary((s) => (s.secondaryAssessment.scoredSubjects[1].semester1.regular[0] = 12)), [['SCHEMA_RANGE', '/secondary/scoreSubjects/1/termI/regularScores/0']]);
  t.same(secondary((s) => (s.secondaryAssessment.conduct.year = s.secondaryAssessment.conduct.year === 'EXCELLENT' ? 'GOOD' : 'EXCELLENT')), [
    ['CONDUCT_YEAR_INCONSISTENT', '/secondary/conductResult/year'],
  ]);
  t.same(secondary((s) => ((s.primaryAssessment = sampleEmisBatch(1, 1, { grade: 3 }).students[0]!.primaryAssessment), delete s.secondaryAssessment)), [
    ['RESULTS_LEVEL_MISMATCH', '/primary'],
  ], 'a grade-7 student with primary results: the canonical rule says so');
});

t.test('split refuses an unusable envelope', async (t) => {
  const paths = (batch: unknown) => {
    try {
      splitEmisBatch(batch);
      return 'no error';
    } catch (e) {
      t.type(e, BatchFormatError);
      return (e as BatchFormatError).errors.map((x) => [x.code, x.path]);
    }
  };
  t.same(paths([]), [['VENDOR_FIELD_INVALID', '']]);
  t.same(paths({ provinceCode: '01', schoolCode: '01005001', academicYear: '2024-2025', students: [] }), [['VENDOR_FIELD_INVALID', '/students']]);
  t.same(paths({ provinceCode: 1, academicYear: '2024-2025', DanhSachHocSinh: [{}] }), [
    ['VENDOR_FIELD_INVALID', '/provinceCode'],
    ['SCHEMA_REQUIRED', '/schoolCode'],
    ['SCHEMA_REQUIRED', '/students'],
  ]);
  const { context } = splitEmisBatch(sampleEmisBatch(1, 1, { grade: 2 }));
  t.same(context, { provinceCode: '01', schoolCode: '01005001', schoolName: 'Trường Tiểu học Kim Đồng', academicYear: '2024-2025', principalName: sampleEmisBatch(1, 1, { grade: 2 }).principalName });
});

t.test('example files behave as described', async (t) => {
  const small = run(example('batch-small.json'));
  t.same(small.problems, []);
  t.equal(small.records.length, 4);
  const errors = run(example('batch-with-errors.json'));
  t.equal(example('batch-with-errors.json').students.length, 5);
  t.same(errors.problems, [
    [1, 'VENDOR_FIELD_INVALID', '/dateOfBirth'],
    [2, 'PERSONAL_ID_SEX_MISMATCH', '/student/personalId'],
    [4, 'VENDOR_FIELD_INVALID', '/secondaryAssessment/academicPerformance/year'],
  ]);
});

t.test('POST /v1/submissions with the EMIS demo key', async (t) => {
  const gw = await startTestGateway(t);
  const key = gw.demoCredentials!.vendors.emis!;
  t.ok(key, 'the EMIS demo key');
  const emis = { ...gw, vendorKey: key };
  const post = (body: unknown) => api(gw, 'POST', '/v1/submissions', { token: key, body });

  await t.test('a batch reaches acknowledged at the Ministry', async (t) => {
    const batch = sampleEmisBatch(12, 21);
    const res = await post(batch);
    t.equal(res.status, 202, 'accepted');
    t.equal(res.json.vendor, 'emis');
    t.equal(res.json.queued, 12);
    await waitForStates(emis, res.json.submissionId, (c) => c.acknowledged === 12, 60_000);
    const held = new Set((await simRecords(gw)).records.map((r) => r.recordKey));
    t.ok(batch.students.every((s) => held.has(`${s.studentCode}/2024-2025`)), 'the Ministry holds every EMIS record key');
  });

  await t.test('an EMIS batch for a vnEdu school: refused per record, nothing stored', async (t) => {
    const before = await gw.store.countByState();
    const batch = sampleEmisBatch(3, 22, { schoolId: '01001234' });
    const res = await post(batch);
    t.equal(res.status, 422);
    t.equal(res.json.code, 'BATCH_REJECTED');
    t.same(res.json.validationErrors.map((e: { index: number; code: string; path: string }) => [e.index, e.code, e.path]), [
      [0, 'SCHOOL_NOT_AUTHORISED', '/school/schoolId'],
      [1, 'SCHOOL_NOT_AUTHORISED', '/school/schoolId'],
      [2, 'SCHOOL_NOT_AUTHORISED', '/school/schoolId'],
    ]);
    t.match(res.json.validationErrors[0].message_vi, /01001234/);
    t.same(await gw.store.countByState(), before, 'nothing stored');
    const vnedu = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: batch });
    t.equal(vnedu.status, 422, 'and the vnEdu key cannot send an EMIS batch as its own');
  });

  await t.test('the same version with other content: VERSION_NOT_HIGHER', async (t) => {
    const batch = sampleEmisBatch(2, 23, { grade: 4 });
    t.equal((await post(batch)).json.queued, 2);
    t.equal((await post(batch)).json.queued, 2, 'the same content again is a re-send');
    const changed = structuredClone(batch);
    changed.students[0]!.primaryAssessment!.teacherComment = 'Em đã tiến bộ nhiều.';
    changed.students[1]!.primaryAssessment!.teacherComment = 'Em đã tiến bộ nhiều.';
    changed.students[1]!.revision = 2;
    const res = await post(changed);
    t.equal(res.status, 202);
    t.same(res.json.validationErrors.map((e: { index: number; code: string; path: string; recordKey: string }) => [e.index, e.code, e.path, e.recordKey]), [
      [0, 'VERSION_NOT_HIGHER', '/version', `${batch.students[0]!.studentCode}/2024-2025`],
    ]);
    t.same(res.json.records.map((r: { status: string }) => r.status), ['rejected', 'queued']);
  });

  await t.test('/docs shows the EMIS batch beside vnEdu\'s', async (t) => {
    const doc = await api(gw, 'GET', '/docs/json');
    const schemas = doc.json.paths['/v1/submissions'].post.requestBody.content['application/json'].schema.oneOf;
    t.ok(schemas.some((s: { description: string }) => /MISA EMIS/.test(s.description)));
  });
});

t.test('every kind of student the rules know, in EMIS fields: write then map gives the same record, and it validates', async (t) => {
  const kinds: { kind: string; base: string; outcome: string; change: Change[] }[] = JSON.parse(readFileSync(join(FIXTURES, 'records', 'forgotten-kinds.json'), 'utf8'));
  const ctx = contextWith();
  // EMIS carries every kind: identity documents, a pending ID, disabilities, exemptions, the summer,
  // retests, chuyên đề clusters and the Công nghệ orientation, the end of each level, Tin học và Công nghệ's parts.
  const carried = kinds;
  t.equal(carried.length, 14, `${carried.length} kinds`);
  for (const k of carried) {
    const record = applyChanges(loadValid(k.base), k.change);
    const emis = JSON.parse(JSON.stringify(emisBatchOf([record])));
    const back = splitEmisBatch(emis);
    const m = mapEmisStudent(back.items[0], back.context);
    t.ok(m.ok, `${k.kind}: maps`);
    if (!m.ok) continue;
    t.equal(recordToXml(m.record), recordToXml(record), `${k.kind}: the same XML back`);
    t.same(validateRecord(m.record, ctx).map((e) => e.code), [], `${k.kind}: valid`);
  }
});

t.test('the record form (profile v2) in EMIS profile: write then map gives the same v2 record', async (t) => {
  const forms: { name: string; record: CanonicalRecord }[] = JSON.parse(readFileSync(join(FIXTURES, 'records', 'form-records.json'), 'utf8'));
  const ctx = contextWith();
  for (const { name, record } of forms) {
    const emis = JSON.parse(JSON.stringify(emisBatchOf([record])));
    t.ok(emis.students[0].profile.guardians.length > 0, `${name}: written with its guardians`);
    const back = splitEmisBatch(emis);
    const m = mapEmisStudent(back.items[0], back.context);
    t.ok(m.ok, `${name}: maps`);
    if (!m.ok) continue;
    const xml = recordToXml(m.record);
    t.match(xml, /^<hocba xmlns="urn:moet:hocba:record:v2">/);
    t.equal(xml, recordToXml(record), `${name}: the same XML back`);
    t.same(validateRecord(m.record, ctx), [], `${name}: valid`);
  }
  const bad = JSON.parse(JSON.stringify(emisBatchOf([forms[0]!.record])));
  bad.students[0].profile.titles = ['BEST_STUDENT'];
  const back = splitEmisBatch(bad);
  const m = mapEmisStudent(back.items[0], back.context);
  t.match(m, { ok: false, errors: [{ code: 'VENDOR_FIELD_INVALID', path: '/profile/titles/0' }] });
});
