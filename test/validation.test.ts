import { readFileSync } from 'node:fs';
import t from 'tap';
import {
  COMMENT_RESULTS,
  COMPETENCIES,
  PRIMARY_SUBJECTS,
  DISABILITY_TYPES,
  EXEMPTION_REASONS,
  IDENTITY_DOCUMENT_KINDS,
  TECHNOLOGY_ORIENTATIONS,
  QUALITIES,
  RATINGS,
  RESULT_LEVELS,
  SECONDARY_SUBJECTS,
  SIGNATURE_ROLES,
  SUBJECT_LEVELS,
  YEAR_END_RESULTS,
} from '../src/canonical/record.js';
import { ConfigError, parseProvinces, parseRuleSettings, parseSchools } from '../src/config/validation-context.js';
import { loadSettings } from '../src/config/settings.js';
import { ERRORS } from '../src/errors/catalogue.js';
import { normaliseRecord } from '../src/pipeline/normalise.js';
import {
  requiredLearningLevel,
  commentTermResult,
  conductYear,
  learningLevel,
  promotedBy,
  regularAssessmentsRequired,
  termAverage,
  yearAverage,
} from '../src/validation/calc/circular22.js';
import { makePersonalId, toValidationErrors, validateRecord } from '../src/validation/validate.js';
import { RECORD_SCHEMA_PATH } from '../src/tools/record-schema-code.js';
import { applyChanges, contextWith, loadValid } from './helpers/records.js';
import { learningComments } from '../src/validation/rules/secondary-outcome.js';
import type { CommentSubjectResult } from '../src/canonical/record.js';

const ctx = contextWith();
const codesAndPaths = (r: unknown) => validateRecord(r, ctx).map((e) => [e.code, e.path]);

t.test('keyword to code mapping, with details in both languages', async (t) => {
  const r = applyChanges(loadValid('g04-4'), [
    { path: '/student/fullName', remove: true },
    { path: '/grade', value: '4' },
    { path: '/primary/subjects/0/level', value: 'X' },
    { path: '/student/birthDate', value: '2014-02-30' },
    { path: '/className', value: '' },
    { path: '/version', value: 0 },
  ]);
  t.same(codesAndPaths(r).sort(), [
    ['SCHEMA_ENUM', '/primary/subjects/0/level'],
    ['SCHEMA_LENGTH', '/className'],
    ['SCHEMA_PATTERN', '/student/birthDate'],
    ['SCHEMA_RANGE', '/version'],
    ['SCHEMA_REQUIRED', '/student/fullName'],
    ['SCHEMA_TYPE', '/grade'],
  ]);
  t.same(codesAndPaths(null), [['SCHEMA_TYPE', '']]);
  const range = toValidationErrors(0, undefined, validateRecord(applyChanges(loadValid('g04-4'), [{ path: '/primary/subjects/1/testScores/endOfYear', value: 11 }]), ctx));
  t.same(range, [
    {
      index: 0,
      path: '/primary/subjects/1/testScores/endOfYear',
      code: 'SCHEMA_RANGE',
      message_en: `${ERRORS.SCHEMA_RANGE.en}: must be <= 10, got 11`,
      message_vi: `${ERRORS.SCHEMA_RANGE.vi}: phải <= 10, nhận được 11`,
    },
  ]);
});

t.test('toValidationErrors adds catalogue messages in both languages', async (t) => {
  const r = applyChanges(loadValid('g04-4'), [{ path: '/primary/subjects/0/level', value: 'X' }]);
  const [e] = toValidationErrors(2, 'L1/2024-2025', validateRecord(r, ctx));
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
  const r = loadValid('g04-4');
  r.student.personalId = makePersonalId('036', r.student.birthDate, r.student.sex, 999999);
  t.same(validateRecord(r, ctx), []);
});

