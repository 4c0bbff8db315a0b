import t from 'tap';
import { COMPETENCIES, PRIMARY_SUBJECTS, QUALITIES, RATINGS, SUBJECT_LEVELS, YEAR_END_RESULTS, type CanonicalRecord } from '../src/canonical/record.js';
import { vneduAdapter } from '../src/adapters/vnedu/index.js';
import { ERRORS } from '../src/errors/catalogue.js';
import { makePersonalId, recordSchema, toValidationErrors, validateRecord } from '../src/validation/validate.js';

/** A fresh valid canonical record (grade 4: has tested subjects), to break one field at a time. */
function validRecord(): CanonicalRecord {
  const { items, context } = vneduAdapter.split(vneduAdapter.sample(5, 11));
  const outcome = vneduAdapter.map(items[3], context);
  if (!outcome.ok) throw new Error('sample did not map');
  return structuredClone(outcome.record);
}

const codesAndPaths = (r: unknown) => validateRecord(r).map((e) => [e.code, e.path]);

t.test('a mapped sample record is valid', async (t) => {
  const r = validRecord();
  t.equal(r.grade, 4);
  t.same(validateRecord(r), []);
});

t.test('score 11 is out of range at its subject', async (t) => {
  const r = validRecord();
  const n = r.primary.subjects.findIndex((s) => s.testScore !== undefined);
  r.primary.subjects[n]!.testScore = 11;
  t.same(codesAndPaths(r), [['SCHEMA_RANGE', `/primary/subjects/${n}/testScore`]]);
});

t.test('a fractional score is not a whole number', async (t) => {
  const r = validRecord();
  r.primary.subjects[0]!.testScore = 8.5;
  t.same(codesAndPaths(r), [['SCHEMA_TYPE', '/primary/subjects/0/testScore']]);
});

t.test('personal ID sex digit disagrees with sex', async (t) => {
  const r = validRecord();
  const id = r.student.personalId;
  const d = Number(id[3]);
  r.student.personalId = id.slice(0, 3) + String(d % 2 === 0 ? d + 1 : d - 1) + id.slice(4);
  t.same(codesAndPaths(r), [['PERSONAL_ID_SEX_MISMATCH', '/student/personalId']]);
});

t.test('personal ID birth year digits disagree with birth date', async (t) => {
  const r = validRecord();
  const yy = Number(r.student.personalId.slice(4, 6));
  r.student.personalId = r.student.personalId.slice(0, 4) + String((yy + 1) % 100).padStart(2, '0') + r.student.personalId.slice(6);
  t.same(codesAndPaths(r), [['PERSONAL_ID_BIRTH_YEAR_MISMATCH', '/student/personalId']]);
});

t.test('personal ID century digit disagrees with birth date', async (t) => {
  const r = validRecord();
  // Same sex, one century earlier: 2 (2000s male) -> 0 (1900s male), 3 -> 1.
  const d = Number(r.student.personalId[3]);
  t.ok(d === 2 || d === 3, 'sample students are born in the 2000s');
  r.student.personalId = r.student.personalId.slice(0, 3) + String(d - 2) + r.student.personalId.slice(4);
  t.same(codesAndPaths(r), [['PERSONAL_ID_CENTURY_MISMATCH', '/student/personalId']]);
});

t.test('personal ID of 11 digits fails the schema, and rules do not run', async (t) => {
  const r = validRecord();
  r.student.personalId = r.student.personalId.slice(0, 11);
  t.same(codesAndPaths(r), [['SCHEMA_PATTERN', '/student/personalId']]);
});

t.test('an unknown extra field is reported at its path', async (t) => {
  const r = validRecord() as unknown as Record<string, unknown>;
  r.ghiChu = 'x';
  (r.student as Record<string, unknown>)['a/b'] = 1;
  t.same(codesAndPaths(r).sort(), [
    ['SCHEMA_UNKNOWN_FIELD', '/ghiChu'],
    ['SCHEMA_UNKNOWN_FIELD', '/student/a~1b'],
  ]);
});

