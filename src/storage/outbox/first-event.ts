import type { NewRecord } from '../store.js';

// What a new record's row says of how it came in (last_code, last_reason, and so its first
// timeline entry): the same words from both stores. A held record names what it waits for,
// which the acceptance step reads back (`heldForSignatures`): a record held for signatures is
// completed by a signed document only; one held for its student's personal ID by any later version.

export const HOLD_REASONS = Object.freeze({
  SIGNATURES_INCOMPLETE: 'held until the required signatures arrive',
  PERSONAL_ID_PENDING: 'held until a version with the student\'s personal ID arrives',
} as const);
export type HoldCode = keyof typeof HOLD_REASONS;

export function firstEventOf(r: Pick<NewRecord, 'state' | 'holdCode'>, vendor: string): { code: string | null; reason: string } {
  if (r.state === 'rejected') return { code: 'VALIDATION', reason: 'failed validation at the gateway' };
  if (r.state === 'held') {
    const code = r.holdCode ?? 'SIGNATURES_INCOMPLETE';
    return { code, reason: HOLD_REASONS[code] };
  }
  return { code: null, reason: `accepted from ${vendor}` };
}