t.test('schema code lists match canonical/codes.ts and property order matches the records', async (t) => {
  type S = { properties: Record<string, S>; items: S; enum?: string[]; $ref?: string; $defs: Record<string, S> };
  const s = JSON.parse(readFileSync(RECORD_SCHEMA_PATH, 'utf8')) as S;
  const deref = (x: S): S => (x.$ref ? s.$defs[x.$ref.split('/').pop()!]! : x);
  const p = deref(s.properties.primary!).properties;
  t.same(p.subjects!.items.properties.subject!.enum, [...PRIMARY_SUBJECTS]);
  t.same(p.subjects!.items.properties.level!.enum, [...SUBJECT_LEVELS]);
  t.same(p.qualities!.items.properties.code!.enum, [...QUALITIES]);
  t.same(p.competencies!.items.properties.code!.enum, [...COMPETENCIES]);
  t.same(s.$defs.rating!.enum, [...RATINGS]);
  t.same(p.yearEndResult!.enum, [...YEAR_END_RESULTS]);
  const sec = deref(s.properties.secondary!).properties;
  t.same(sec.scoreSubjects!.items.properties.subject!.enum, [...SECONDARY_SUBJECTS]);
  t.same(s.$defs.commentResult!.enum, [...COMMENT_RESULTS]);
  t.same(s.$defs.resultLevel!.enum, [...RESULT_LEVELS]);
  t.same(s.properties.signatures!.items.properties.role!.enum, [...SIGNATURE_ROLES]);
  // Property order is the XML element order, and mappers build records in record.ts order.
  const primary = loadValid('g04-4');
  const secondary = loadValid('g11-3');
  // The record form (profile v2) is optional and last: the valid fixtures are v1 records.
  t.equal(Object.keys(s.properties).at(-1), 'form');
  t.same(Object.keys(s.properties).filter((k) => k !== 'secondary' && k !== 'form'), Object.keys(primary));
  t.same(Object.keys(s.properties).filter((k) => k !== 'primary' && k !== 'form'), Object.keys(secondary));
  // Optional fields (exemptSubjects) come last, in schema order, where a record has them.
  t.same(Object.keys(p).filter((k) => k in primary.primary!), Object.keys(primary.primary!));
  t.same(Object.keys(sec).filter((k) => k in secondary.secondary!), Object.keys(secondary.secondary!));
  t.same(Object.keys(p).slice(-3), ['exemptSubjects', 'completedPrimary', 'supplementaryAssessment']);
  t.same(Object.keys(sec).slice(-3), ['exemptSubjects', 'lowerSecondaryCompletion', 'graduationReviewEligible']);
  const student = s.properties.student!.properties;
  t.same(student.disability!.properties.type!.enum, [...DISABILITY_TYPES]);
  t.same(student.identityDocument!.properties.kind!.enum, [...IDENTITY_DOCUMENT_KINDS]);
  t.same(p.exemptSubjects!.items.properties.reason!.enum, [...EXEMPTION_REASONS]);
  t.same(p.exemptSubjects!.items.properties.subject!.enum, [...PRIMARY_SUBJECTS]);
  t.same(sec.exemptSubjects!.items.properties.subject!.enum, [...SECONDARY_SUBJECTS]);
  const optional = new Set(['orientation', 'topicClusters', 'retestScore']);
  t.same(Object.keys(deref(sec.scoreSubjects!.items).properties).filter((k) => !optional.has(k)), Object.keys(secondary.secondary!.scoreSubjects[0]!));
  t.same(Object.keys(deref(sec.scoreSubjects!.items).properties), ['subject', 'orientation', 'periodsPerYear', 'topicClusters', 'termI', 'termII', 'yearAverage', 'retestScore'], 'optional fields in their places');
  t.same(deref(sec.scoreSubjects!.items).properties.orientation!.enum, [...TECHNOLOGY_ORIENTATIONS]);
  t.same(Object.keys(s.$defs.scoreTerm!.properties), Object.keys(secondary.secondary!.scoreSubjects[0]!.termI));
});