t.test('keyword to code mapping', async (t) => {
  const r = validRecord() as unknown as { student: Record<string, unknown>; primary: { subjects: Record<string, unknown>[] } } & Record<string, unknown>;
  delete r.student.fullName;
  r.grade = '4';
  r.primary.subjects[0]!.level = 'X';
  r.student.birthDate = '2014-02-30';
  r.className = '';
  r.version = 0;
  t.same(codesAndPaths(r).sort(), [
    ['SCHEMA_ENUM', '/primary/subjects/0/level'],
    ['SCHEMA_LENGTH', '/className'],
    ['SCHEMA_PATTERN', '/student/birthDate'],
    ['SCHEMA_RANGE', '/version'],
    ['SCHEMA_REQUIRED', '/student/fullName'],
    ['SCHEMA_TYPE', '/grade'],
  ]);
  t.same(codesAndPaths(null), [['SCHEMA_TYPE', '']]);
});

t.test('toValidationErrors adds catalogue messages in both languages', async (t) => {
  const r = validRecord();
  r.primary.subjects[0]!.level = 'X' as never;
  const [e] = toValidationErrors(2, 'L1/2024-2025', validateRecord(r));
  t.same(e, {
    index: 2,
    path: '/primary/subjects/0/level',
    code: 'SCHEMA_ENUM',
    recordKey: 'L1/2024-2025',
    message_en: `${ERRORS.SCHEMA_ENUM.en}: must be equal to one of the allowed values: T, H, C`,
    message_vi: `${ERRORS.SCHEMA_ENUM.vi}: giá trị cho phép: T, H, C`,
  });
  const [plain] = toValidationErrors(0, undefined, [{ path: '/x', code: 'SCHEMA_OTHER' }]);
  t.same(plain, { index: 0, path: '/x', code: 'SCHEMA_OTHER', message_en: ERRORS.SCHEMA_OTHER.en, message_vi: ERRORS.SCHEMA_OTHER.vi });
  t.notOk('recordKey' in plain!, 'no recordKey key when unknown');
});

t.test('makePersonalId encodes province, century, sex and birth year', async (t) => {
  t.equal(makePersonalId('001', '2016-03-04', 'M', 42), '001216000042');
  t.equal(makePersonalId('079', '2015-12-31', 'F', '123456'), '079315123456');
  t.equal(makePersonalId('001', '1999-01-01', 'F', 7), '001199000007');
  t.throws(() => makePersonalId('01', '2016-03-04', 'M', 1), RangeError);
  t.throws(() => makePersonalId('001', '2016-03-04', 'M', 1234567), RangeError);
  const r = validRecord();
  r.student.personalId = makePersonalId('036', r.student.birthDate, r.student.sex, 999999);
  t.same(validateRecord(r), []);
});

t.test('schema matches canonical/record.ts', async (t) => {
  type S = { properties: Record<string, S>; items: S; enum?: string[] };
  const s = recordSchema as unknown as S;
  const p = s.properties.primary!.properties;
  t.same(p.subjects!.items.properties.subject!.enum, [...PRIMARY_SUBJECTS]);
  t.same(p.subjects!.items.properties.level!.enum, [...SUBJECT_LEVELS]);
  t.same(p.qualities!.items.properties.code!.enum, [...QUALITIES]);
  t.same(p.competencies!.items.properties.code!.enum, [...COMPETENCIES]);
  t.same(p.qualities!.items.properties.rating!.enum, [...RATINGS]);
  t.same(p.yearEndResult!.enum, [...YEAR_END_RESULTS]);
  // Property order is the XML element order, and mappers build records in record.ts order.
  const r = validRecord();
  t.same(Object.keys(s.properties), Object.keys(r));
  t.same(Object.keys(s.properties.student!.properties), Object.keys(r.student));
  t.same(Object.keys(s.properties.school!.properties), Object.keys(r.school));
  t.same(Object.keys(p), Object.keys(r.primary));
});
