import type { CanonicalRecord } from '../../canonical/record.js';
import { mapVneduStudent, splitVneduBatch } from '../vnedu/map.js';
import { sampleVneduBatch, type SampleOptions as VneduSampleOptions } from '../vnedu/sample.js';
import { xmlEscape } from '../xml-tree.js';
import { SMAS_NAMESPACE } from './format.js';
import { renderBatchHead, renderBatchTail, renderPupil, renderSmasBatch } from './render.js';

// Synthetic SMAS batches. The content (names, personal IDs, subjects, scores and results that
// follow Circulars 27 and 22) is the vnEdu sample generator's, mapped to canonical records and
// written in SMAS's shape (render.ts); only the keys are SMAS's own: pupil codes
// <school>S<number> and record book codes SMAS-<school>-<year>-<number>, so a SMAS sample never
// collides with a vnEdu one on the same gateway.

/** SMAS's demo schools (config/schools.json): a THCS (grades 6-9) and a THPT (10-12). */
export const SMAS_SAMPLE_SCHOOLS = ['01004001', '01004002'] as const;

export const SOAP_ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

export interface SmasSampleOptions extends Omit<VneduSampleOptions, 'schoolId'> {
  /** Default 01004001 (grades 6-9). Any school of the reference data (a primary one for grades 1-5). */
  schoolId?: string;
  /** Numbers pupils from this one on (blocks of a large sample). */
  firstNumber?: number;
}

/** The demo school that teaches `grade`, for `sample --grade`. */
export function smasSchoolForGrade(grade: number | undefined): string {
  if (grade === undefined || (grade >= 6 && grade <= 9)) return SMAS_SAMPLE_SCHOOLS[0];
  if (grade >= 10 && grade <= 12) return SMAS_SAMPLE_SCHOOLS[1];
  throw new RangeError(`SMAS's demo schools teach grades 6-12, not ${grade} (sampleSmasRecords takes any school of the list)`);
}

/** `count` valid canonical records of one school, keyed as SMAS keys them. */
export function sampleSmasRecords(count: number, seed = 1, opts: SmasSampleOptions = {}): CanonicalRecord[] {
  const { firstNumber = 1, schoolId = SMAS_SAMPLE_SCHOOLS[0], ...rest } = opts;
  const batch = sampleVneduBatch(count, seed, { ...rest, schoolId });
  const { items, context } = splitVneduBatch(batch);
  return items.map((item, i) => {
    const mapped = mapVneduStudent(item, context);
    if (!mapped.ok) throw new Error(`sample student ${i} did not map: ${JSON.stringify(mapped.errors)}`);
    const r = mapped.record;
    const n = String(firstNumber + i).padStart(6, '0');
    r.student.learnerId = `${schoolId}S${n}`;
    r.recordId = `SMAS-${schoolId}-${r.schoolYear.slice(0, 4)}-${n}`;
    return r;
  });
}

/** A bare SMAS batch (<SchoolBatch>), as POST /v1/submissions and `import --format xml` take it. */
export function sampleSmasBatchXml(count: number, seed = 1, opts: SmasSampleOptions = {}): string {
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + renderSmasBatch(sampleSmasRecords(count, seed, opts));
}

/** The SOAP 1.1 envelope of a SubmitBatch carrying a batch of `count` pupils (for curl; authenticate with Bearer). */
export function sampleSmasEnvelope(count: number, seed = 1, opts: SmasSampleOptions & { idempotencyKey?: string; dryRun?: boolean } = {}): string {
  const { idempotencyKey = `smas-sample-${seed}-${count}`, dryRun = false, ...rest } = opts;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<soap:Envelope xmlns:soap="${SOAP_ENVELOPE_NS}">\n` +
    '  <soap:Body>\n' +
    `    <SubmitBatch xmlns="${SMAS_NAMESPACE}">\n` +
    `      <IdempotencyKey>${xmlEscape(idempotencyKey)}</IdempotencyKey>\n` +
    `      <DryRun>${dryRun}</DryRun>\n` +
    renderSmasBatch(sampleSmasRecords(count, seed, rest), 3, false) +
    '    </SubmitBatch>\n' +
    '  </soap:Body>\n' +
    '</soap:Envelope>\n'
  );
}

const BLOCK = 500;

/** A batch too large to hold in memory, as text in blocks of 500 pupils (each block its own seed). */
export function* sampleSmasBatchText(count: number, seed: number, schoolId: string = SMAS_SAMPLE_SCHOOLS[0]): Generator<string> {
  for (let b = 0; b * BLOCK < count; b++) {
    const records = sampleSmasRecords(Math.min(BLOCK, count - b * BLOCK), seed + b, { schoolId, firstNumber: b * BLOCK + 1 });
    if (b === 0) {
      const f = records[0]!;
      yield '<?xml version="1.0" encoding="UTF-8"?>\n' + renderBatchHead({ provinceCode: f.school.provinceCode, schoolId, schoolName: f.school.name, schoolYear: f.schoolYear, principal: f.principal });
    }
    yield records.map((r) => renderPupil(r)).join('');
  }
  yield renderBatchTail();
}
