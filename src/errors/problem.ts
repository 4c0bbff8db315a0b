import { ERRORS, problemType, type ErrorCode } from './catalogue.js';
import type { ValidationError } from '../validation/types.js';

// RFC 9457 Problem Details, with the gateway's stable `code` and every message in English and
// Vietnamese. `errors` lists request-level problems; `validationErrors` per-record ones.

export interface RequestError {
  path: string;
  code: ErrorCode;
  message_en: string;
  message_vi: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  detail_vi: string;
  instance?: string;
  errors?: RequestError[];
  validationErrors?: ValidationError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** An error a handler throws to answer with a problem; the error handler renders it. */
export class ProblemError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly extra: { detail?: string; detail_vi?: string; errors?: RequestError[]; validationErrors?: ValidationError[]; status?: number; headers?: Record<string, string> } = {},
  ) {
    super(extra.detail ?? ERRORS[code].en);
    this.name = 'ProblemError';
  }
}

export function problem(code: ErrorCode, extra: ProblemError['extra'] = {}, instance?: string): Problem {
  const def = ERRORS[code];
  const p: Problem = {
    type: problemType(code),
    title: def.title,
    status: extra.status ?? def.status,
    code,
    detail: extra.detail ?? def.en,
    detail_vi: extra.detail_vi ?? def.vi,
  };
  if (instance) p.instance = instance;
  if (extra.errors) p.errors = extra.errors;
  if (extra.validationErrors) p.validationErrors = extra.validationErrors;
  return p;
}

export function requestError(code: ErrorCode, path: string, detail?: string): RequestError {
  const def = ERRORS[code];
  return { path, code, message_en: detail ? `${def.en} ${detail}` : def.en, message_vi: detail ? `${def.vi} ${detail}` : def.vi };
}
