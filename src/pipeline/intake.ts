import { randomUUID } from 'node:crypto';
import type { VendorAdapter } from '../adapters/adapter.js';
import { recordKeyOf, type CanonicalRecord } from '../canonical/record.js';
import { contentHashOf, recordToXml } from '../canonical/xml.js';
import type { NewRecord } from '../storage/store.js';
import type { FieldError, ValidationError } from '../validation/types.js';
import { checkXmlChars } from '../validation/rules/xml-chars.js';
import { toValidationErrors, validateRecord } from '../validation/validate.js';

// The stateless steps between a vendor batch and the outbox: split → map → validate → render →
// de-duplicate within the batch. Nothing here touches storage or the network.

export interface RecordOutcome {
  index: number;
  recordId: string;
  recordKey?: string;
  status: 'queued' | 'rejected';
  errors?: ValidationError[];
}

export interface IntakeResult {
  outcomes: RecordOutcome[];
  records: NewRecord[];
  validationErrors: ValidationError[];
}

function checkOne(adapter: VendorAdapter, item: unknown, context: unknown): { record?: CanonicalRecord; errors: FieldError[] } {
  const mapped = adapter.map(item, context);
  if (!mapped.ok) return { errors: mapped.errors };
  const errors = validateRecord(mapped.record);
  return { record: mapped.record, errors: errors.length ? errors : checkXmlChars(mapped.record) };
}

export function intake(adapter: VendorAdapter, items: unknown[], context: unknown): IntakeResult {
  const outcomes: RecordOutcome[] = [];
  const records: NewRecord[] = [];
  const validationErrors: ValidationError[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const { record, errors } = checkOne(adapter, item, context);
    const recordKey = record && errors.length === 0 ? recordKeyOf(record) : undefined;
    if (recordKey && seen.has(recordKey)) errors.push({ path: '/student/learnerId', code: 'DUPLICATE_IN_BATCH', detail_en: recordKey, detail_vi: recordKey });
    const id = randomUUID();
    if (errors.length > 0 || !record || !recordKey) {
      const ve = toValidationErrors(index, recordKey, errors);
      validationErrors.push(...ve);
      outcomes.push({ index, recordId: id, recordKey, status: 'rejected', errors: ve });
      records.push({ id, index, recordKey: recordKey ?? null, contentHash: null, recordXml: null, state: 'rejected', errors: ve });
      return;
    }
    seen.add(recordKey);
    const xml = recordToXml(record);
    outcomes.push({ index, recordId: id, recordKey, status: 'queued' });
    records.push({ id, index, recordKey, contentHash: contentHashOf(xml), recordXml: xml, state: 'queued', errors: null });
  });
  return { outcomes, records, validationErrors };
}
