import type { CanonicalRecord } from '../../canonical/record.js';
import { mapVneduStudent, splitVneduBatch } from '../vnedu/map.js';
import { sampleVneduBatch } from '../vnedu/sample.js';
import type { EmisBatch } from './format.js';
import { emisBatchOf } from './write.js';

// Synthetic EMIS batches for `hocba-gw sample --vendor emis`, tests and examples. The students
// and their results come from the one seeded generator of Circular 27/22-consistent records (the
// vnEdu sample, read into canonical records as record-signatures/demo-documents.ts does), then
// are written as EMIS exports them (write.ts) with EMIS's own record keys: learner IDs "EM" +
// school + number and record numbers "EMIS-…", so they never meet another vendor's.

/** EMIS's demo schools (config/schools.json): primary 1-5, and primary with lower secondary 1-9. */
export const EMIS_SAMPLE_SCHOOLS = ['01005001', '01005002'] as const;

export interface EmisSampleOptions {
  /** A school of the reference data; default: by `grade`, else 01005002 (grades 1-9). */
  schoolId?: string;
  /** Every student in this grade; default: the school's grades in turn. */
  grade?: number;
}

/** The seed as EMIS uses it: another stream than vnEdu's for the same number, so the two samples share no student. */
const emisSeed = (seed: number) => (seed ^ 0x454d4953) >>> 0;

function schoolFor(o: EmisSampleOptions): string {
  if (o.schoolId !== undefined) return o.schoolId;
  if (o.grade === undefined) return '01005002';
  if (!(Number.isInteger(o.grade) && o.grade >= 1 && o.grade <= 9)) throw new RangeError(`EMIS's demo schools teach grades 1-9, not ${o.grade}`);
  return o.grade <= 5 ? '01005001' : '01005002';
}

/** A valid EMIS batch of `count` distinct students of one school, school year 2024-2025. */
export function sampleEmisBatch(count: number, seed = 1, o: EmisSampleOptions = {}): EmisBatch {
  const schoolId = schoolFor(o);
  const { items, context } = splitVneduBatch(sampleVneduBatch(count, emisSeed(seed), { schoolId, ...(o.grade !== undefined ? { grade: o.grade } : {}) }));
  const records = items.map((item, i): CanonicalRecord => {
    const m = mapVneduStudent(item, context);
    if (!m.ok) throw new Error('the seeded sample does not map');
    const n = String(i + 1).padStart(5, '0');
    return { ...m.record, recordId: `EMIS-${schoolId}-${m.record.schoolYear.slice(0, 4)}-${n}`, student: { ...m.record.student, learnerId: `EM${schoolId}${n}` } };
  });
  return emisBatchOf(records, `${records[0]!.schoolYear.slice(5)}-06-01T08:00:00+07:00`);
}
