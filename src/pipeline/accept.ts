import { uuidv7 } from '../ids/uuid-v7.js';
import type { Settings } from '../config/settings.js';
import type { Credential, Store } from '../storage/store.js';
import { fieldError } from '../validation/rules/field-error.js';
import { rejectRecord, type IntakeResult } from './intake.js';
import { retryPolicyOf, submissionResponse, type SubmissionResponse } from './submission.js';
import { applyVersionRule } from './versions.js';

// The one acceptance step. Every intake path (the JSON API, signed records, the SOAP endpoint,
// workbook uploads and the bulk import) has mapped and validated its records into an
// IntakeResult; this step decides, against what is stored, what of it the gateway accepts:
//   1. idempotency: the same key and body answers what was stored; another body is a conflict;
//   2. authority: the credential may submit for the record's school (SCHOOL_NOT_AUTHORISED);
//   3. a record held for missing signatures is not overtaken by an unsigned one (RECORD_HELD);
//      one held for its student's personal ID (PERSONAL_ID_PENDING) is, by a higher version;
//   4. the version rule (VERSION_NOT_HIGHER);
//   5. strict handling, an all-rejected batch, or a dry run: nothing is stored;
//   6. one insert with the retry policy of the settings (retryPolicyOf), committed before any answer;
//   7. a later version supersedes the held one of its key and the earlier ones not yet sent; one
//      nudge to delivery.
// The paths differ only in how they read their bodies and how they answer (HTTP, SOAP, a summary).

export interface AcceptInput {
  principal: Pick<Credential, 'vendor' | 'schools'> & { vendor: string };
  idempotencyKey: string | null;
  /** Fingerprint of the body, compared on an idempotent retry. */
  requestHash: string;
  handling: 'strict' | 'lenient' | null;
  dryRun: boolean;
  result: IntakeResult;
  /** The records carry their own signatures (POST /v1/signed-records): they may be held, and supersede held ones. */
  signed?: boolean;
}

export type AcceptOutcome =
  /** Committed (202). */
  | { kind: 'stored'; response: SubmissionResponse }
  /** The same Idempotency-Key and body as an earlier request: what was stored then. */
  | { kind: 'replayed'; response: unknown }
  /** The same Idempotency-Key with another body (IDEMPOTENCY_KEY_REUSED). */
  | { kind: 'conflict' }
  /** Dry run: every record's outcome, nothing stored (200). */
  | { kind: 'dry-run'; response: SubmissionResponse }
  /** Nothing stored: every record was rejected, or one was and the vendor asked for strict handling. */
  | { kind: 'refused'; code: 'BATCH_REJECTED' | 'BATCH_REJECTED_STRICT'; response: SubmissionResponse };

export interface AcceptDeps {
  store: Store;
  settings: Pick<Settings, 'delivery'>;
  /** Tells delivery that records are queued. */
  nudge(): void;
  now?: () => number;
  /** Sees every outcome once (metrics: records by vendor and outcome, rejections by code). */
  observe?(vendor: string, outcome: AcceptOutcome): void;
}

/** What an earlier request with this Idempotency-Key stored, judged against this body; null when the key is new. */
export async function priorAnswer(store: Store, vendor: string, idempotencyKey: string | null, requestHash: string): Promise<AcceptOutcome | null> {
  if (!idempotencyKey) return null;
  const prior = await store.findSubmissionByIdempotencyKey(vendor, idempotencyKey);
  if (!prior) return null;
  return prior.requestHash === requestHash ? { kind: 'replayed', response: prior.response } : { kind: 'conflict' };
}

/** Rejects records of schools the credential may not submit for. */
export function applySchoolAuthority(result: IntakeResult, schools: readonly string[] | null): void {
  if (schools === null) return;
  const allowed = new Set(schools);
  for (const row of result.records) {
    if (row.state === 'rejected' && !row.schoolId) continue;
    if (row.schoolId && allowed.has(row.schoolId)) continue;
    const school = row.schoolId ?? '(none)';
    // Whatever else was wrong with it, a record of another school is refused for this first:
    // its other errors are that school's vendor's business.
    if (row.state === 'rejected') {
      const outcome = result.outcomes[row.index]!;
      outcome.errors = [];
      result.validationErrors = result.validationErrors.filter((e) => e.index !== row.index);
    }
    rejectRecord(result, row.index, [
      fieldError('/school/schoolId', 'SCHOOL_NOT_AUTHORISED', `school ${school} is not among this key's schools`, `trường ${school} không thuộc các trường của khóa này`),
    ]);
    // Nothing of it is stored: not its content, not its key.
    row.notStored = true;
  }
}

