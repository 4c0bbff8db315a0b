import { BatchFormatError } from './adapter.js';
import type { FieldError } from '../validation/types.js';

// How the JSON adapters (vnEdu, EMIS) read a vendor's field values. A value they cannot read is
// passed through unchanged, so that schema validation reports it once, at the canonical path.

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isAbsent = (v: unknown): boolean => v === undefined || v === null || v === '';

/** Strings are trimmed and NFC-normalised: the XML bytes, and so the content hash, depend on it. */
export function text(v: unknown): unknown {
  if (v === null) return undefined;
  return typeof v === 'string' ? v.normalize('NFC').trim() : v;
}

/** SIS exports sometimes quote numbers; a digit string becomes a number, anything else passes through. */
export function integer(v: unknown): unknown {
  if (isAbsent(v)) return undefined;
  return typeof v === 'string' && /^[0-9]+$/.test(v.trim()) ? Number(v) : v;
}

/** Scores may come quoted ("7.5"); a decimal string becomes a number, anything else passes through. */
export function decimal(v: unknown): unknown {
  if (isAbsent(v)) return undefined;
  return typeof v === 'string' && /^[0-9]+(\.[0-9]+)?$/.test(v.trim()) ? Number(v) : v;
}

/**
 * A JSON batch's envelope: an object whose `required` header fields are strings and whose
 * `itemsField` is a non-empty array. Throws BatchFormatError with every problem; returns the
 * batch and its items.
 */
export function checkEnvelope(batch: unknown, o: { vendor: string; required: readonly string[]; itemsField: string }): { batch: Json; items: unknown[] } {
  if (!isObject(batch)) {
    throw new BatchFormatError(`${o.vendor} batch must be a JSON object`, [
      { path: '', code: 'VENDOR_FIELD_INVALID', detail_en: 'the batch must be a JSON object', detail_vi: 'lô dữ liệu phải là một đối tượng JSON' },
    ]);
  }
  const errors: FieldError[] = [];
  for (const field of o.required) {
    const v = batch[field];
    if (isAbsent(v)) errors.push({ path: `/${field}`, code: 'SCHEMA_REQUIRED', detail_en: `${field} is required`, detail_vi: `thiếu ${field}` });
    else if (typeof v !== 'string') errors.push({ path: `/${field}`, code: 'VENDOR_FIELD_INVALID', detail_en: `${field} must be a string`, detail_vi: `${field} phải là chuỗi` });
  }
  const f = o.itemsField;
  const list = batch[f];
  if (list === undefined || list === null) {
    errors.push({ path: `/${f}`, code: 'SCHEMA_REQUIRED', detail_en: `${f} is required`, detail_vi: `thiếu ${f}` });
  } else if (!Array.isArray(list) || list.length === 0) {
    errors.push({ path: `/${f}`, code: 'VENDOR_FIELD_INVALID', detail_en: `${f} must be a non-empty array`, detail_vi: `${f} phải là danh sách có ít nhất một học sinh` });
  }
  if (errors.length > 0) throw new BatchFormatError(`${o.vendor} batch envelope is invalid`, errors);
  return { batch, items: list as unknown[] };
}
