import { uuidv7 } from '../ids/uuid-v7.js';
import type { VendorAdapter } from '../adapters/adapter.js';
import { recordKeyOf, type CanonicalRecord } from '../canonical/record.js';
import { contentHashOf, recordToXml } from '../canonical/xml.js';
import type { NewRecord } from '../storage/store.js';
import { packPayload } from '../storage/payload.js';
import type { ValidationContext } from '../validation/context.js';
import { fieldError } from '../validation/rules/field-error.js';
import type { FieldError, ValidationError } from '../validation/types.js';
import { pendingPersonalId, toValidationErrors, validateRecord } from '../validation/validate.js';
import { normaliseRecord } from './normalise.js';

// The stateless steps between a vendor batch and the outbox: split → map → normalise →
// validate → render → the batch rules (the same student twice). Nothing here touches storage
// or the network; the version rule, which needs storage, runs after (pipeline/versions.ts).

export interface RecordOutcome {
  index: number;
  recordId: string;
  recordKey?: string;
  /** held: valid, but waiting: for the signatures the province requires (signed records), or for the student's personal ID. */
  status: 'queued' | 'held' | 'rejected';
  errors?: ValidationError[];
  /** Signed records: each signature's verdict and signer. */
  signatures?: unknown[];
  missingSignatures?: string[];
}

/** keepXml (default true): each record keeps its XML text beside its packed payload (IntakeRun). */
export interface IntakeOptions {
  keepXml: boolean;
}

export interface IntakeResult {
  outcomes: RecordOutcome[];
  records: NewRecord[];
  validationErrors: ValidationError[];
}

/** The record key when the record has a learner ID and a school year to build it from, even if invalid otherwise. */
function keyIfAny(r: unknown): string | undefined {
  const rec = r as Partial<CanonicalRecord> | undefined;
  const learnerId = rec?.student?.learnerId;
  return typeof learnerId === 'string' && learnerId !== '' && typeof rec?.schoolYear === 'string' && rec.schoolYear !== '' ? recordKeyOf(rec as CanonicalRecord) : undefined;
}

function checkOne(adapter: VendorAdapter, item: unknown, context: unknown, ctx: ValidationContext): { record?: CanonicalRecord; errors: FieldError[] } {
  const mapped = adapter.map(item, context);
  if (!mapped.ok) return { errors: located(adapter, item, mapped.errors) };
  const record = normaliseRecord(mapped.record, ctx);
  return { record, errors: located(adapter, item, validateRecord(record, ctx)) };
}

/** Errors with the place in the vendor's document each points at, for formats that have places (workbooks). */
function located(adapter: VendorAdapter, item: unknown, errors: FieldError[]): FieldError[] {
  if (!adapter.locate || errors.length === 0) return errors;
  return errors.map((e) => {
    const source = e.source ?? adapter.locate!(item, e.path);
    return source ? { ...e, source } : e;
  });
}

/** The student's personal ID (or a foreign student's document) in the school year, to catch one student under two learner IDs. */
function studentKeyOf(r: CanonicalRecord): string | undefined {
  const st = r.student;
  const id = st.personalId ?? (st.identityDocument ? `${st.identityDocument.issuingCountry}:${st.identityDocument.number}` : undefined);
  return id === undefined ? undefined : `${id}/${r.schoolYear}`;
}

/**
 * Marks a valid record held with the reason (PERSONAL_ID_PENDING): stored with its content but not
 * delivered until a later version of its record key supersedes it (pipeline/accept.ts).
 */
export function holdRecord(result: IntakeResult, index: number, reasons: [FieldError & { code: 'PERSONAL_ID_PENDING' }]): void {
  const outcome = result.outcomes[index]!;
  const ve = toValidationErrors(index, outcome.recordKey, reasons);
  outcome.status = 'held';
  outcome.errors = ve;
  Object.assign(result.records[index]!, { state: 'held', holdCode: 'PERSONAL_ID_PENDING', errors: ve });
}

/** Marks a record rejected with these errors (also used by later steps, such as the version rule). */
export function rejectRecord(result: IntakeResult, index: number, errors: FieldError[]): void {
  const outcome = result.outcomes[index]!;
  const ve = toValidationErrors(index, outcome.recordKey, errors);
  result.validationErrors.push(...ve);
  result.validationErrors.sort((a, b) => a.index - b.index);
  outcome.status = 'rejected';
  outcome.errors = [...(outcome.errors ?? []), ...ve];
  const row = result.records[index]!;
  Object.assign(row, { state: 'rejected', contentHash: null, recordXml: null, payload: null, signedXml: null, errors: outcome.errors });
}