t.test('Circular 22 arithmetic, checked by hand', async (t) => {
  t.same([35, 36, 70, 71, 140].map((p) => regularAssessmentsRequired(p)), [2, 3, 3, 4, 4]);
  // (8 + 7 + 2*6 + 3*9) / (2 + 5) = 54 / 7 = 7.714... -> 7.7
  t.equal(termAverage({ regularScores: [8, 7], midTermScore: 6, endOfTermScore: 9 }), 7.7);
  // (7.5 + 8 + 9 + 2*8 + 3*8.5) / 8 = 66 / 8 = 8.25 -> 8.3 (half up, no binary rounding slip)
  t.equal(termAverage({ regularScores: [7.5, 8, 9], midTermScore: 8, endOfTermScore: 8.5 }), 8.3);
  // (8.15 + 2*8.15) / 3 would be 8.15; with one-decimal averages: (8.1 + 2*8.2) / 3 = 8.1666 -> 8.2
  t.equal(yearAverage(8.1, 8.2), 8.2);
  t.equal(yearAverage(6.5, 6.4), 6.4);
  t.equal(commentTermResult({ regularResults: ['DAT', 'DAT'], midTermResult: 'DAT', endOfTermResult: 'DAT' }), 'DAT', 'two a term, whatever the periods');
  t.equal(commentTermResult({ regularResults: ['DAT'], midTermResult: 'DAT', endOfTermResult: 'DAT' }), 'CHUA_DAT', 'one assessment short');
  t.equal(commentTermResult({ regularResults: ['DAT', 'CHUA_DAT'], midTermResult: 'DAT', endOfTermResult: 'DAT' }), 'CHUA_DAT');
  t.same([35, 70, 105].map((p) => regularAssessmentsRequired(p, 'comment')), [2, 2, 2], 'a subject assessed by comment: 2 a term (art. 7)');
  // Chuyên đề clusters: one more each; the subject's own periods set the rest (with or without the clusters' 35 each).
  const withTopics = (n: number) => ({ clusters: n, periodsInclude: true });
  t.same([[105, 1], [105, 2], [140, 1], [70, 1]].map(([p, n]) => regularAssessmentsRequired(p!, 'score', withTopics(n!))), [4, 4, 5, 3]);
  t.same([[105, 1], [70, 1]].map(([p, n]) => regularAssessmentsRequired(p!, 'score', { clusters: n!, periodsInclude: false })), [5, 4]);
  t.equal(regularAssessmentsRequired(70, 'comment', withTopics(1)), 3, 'Âm nhạc with a cluster: 2 + 1');
  const eight = [8, 8, 8, 8, 8, 8, 7, 7];
  t.equal(learningLevel(eight, ['DAT']), 'TOT');
  t.equal(learningLevel(eight, ['CHUA_DAT']), 'DAT', 'one comment subject Chưa đạt caps at Đạt');
  t.equal(learningLevel([6.5, 6.5, 6.5, 6.5, 6.5, 6.5, 5, 5], []), 'KHA');
  t.equal(learningLevel([5, 5, 5, 5, 5, 5, 3.5, 4], []), 'DAT');
  t.equal(learningLevel([5, 5, 5, 5, 5, 5, 3.4, 4], []), 'CHUA_DAT');
  // Tốt but for one subject at 3.0: plain Chưa đạt, raised to Đạt by art. 9.3.
  t.same(requiredLearningLevel([9, 9, 9, 9, 9, 9, 9, 3], []), { level: 'DAT', plain: 'CHUA_DAT' });
  t.same(requiredLearningLevel([9, 9, 9, 9, 9, 9, 9, 4.5], []), { level: 'KHA', plain: 'DAT' }, 'Tốt but for one subject under 5.0');
  t.same(requiredLearningLevel([9, 9, 9, 9, 9, 9, 9, 6], []), { level: 'KHA', plain: 'KHA' }, 'one level down is not raised');
  t.same(requiredLearningLevel(eight, ['CHUA_DAT']), { level: 'KHA', plain: 'DAT' }, 'one comment subject alone pulls Tốt to Đạt: raised to Khá');
  t.same(requiredLearningLevel([9, 9, 9, 9, 9, 9, 3, 3], []), { level: 'CHUA_DAT', plain: 'CHUA_DAT' }, 'two subjects: no raise');
  t.same(requiredLearningLevel(eight, []), { level: 'TOT', plain: 'TOT' });
  const table: [string, string, string][] = [
    ['TOT', 'TOT', 'TOT'], ['KHA', 'TOT', 'TOT'], ['DAT', 'TOT', 'KHA'], ['CHUA_DAT', 'TOT', 'KHA'],
    ['TOT', 'KHA', 'KHA'], ['DAT', 'KHA', 'KHA'], ['CHUA_DAT', 'KHA', 'DAT'],
    ['TOT', 'DAT', 'KHA'], ['KHA', 'DAT', 'DAT'], ['CHUA_DAT', 'DAT', 'DAT'],
    ['TOT', 'CHUA_DAT', 'CHUA_DAT'],
  ];
  for (const [i, ii, year] of table) t.equal(conductYear(i as never, ii as never), year, `conduct ${i}/${ii}`);
  t.equal(promotedBy('DAT', 'DAT', 45, 45), true);
  t.equal(promotedBy('DAT', 'DAT', 46, 45), false);
  t.equal(promotedBy('CHUA_DAT', 'TOT', 0, 45), false);
});

t.test('retired province codes are mapped before validation when the setting says map', async (t) => {
  const r = applyChanges(loadValid('g04-4'), [{ path: '/school/provinceCode', value: '02' }]);
  const mapped = normaliseRecord(r, ctx);
  t.equal(mapped.school.provinceCode, '08', 'Hà Giang is now Tuyên Quang');
  t.same(Object.keys(mapped.school), Object.keys(r.school), 'key order kept');
  t.equal(r.school.provinceCode, '02', 'the input is not changed');
  const tuyenQuang = contextWith({});
  const local = { ...tuyenQuang, provinceCode: '08' };
  t.same(validateRecord(normaliseRecord(r, local), local), [], 'a Tuyên Quang gateway accepts its schools under the old code');
  const reject = contextWith({ retiredProvinceCodes: 'reject' });
  t.same(normaliseRecord(r, reject), r, 'nothing is mapped when the setting rejects');
});

