// Regenerates the MISA EMIS example batches from the seeded sample generator.
// Run after `npm run build`: node examples/emis/make.mjs
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleEmisBatch } from '../../dist/adapters/emis/index.js';

const dir = import.meta.dirname;
const write = (name, batch) => writeFileSync(join(dir, name), JSON.stringify(batch, null, 2) + '\n');

// Four students of the primary school 01005001 (grades 1-4).
write('batch-small.json', sampleEmisBatch(4, 9, { schoolId: '01005001' }));
// Eighteen students of the TH & THCS school 01005002, two in each of grades 1-9.
write('batch-grades-1-9.json', sampleEmisBatch(18, 8));

// Five grade-7 students, three of them wrong: index 1 has an impossible birth date (30 February),
// index 2 the sex that its personal ID contradicts, index 4 a learning result that is no EMIS code.
const withErrors = sampleEmisBatch(5, 10, { grade: 7 });
withErrors.students[1].dateOfBirth = `${withErrors.students[1].dateOfBirth.slice(0, 4)}-02-30`;
withErrors.students[2].sex = withErrors.students[2].sex === 1 ? 2 : 1;
withErrors.students[4].secondaryAssessment.academicPerformance.year = 'VERY_GOOD';
write('batch-with-errors.json', withErrors);
