import type { VendorAdapter } from '../adapter.js';
import { jsonBatchFormat } from '../json-format.js';
import { mapEmisStudent, splitEmisBatch } from './map.js';
import { EMIS_EXAMPLE } from './example.js';
import { EMIS_SAMPLE_SCHOOLS, sampleEmisBatch } from './sample.js';

export type { EmisBatch, EmisContext, EmisStudent } from './format.js';
export { sampleEmisBatch, EMIS_SAMPLE_SCHOOLS, type EmisSampleOptions } from './sample.js';
export { emisBatchOf, emisStudentOf } from './write.js';

// A code is an English name or its number: anyOf, since ajv's strict mode refuses union types.
const codeOrNumber = { anyOf: [{ type: 'string' }, { type: 'integer' }] };
const code = (description: string, codes: string[]) => ({ description: `${description}: ${codes.join(', ')}, or their numbers`, ...codeOrNumber });
const date = { type: 'string', pattern: '^[0-9]{4}-?[0-9]{2}-?[0-9]{2}$', description: 'yyyy-mm-dd or yyyyMMdd' };
const results = { type: 'object', properties: { semester1: code('result', ['EXCELLENT', 'GOOD', 'PASS', 'FAIL']), semester2: codeOrNumber, year: codeOrNumber, afterSummer: codeOrNumber } };

/** The EMIS batch as a JSON Schema, for /docs (the mapper and validation judge a body, not this). */
const EMIS_BATCH_SCHEMA = {
  type: 'object',
  required: ['provinceCode', 'schoolCode', 'academicYear', 'students'],
  properties: {
    provinceCode: { type: 'string', description: 'province code, 2 digits' },
    schoolCode: { type: 'string', description: 'Ministry school ID' },
    schoolName: { type: 'string' },
    academicYear: { type: 'string', examples: ['2024-2025'] },
    principalName: { type: 'string' },
    exportedAt: { type: 'string', description: 'when EMIS exported the batch (ignored)' },
    students: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        description: 'one student (field table: src/adapters/emis/README.md)',
        properties: {
          studentCode: { type: 'string', description: 'Ministry learner ID' },
          citizenId: { type: 'string', description: 'personal ID, 12 digits' },
          fullName: { type: 'string' },
          dateOfBirth: date,
          sex: { ...codeOrNumber, description: '1 male, 2 female' },
          ethnicity: { type: 'string' },
          nationality: { type: 'string', description: 'ISO 3166-1 alpha-2' },
          gradeLevel: { type: 'integer', minimum: 1, maximum: 12 },
          className: { type: 'string' },
          homeroomTeacher: { type: 'string' },
          recordNo: { type: 'string' },
          lookupCode: { type: 'string' },
          issuedDate: date,
          revision: { type: 'integer', minimum: 1 },
          primaryAssessment: {
            type: 'object',
            description: 'grades 1-5 (Circular 27)',
            properties: {
              subjects: { type: 'array', items: { type: 'object', properties: { subjectCode: { type: 'string' }, achievement: code('achievement', ['COMPLETED_WELL', 'COMPLETED', 'NOT_COMPLETED']), scores: { type: 'object' } } } },
              qualities: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, rating: code('rating', ['GOOD', 'PASS', 'NEEDS_EFFORT']) } } },
              competencies: { type: 'array', items: { type: 'object' } },
              finalResult: code('final result', ['OUTSTANDING', 'COMPLETED_WELL', 'COMPLETED', 'NOT_COMPLETED']),
              programmeCompleted: { type: 'boolean' },
              promoted: { type: 'boolean' },
              awards: { type: 'array', items: { type: 'string' } },
              teacherComment: { type: 'string' },
              supplementaryAssessment: { type: 'object', description: 'after a year not completed: { date, completed }', properties: { date, completed: { type: 'boolean' } } },
            },
          },
          secondaryAssessment: {
            type: 'object',
            description: 'grades 6-12 (Circular 22)',
            properties: {
              scoredSubjects: { type: 'array', items: { type: 'object' } },
              commentedSubjects: { type: 'array', items: { type: 'object' } },
              academicPerformance: results,
              conduct: results,
              promoted: { type: 'boolean' },
              awards: { type: 'array', items: { type: 'string' } },
              teacherComment: { type: 'string' },
            },
          },
          absences: { type: 'object', properties: { excused: { type: 'integer' }, unexcused: { type: 'integer' } } },
          signatures: { type: 'array', items: { type: 'object', properties: { signer: { type: 'string', enum: ['TEACHER', 'PRINCIPAL', 'SEAL'] }, signedAt: { type: 'string' } } } },
        },
      },
    },
  },
};

/** MISA EMIS: native JSON export of học bạ, English field names and codes (README.md beside this file). */
export const emisAdapter: VendorAdapter = {
  vendor: 'emis',
  title: 'MISA EMIS',
  formats: [
    jsonBatchFormat({
      itemsField: 'students',
      split: splitEmisBatch,
      docs: {
        summary: 'EMIS JSON batch: one school and year (provinceCode, schoolCode, academicYear), its students in students[] (src/adapters/emis/README.md)',
        schema: { ...EMIS_BATCH_SCHEMA, examples: [EMIS_EXAMPLE] },
      },
    }),
  ],
  map: mapEmisStudent,
  sampleSchools: EMIS_SAMPLE_SCHOOLS,
  sample: ({ records, seed, grade }) => ({
    mediaType: 'application/json',
    body: JSON.stringify(sampleEmisBatch(records, seed, grade === undefined ? {} : { grade }), null, 2) + '\n',
  }),
};