t.test('reference data and rule settings are checked when loaded', async (t) => {
  const provinces = parseProvinces({
    provinces: [{ code: '01', name: 'A' }, { code: '08', name: 'B' }],
    before2025: [{ code: '01', name: 'A', birthRegistrationCode: '001', now: '01' }, { code: '02', name: 'C', birthRegistrationCode: '002', now: '08' }, { code: '08', name: 'B', birthRegistrationCode: '008', now: '08' }],
  });
  t.same([...provinces.current.keys()], ['01', '08']);
  t.same([...provinces.retired], [['02', { name: 'C', now: '08' }]]);
  t.same([...provinces.birthRegistrationCodes].sort(), ['001', '002', '008']);
  t.throws(() => parseProvinces({ provinces: [{ code: '1', name: 'A' }], before2025: [] }), ConfigError);
  t.throws(() => parseProvinces({ provinces: [{ code: '01', name: 'A' }], before2025: [{ code: '02', name: 'C', birthRegistrationCode: '002', now: '09' }] }), /not a province in force/);
  t.throws(() => parseSchools({ schools: [{ schoolId: 'x', name: 'X', provinceCode: '79', grades: { from: 1, to: 5 } }] }, provinces), /not in force/);
  t.throws(() => parseSchools({ schools: [{ schoolId: 'x', name: 'X', provinceCode: '01', grades: { from: 6, to: 5 } }] }, provinces), /grades/);
  const defaults = loadSettings({}).rules;
  t.same(parseRuleSettings(defaults), defaults);
  t.throws(() => parseRuleSettings({ ...defaults, regularAssessmentCount: 'most' }), /regularAssessmentCount/);
  t.throws(() => parseRuleSettings({ ...defaults, requiredSignatures: ['NOTARY'] }), /requiredSignatures/);
  t.throws(() => parseRuleSettings({ ...defaults, primaryMinTestScore: 0.5 }), /whole number/);
  t.throws(() => contextWith({ averageTolerance: 'x' }), ConfigError);
});

t.test('the default province list: 34 provinces, 63 earlier codes mapped, none listed in src/', async (t) => {
  t.equal(ctx.reference.provinces.current.size, 34);
  t.equal(ctx.reference.provinces.retired.size, 63 - 34 + 11 - 11, 'the 29 codes that ended on 1 July 2025');
  t.equal(ctx.reference.provinces.birthRegistrationCodes.size, 63);
  t.equal(ctx.reference.provinces.retired.get('74')?.now, '79', 'Bình Dương is part of Hồ Chí Minh City');
  t.equal(ctx.reference.provinces.retired.get('60')?.now, '68', 'Bình Thuận is part of Lâm Đồng');
});

t.test('secondary details name the subject, since canonical list indexes differ from the vendor\'s', async (t) => {
  const r = loadValid('g08-2');
  const t1 = r.secondary!.scoreSubjects[1]!.termI;
  t1.endOfTermScore = t1.endOfTermScore >= 8.5 ? t1.endOfTermScore - 1.5 : t1.endOfTermScore + 1.5;
  const [e] = toValidationErrors(0, undefined, validateRecord(r, ctx));
  t.equal(e!.code, 'TERM_AVERAGE_MISMATCH');
  t.match(e!.message_en, /: TOAN termI: stated \d+(\.\d)?, recomputed \d+(\.\d)?$/);
  t.match(e!.message_vi, /: TOAN termI: ghi \d+(\.\d)?, tính lại được \d+(\.\d)?$/);
});

t.test('Nghệ thuật at grades 6-9: two subjects by default, one with lowerSecondaryArts "together"', async (t) => {
  const subjects = [
    { subject: 'AM_NHAC', yearResult: 'CHUA_DAT' },
    { subject: 'MI_THUAT', yearResult: 'CHUA_DAT' },
    { subject: 'GIAO_DUC_THE_CHAT', yearResult: 'DAT' },
  ] as unknown as CommentSubjectResult[];
  const year = (x: CommentSubjectResult) => x.yearResult;
  const together = contextWith({ lowerSecondaryArts: 'together' });
  t.same(learningComments(subjects, year, 7, contextWith()), ['CHUA_DAT', 'CHUA_DAT', 'DAT'], 'separate: two Chưa đạt');
  t.same(learningComments(subjects, year, 7, together), ['DAT', 'CHUA_DAT'], 'together: one Nghệ thuật, Chưa đạt');
  t.same(learningComments(subjects, year, 10, together), ['CHUA_DAT', 'CHUA_DAT', 'DAT'], 'grades 10-12: the two arts are separate electives');
  const averages = Array(8).fill(7);
  t.equal(requiredLearningLevel(averages, learningComments(subjects, year, 7, contextWith())).level, 'CHUA_DAT', 'two Chưa đạt: Chưa đạt');
  t.equal(requiredLearningLevel(averages, learningComments(subjects, year, 7, together)).level, 'DAT', 'one Chưa đạt: Đạt');
  t.throws(() => contextWith({ lowerSecondaryArts: 'both' }), /lowerSecondaryArts/);
});
