import type { Settings } from '../config/settings.js';
import type { RetryPolicy } from '../storage/store.js';
import type { IntakeResult } from './intake.js';

// What a submission stores and answers, the same for a batch posted over HTTP and a chunk of a
// bulk import: the per-record outcomes, and the retry policy stored on each record's row.

export interface SubmissionResponse {
  /** null in a dry run: nothing was stored. */
  submissionId: string | null;
  vendor: string;
  dryRun?: true;
  received: number;
  queued: number;
  /** Waiting at the gateway: for the signatures the province requires (signed records), or for the student's personal ID. */
  held?: number;
  rejected: number;
  records: IntakeResult['outcomes'];
  validationErrors: IntakeResult['validationErrors'];
}

export function submissionResponse(
  submissionId: string | null,
  vendor: string,
  result: IntakeResult,
  o: { dryRun?: boolean; signed?: boolean } = {},
): SubmissionResponse {
  const count = (s: string) => result.outcomes.filter((x) => x.status === s).length;
  return {
    submissionId,
    vendor,
    ...(o.dryRun ? { dryRun: true as const } : {}),
    received: result.outcomes.length,
    queued: count('queued'),
    // Signed submissions always say how many wait; others only when some wait for a personal ID.
    ...(o.signed || count('held') > 0 ? { held: count('held') } : {}),
    rejected: count('rejected'),
    records: result.outcomes,
    validationErrors: result.validationErrors,
  };
}

export function retryPolicyOf(settings: Pick<Settings, 'delivery'>): RetryPolicy {
  const r = settings.delivery.retry;
  return { maxAttempts: r.maxAttempts, baseDelayMs: r.baseDelayMs, capDelayMs: r.capDelayMs, totalTimeMs: r.totalTimeMs };
}
