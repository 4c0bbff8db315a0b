import type { Settings } from '../config/settings.js';
import type { RetryPolicy } from '../storage/store.js';
import type { IntakeResult } from './intake.js';

// What a submission stores and answers, the same for a batch posted over HTTP and a chunk of a
// bulk import: the per-record outcomes, and the retry policy stored on each record's row.

export interface SubmissionResponse {
  submissionId: string;
  vendor: string;
  received: number;
  queued: number;
  rejected: number;
  records: IntakeResult['outcomes'];
  validationErrors: IntakeResult['validationErrors'];
}

export function submissionResponse(submissionId: string, vendor: string, result: IntakeResult): SubmissionResponse {
  const queued = result.outcomes.filter((o) => o.status === 'queued').length;
  return {
    submissionId,
    vendor,
    received: result.outcomes.length,
    queued,
    rejected: result.outcomes.length - queued,
    records: result.outcomes,
    validationErrors: result.validationErrors,
  };
}

export function retryPolicyOf(settings: Pick<Settings, 'delivery'>): RetryPolicy {
  const r = settings.delivery.retry;
  return { maxAttempts: r.maxAttempts, baseDelayMs: r.baseDelayMs, capDelayMs: r.capDelayMs, totalTimeMs: r.totalTimeMs };
}