/** What the record is about, for the school authority check and the province's searches (never personal data). */
export function facetsOf(record: Partial<CanonicalRecord> | undefined): Pick<NewRecord, 'schoolId' | 'learnerId' | 'grade' | 'className' | 'schoolYear' | 'lookupCode'> {
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return {
    schoolId: str(record?.school?.schoolId),
    learnerId: str(record?.student?.learnerId),
    grade: typeof record?.grade === 'number' ? record.grade : null,
    className: str(record?.className),
    schoolYear: str(record?.schoolYear),
    lookupCode: str(record?.lookupCode),
  };
}

/**
 * One batch's intake, an item at a time: a format that reads items one by one (an XML batch, as
 * saxes reads it) hands each on as soon as it is read, so its tree dies young instead of the
 * whole batch's trees outliving a dozen scavenges (a 500-pupil SMAS batch: the garbage collector
 * was 38-43% of reading it whole). `intake()` is the same steps over an array.
 */
export class IntakeRun {
  readonly result: IntakeResult = { outcomes: [], records: [], validationErrors: [] };
  readonly #keys = new Set<string>();
  // personalId/schoolYear → the record key that claimed it, to catch one student under two learner IDs.
  readonly #students = new Map<string, string>();

  /**
   * `keepXml: false`: a record's XML is kept packed only (payload, about 570 bytes instead of 6 KB
   * of text): the store needs nothing else of it, and posting it from an intake thread costs by
   * the byte. Not keeping it also lets each record's text die young: kept to the end of a
   * 500-record batch, 6 MB of strings outlived scavenges and were copied by each.
   */
  constructor(
    readonly adapter: VendorAdapter,
    readonly ctx: ValidationContext,
    readonly options: IntakeOptions = { keepXml: true },
  ) {}

  /** Items added so far. */
  get count(): number {
    return this.result.records.length;
  }

  /** The next item of the batch (its index is the number added before it). */
  add(item: unknown, context: unknown): void {
    const { result, adapter, ctx } = this;
    const keys = this.#keys;
    const students = this.#students;
    const index = result.records.length;
    const { record, errors } = checkOne(adapter, item, context, ctx);
    const recordKey = keyIfAny(record);
    const student = record ? studentKeyOf(record) : undefined;
    if (record && recordKey && errors.length === 0) {
      if (keys.has(recordKey)) errors.push(fieldError('/student/learnerId', 'DUPLICATE_IN_BATCH', recordKey, recordKey));
      else if (student !== undefined && students.has(student)) {
        const other = students.get(student)!;
        errors.push(fieldError('/student/personalId', 'DUPLICATE_PERSONAL_ID_IN_BATCH', `also in ${other}`, `trùng với ${other}`));
      }
    }
    const id = uuidv7();
    const version = typeof record?.version === 'number' ? record.version : null;
    const outcome: RecordOutcome = { index, recordId: id, status: 'queued' };
    if (recordKey) outcome.recordKey = recordKey;
    result.outcomes.push(outcome);
    result.records.push({
      id,
      index,
      recordKey: recordKey ?? null,
      version,
      contentHash: null,
      recordXml: null,
      state: 'queued',
      errors: null,
      ...facetsOf(record),
    });
    if (errors.length > 0 || !record || !recordKey) return rejectRecord(result, index, errors);
    keys.add(recordKey);
    if (student !== undefined) students.set(student, recordKey);
    const xml = recordToXml(record);
    // Encoded to UTF-8 once for both the hash and the packing (each encoded the string again).
    const bytes = Buffer.from(xml);
    Object.assign(result.records[index]!, { contentHash: contentHashOf(bytes), recordXml: this.options.keepXml ? xml : null, payload: packPayload(bytes) });
    const hold = pendingPersonalId(record);
    if (hold) holdRecord(result, index, [hold]);
  }
}

export function intake(adapter: VendorAdapter, items: unknown[], context: unknown, ctx: ValidationContext, options?: IntakeOptions): IntakeResult {
  const run = new IntakeRun(adapter, ctx, options);
  for (const item of items) run.add(item, context);
  return run.result;
}
