import type { ErrorCode } from '../errors/catalogue.js';

/** One problem with one field of one record, as vendors receive it in `validationErrors`. */
export interface FieldError {
  /** JSON Pointer into the record being checked (vendor item for mapping errors, canonical record otherwise). */
  path: string;
  code: ErrorCode;
  /** Detail beyond the catalogue message, in English and Vietnamese (optional). */
  detail_en?: string;
  detail_vi?: string;
  /** Where in the vendor's own document (a workbook's sheet, row and cell), when its format has such places. */
  source?: SourceLocation;
}

/** A place in a vendor's document, for formats people edit by hand (the C1 workbooks). */
export interface SourceLocation {
  sheet?: string;
  /** 1-based row of the sheet. */
  row?: number;
  /** A1 reference of the cell. */
  cell?: string;
  /** The column's heading or the vendor's field name. */
  field?: string;
}

export interface ValidationError {
  index: number;
  recordKey?: string;
  path: string;
  code: ErrorCode;
  message_en: string;
  message_vi: string;
  /** Where in the vendor's document (sheet, row, cell, field), when its format has such places. */
  source?: SourceLocation;
}
