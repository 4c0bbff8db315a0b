import type { ErrorObject } from 'ajv/dist/2020.js';
import type { CanonicalRecord } from '../canonical/record.js';
import { ERRORS, type ErrorCode } from '../errors/catalogue.js';
import type { ValidationContext } from './context.js';
import { checkEndOfLevel } from './rules/end-of-level.js';
import { checkExemptions } from './rules/exemptions.js';
import { checkPersonalId } from './rules/personal-id.js';
import { checkPrimary } from './rules/primary.js';
import { checkResultsLevel, checkSchoolYear } from './rules/record-header.js';
import { checkRetests } from './rules/retests.js';
import { checkRecordForm } from './rules/record-form.js';
import { checkSubjectParts } from './rules/subject-parts.js';
import { checkSchool } from './rules/school.js';
import { checkSecondaryOutcome } from './rules/secondary-outcome.js';
import { checkSecondaryScores } from './rules/secondary-scores.js';
import { checkSecondarySubjects } from './rules/secondary-subjects.js';
import { checkSignatures } from './rules/signatures.js';
import { checkXmlChars } from './rules/xml-chars.js';
import { recordSchemaValidator as validateSchema } from './record-schema-compiled.js';
import type { FieldError, ValidationError } from './types.js';

export { makePersonalId, pendingPersonalId } from './rules/personal-id.js';

// The schema (specs/ministry-profile/v2/record.schema.json; profile v2 is v1 and the record form,
// `form`: one schema validates both, a record without the form is written as v1) is compiled
// ahead by `npm run schema:compile` (record-schema-compiled.ts, options and reasons in
// tools/record-schema-code.ts): each thread that validates loads it rather than compiling the
// schema again at its start, and reads no schema file.

const CODE_BY_KEYWORD: Record<string, ErrorCode> = {
  required: 'SCHEMA_REQUIRED',
  type: 'SCHEMA_TYPE',
  enum: 'SCHEMA_ENUM',
  const: 'SCHEMA_ENUM',
  pattern: 'SCHEMA_PATTERN',
  format: 'SCHEMA_PATTERN',
  minimum: 'SCHEMA_RANGE',
  maximum: 'SCHEMA_RANGE',
  exclusiveMinimum: 'SCHEMA_RANGE',
  exclusiveMaximum: 'SCHEMA_RANGE',
  minLength: 'SCHEMA_LENGTH',
  maxLength: 'SCHEMA_LENGTH',
  minItems: 'SCHEMA_LENGTH',
  maxItems: 'SCHEMA_LENGTH',
  additionalProperties: 'SCHEMA_UNKNOWN_FIELD',
};

function pointerToken(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

function toFieldError(e: ErrorObject): FieldError {
  const params = e.params as Record<string, unknown>;
  let path = e.instancePath;
  let detailVi: string | undefined;
  let detailEn = e.message ?? e.keyword;
  if (e.keyword === 'required') {
    path += '/' + pointerToken(String(params.missingProperty));
    detailVi = `thiếu trường "${String(params.missingProperty)}"`;
  } else if (e.keyword === 'additionalProperties') {
    path += '/' + pointerToken(String(params.additionalProperty));
    detailVi = `trường "${String(params.additionalProperty)}" không được phép`;
  } else if (e.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    // A vendor fixing data needs the list, which ajv's message leaves out.
    const allowed = params.allowedValues.join(', ');
    detailEn += `: ${allowed}`;
    detailVi = `giá trị cho phép: ${allowed}`;
  } else if (typeof params.comparison === 'string' && params.limit !== undefined) {
    // minimum, maximum and their exclusive forms: "must be <= 10" reads the same in Vietnamese.
    detailEn += `, got ${JSON.stringify(e.data)}`;
    detailVi = `phải ${params.comparison} ${String(params.limit)}, nhận được ${JSON.stringify(e.data)}`;
  } else if (e.keyword === 'type') {
    detailVi = `phải có kiểu ${String(params.type)}`;
  } else if (e.keyword === 'pattern' || e.keyword === 'format') {
    detailVi = `không đúng định dạng ${String(params.pattern ?? params.format)}`;
  } else if (['minLength', 'maxLength', 'minItems', 'maxItems'].includes(e.keyword)) {
    detailVi = `${e.keyword.startsWith('min') ? 'ít nhất' : 'nhiều nhất'} ${String(params.limit)} ${e.keyword.endsWith('Items') ? 'phần tử' : 'ký tự'}`;
  }
  const fe: FieldError = { path, code: CODE_BY_KEYWORD[e.keyword] ?? 'SCHEMA_OTHER', detail_en: detailEn };
  if (detailVi !== undefined) fe.detail_vi = detailVi;
  return fe;
}

/** The business rules that need nothing but the record and the context, in the order they report. */
function checkRules(r: CanonicalRecord, ctx: ValidationContext): FieldError[] {
  const errors = [...checkSchoolYear(r), ...checkPersonalId(r, ctx), ...checkSchool(r, ctx)];
  const { level, errors: levelErrors } = checkResultsLevel(r);
  errors.push(...levelErrors);
  if (level !== null) errors.push(...checkExemptions(r), ...checkEndOfLevel(r), ...checkRecordForm(r));
  if (level === 'primary') errors.push(...checkPrimary(r, ctx), ...checkSubjectParts(r));
  if (level === 'secondary') {
    const subjects = checkSecondarySubjects(r, ctx);
    errors.push(...subjects.errors, ...checkSecondaryScores(r, ctx, subjects.checked), ...checkSecondaryOutcome(r, ctx), ...checkRetests(r, ctx));
  }
  errors.push(...checkSignatures(r, ctx), ...checkXmlChars(r));
  return errors;
}

/**
 * Checks one canonical record: the profile's JSON Schema first, then business rules (docs/rules.md).
 * Rules run only on a schema-valid record, because they rely on the declared types and formats.
 * Pure: the rule settings and reference data come in `ctx`.
 */
export function validateRecord(record: unknown, ctx: ValidationContext): FieldError[] {
  if (!validateSchema(record)) return (validateSchema.errors ?? []).map(toFieldError);
  return checkRules(record as CanonicalRecord, ctx);
}

/** The `validationErrors` entries for one record, with catalogue messages in both languages. */
export function toValidationErrors(index: number, recordKey: string | undefined, errors: FieldError[]): ValidationError[] {
  return errors.map((e) => {
    const def = ERRORS[e.code];
    const out: ValidationError = {
      index,
      path: e.path,
      code: e.code,
      message_en: e.detail_en ? `${def.en}: ${e.detail_en}` : def.en,
      message_vi: e.detail_vi ? `${def.vi}: ${e.detail_vi}` : def.vi,
    };
    if (recordKey !== undefined) out.recordKey = recordKey;
    if (e.source) out.source = e.source;
    return out;
  });
}
