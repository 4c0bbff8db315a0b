import type { CanonicalRecord } from '../../canonical/record.js';
import type { ValidationContext } from '../context.js';
import type { FieldError } from '../types.js';
import { fieldError } from './field-error.js';

/** Each role signs once; the roles the province requires are all there. */
export function checkSignatures(r: CanonicalRecord, ctx: ValidationContext): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  r.signatures.forEach((s, i) => {
    if (seen.has(s.role)) errors.push(fieldError(`/signatures/${i}/role`, 'SIGNATURE_REPEATED', s.role, s.role));
    seen.add(s.role);
  });
  const missing = ctx.rules.requiredSignatures.filter((role) => !seen.has(role));
  if (missing.length > 0) errors.push(fieldError('/signatures', 'SIGNATURE_MISSING', `missing ${missing.join(', ')}`, `thiếu ${missing.join(', ')}`));
  return errors;
}