/** Rejects unsigned records whose key has a record held for signatures: the signed one must be completed instead. */
export function applyHeldGuard(result: IntakeResult, held: ReadonlySet<string>): void {
  for (const row of result.records) {
    if (row.state !== 'queued' || !row.recordKey || !held.has(row.recordKey)) continue;
    rejectRecord(result, row.index, [
      fieldError(
        '/student/learnerId',
        'RECORD_HELD',
        `${row.recordKey} waits for signatures at this gateway; send the signed record`,
        `${row.recordKey} đang chờ đủ chữ ký tại cổng; hãy gửi học bạ đã ký`,
      ),
    ]);
  }
}

export async function accept(deps: AcceptDeps, input: AcceptInput): Promise<AcceptOutcome> {
  const outcome = await acceptStep(deps, input);
  deps.observe?.(input.principal.vendor, outcome);
  return outcome;
}

async function acceptStep(deps: AcceptDeps, input: AcceptInput): Promise<AcceptOutcome> {
  const { store } = deps;
  const vendor = input.principal.vendor;
  const prior = await priorAnswer(store, vendor, input.idempotencyKey, input.requestHash);
  if (prior) return prior;

  const { result } = input;
  applySchoolAuthority(result, input.principal.schools);
  const keys = result.records.filter((r) => r.state !== 'rejected' && r.recordKey).map((r) => r.recordKey!);
  const accepted = await store.latestVersions(keys);
  if (!input.signed) applyHeldGuard(result, new Set([...accepted].filter(([, v]) => v.heldForSignatures).map(([k]) => k)));
  applyVersionRule(result, accepted);

  const submissionId = input.dryRun ? null : uuidv7();
  const response = submissionResponse(submissionId, vendor, result, { dryRun: input.dryRun, signed: input.signed === true });
  const taken = response.queued + (response.held ?? 0);
  if (input.handling === 'strict' && taken < result.outcomes.length) return { kind: 'refused', code: 'BATCH_REJECTED_STRICT', response };
  if (taken === 0) return { kind: 'refused', code: 'BATCH_REJECTED', response };
  if (input.dryRun) return { kind: 'dry-run', response };

  const now = (deps.now ?? Date.now)();
  try {
    await store.insertSubmission(
      { id: submissionId!, vendor, idempotencyKey: input.idempotencyKey, requestHash: input.requestHash, response, createdAt: now },
      result.records.filter((r) => !r.notStored),
      retryPolicyOf(deps.settings),
    );
  } catch (e) {
    // Two concurrent requests with one Idempotency-Key: the loser answers what the winner stored.
    const winner = await priorAnswer(store, vendor, input.idempotencyKey, input.requestHash);
    if (winner) return winner;
    throw e;
  }
  // A later version of a record book replaces one held at the gateway: a signed document one
  // waiting for signatures or for a personal ID, any other one waiting for a personal ID (the
  // held guard refused the others).
  // A later version also replaces the earlier ones that wait to be sent or were given up (issue
  // 15 item 10): the Ministry keeps the latest only. Only keys accepted before cost a statement.
  for (const rec of result.records) {
    if (!rec.recordKey || (rec.state !== 'queued' && rec.state !== 'held')) continue;
    const known = accepted.get(rec.recordKey);
    if (!known) continue;
    if (known.held) await store.supersedeHeld(rec.recordKey, vendor, rec.id, now);
    // A held version waits itself, so it replaces nothing that would be sent.
    if (rec.state === 'queued' && rec.version !== null && rec.version > known.version) await store.supersedeEarlier(rec.recordKey, rec.version, rec.id, now);
  }
  if (response.queued > 0) deps.nudge();
  return { kind: 'stored', response };
}
