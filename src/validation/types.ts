import type { ErrorCode } from '../errors/catalogue.js';

/** One problem with one field of one record, as vendors receive it in `validationErrors`. */
export interface FieldError {
  /** JSON Pointer into the record being checked (vendor item for mapping errors, canonical record otherwise). */
  path: string;
  code: ErrorCode;
  /** Detail beyond the catalogue message, in English and Vietnamese (optional). */
  detail_en?: string;
  detail_vi?: string;
}

export interface ValidationError {
  index: number;
  recordKey?: string;
  path: string;
  code: ErrorCode;
  message_en: string;
  message_vi: string;
}
