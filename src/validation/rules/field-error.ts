import type { ErrorCode } from '../../errors/catalogue.js';
import type { FieldError } from '../types.js';

/** One field error with its detail in both languages (the catalogue message comes first when rendered). */
export function fieldError(path: string, code: ErrorCode, detailEn?: string, detailVi?: string): FieldError {
  const e: FieldError = { path, code };
  if (detailEn !== undefined) e.detail_en = detailEn;
  if (detailVi !== undefined) e.detail_vi = detailVi;
  return e;
}
