import type { AcceptedVersion } from '../storage/store.js';
import { fieldError } from '../validation/rules/field-error.js';
import { rejectRecord, type IntakeResult } from './intake.js';

// A record's version only goes up for the same record key. New content needs a version above
// the highest this gateway accepted for the key; the very same content at the same version is
// a re-send (a vendor retrying after a lost answer) and passes, as the Ministry counts it once.

/** Rejects accepted (queued or held) records whose version is not above the accepted one (VERSION_NOT_HIGHER at /version). */
export function applyVersionRule(result: IntakeResult, accepted: ReadonlyMap<string, AcceptedVersion>): void {
  for (const row of result.records) {
    if (row.state === 'rejected' || !row.recordKey || row.version === null) continue;
    const known = accepted.get(row.recordKey);
    if (!known) continue;
    const resend = row.version === known.version && row.contentHash === known.contentHash;
    if (row.version > known.version || resend) continue;
    rejectRecord(result, row.index, [
      fieldError(
        '/version',
        'VERSION_NOT_HIGHER',
        `got ${row.version}, version ${known.version} was accepted before${row.version === known.version ? ' with other content' : ''}`,
        `nhận được ${row.version}, đã nhận phiên bản ${known.version}${row.version === known.version ? ' với nội dung khác' : ''}`,
      ),
    ]);
  }
}
