// Regenerates the C1 example workbooks from the seeded sample writer (a sheet per class).
// Run after `npm run build`: node examples/c1/make.mjs
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { c1Adapter } from '../../dist/adapters/c1/index.js';

const dir = import.meta.dirname;
const write = async (name, options) => writeFileSync(join(dir, name), (await c1Adapter.sample(options)).body);

// Twelve grade-5 students of the primary school 01006001 (Circular 27 template).
await write('results-grade-5.xlsx', { records: 12, seed: 5, grade: 5 });
// Twelve grade-8 students of the lower secondary school 01006002 (Circular 22 template).
await write('results-grade-8.xlsx', { records: 12, seed: 8, grade: 8 });
