// Corrections and withdrawals as events (issue 15 item 10; packet/events.ts). Both dialects side
// by side. Every statement finds the record book by record_key (index records_by_key).

/**
 * The keys, among those of a claimed packet, of which the Ministry holds a live version: one it
 * acknowledged and that was not withdrawn. Those records go as UPDATE, the others as NEW.
 */
export const ministryHolds = {
  sqlite: (n: number) =>
    `SELECT DISTINCT record_key FROM records WHERE record_key IN (${Array.from({ length: n }, () => '?').join(', ')})
      AND state = 'acknowledged' AND kind = 'record'`,
  postgres: `SELECT DISTINCT record_key FROM records WHERE record_key = ANY($1::text[]) AND state = 'acknowledged' AND kind = 'record'`,
} as const;

/**
 * A later version replaces the earlier ones still waiting to be sent (queued, retry) or given up
 * (dead): the Ministry keeps only the latest, so they need not go (a version in flight goes on;
 * the Ministry orders the two by version).
 */
export const supersedeEarlier = {
  sqlite: `UPDATE records SET state = 'superseded', last_code = 'SUPERSEDED',
      last_reason = 'replaced by version ' || CAST(@version AS INTEGER) || ' (record ' || @by || ')', updated_at = @now
    WHERE record_key = @key AND kind = 'record' AND state IN ('queued', 'retry', 'dead') AND record_version < @version`,
  postgres: `UPDATE records SET state = 'superseded', last_code = 'SUPERSEDED',
      last_reason = 'replaced by version ' || $2::int || ' (record ' || $3::text || ')', updated_at = $4
    WHERE record_key = $1 AND kind = 'record' AND state IN ('queued', 'retry', 'dead') AND record_version < $2::int`,
} as const;

/** Once the Ministry acknowledged a withdrawal, the versions it held of that record book are withdrawn. */
export const markWithdrawn = {
  sqlite: `UPDATE records SET state = 'withdrawn', last_code = 'WITHDRAWN',
      last_reason = 'withdrawn at the Ministry by ' || @by || ' (packet ' || @packet || ')', updated_at = @now
    WHERE kind = 'record' AND state = 'acknowledged'
      AND record_key = (SELECT record_key FROM records WHERE id = @by AND kind = 'withdrawal' AND state = 'acknowledged')
      AND record_version < (SELECT record_version FROM records WHERE id = @by)`,
  postgres: `UPDATE records r SET state = 'withdrawn', last_code = 'WITHDRAWN',
      last_reason = 'withdrawn at the Ministry by ' || w.id || ' (packet ' || $2 || ')', updated_at = $3
    FROM records w
    WHERE w.id = ANY($1::text[]) AND w.kind = 'withdrawal' AND w.state = 'acknowledged'
      AND r.record_key = w.record_key AND r.kind = 'record' AND r.state = 'acknowledged' AND r.record_version < w.record_version`,
} as const;

// The withdrawal itself, one transaction: refuse while a version of the book is in flight or a
// withdrawal already waits; cancel the versions that never reached the Ministry; and, when it
// holds one, queue the withdrawal of the version it acknowledged last.

/**
 * The rows of the book (a few: its versions and withdrawals), from which bookBlocker() decides.
 * PostgreSQL locks them, so that no replica claims one while the withdrawal decides (the claim's
 * FOR UPDATE SKIP LOCKED passes over them); SQLite has one writer.
 */
export const bookRows = {
  sqlite: `SELECT id, state, kind FROM records WHERE record_key = ?`,
  postgres: `SELECT id, state, kind FROM records WHERE record_key = $1 FOR UPDATE`,
} as const;

/** What keeps a book from being withdrawn now: a row in flight, or a withdrawal already waiting. */
export function bookBlocker(rows: readonly { id: unknown; state: unknown; kind: unknown }[]): { kind: 'in-flight' } | { kind: 'pending'; withdrawalId: string } | null {
  if (rows.some((r) => r.state === 'sending')) return { kind: 'in-flight' };
  const pending = rows.find((r) => r.kind === 'withdrawal' && (r.state === 'queued' || r.state === 'retry'));
  return pending ? { kind: 'pending', withdrawalId: String(pending.id) } : null;
}

export const cancelUnsent = {
  sqlite: `UPDATE records SET state = 'cancelled', last_code = 'WITHDRAWN', last_reason = @reason, updated_at = @now
    WHERE record_key = @key AND kind = 'record' AND state IN ('queued', 'retry', 'dead', 'held')`,
  postgres: `UPDATE records SET state = 'cancelled', last_code = 'WITHDRAWN', last_reason = $2, updated_at = $3
    WHERE record_key = $1 AND kind = 'record' AND state IN ('queued', 'retry', 'dead', 'held')`,
} as const;

const HELD_COLUMNS = 'record_version, content_hash, school_id, learner_id, grade, class_name, school_year, vendor';
export const heldByMinistry = {
  sqlite: `SELECT ${HELD_COLUMNS} FROM records WHERE record_key = ? AND kind = 'record' AND state = 'acknowledged'
    ORDER BY record_version DESC LIMIT 1`,
  postgres: `SELECT ${HELD_COLUMNS} FROM records WHERE record_key = $1 AND kind = 'record' AND state = 'acknowledged'
    ORDER BY record_version DESC LIMIT 1`,
} as const;

/** The highest version the gateway accepted for the key (a withdrawal's included): the withdrawal takes the next. */
export const highestVersion = {
  sqlite: `SELECT max(record_version) AS v FROM records WHERE record_key = ? AND state <> 'rejected'`,
  postgres: `SELECT max(record_version) AS v FROM records WHERE record_key = $1 AND state <> 'rejected'`,
} as const;

const WITHDRAWAL_COLUMNS = `id, submission_id, idx, record_key, content_hash, payload_kept, state, kind, max_attempts, base_delay_ms,
  cap_delay_ms, total_time_ms, window_started_at, next_attempt_at, last_code, last_reason, created_at, updated_at, record_version,
  school_id, learner_id, grade, class_name, school_year, vendor`;
export const insertWithdrawal = {
  sqlite: `INSERT INTO records (${WITHDRAWAL_COLUMNS}) VALUES (@id, @submission, 0, @key, @hash, 1, 'queued', 'withdrawal', @maxAttempts,
    @baseDelayMs, @capDelayMs, @totalTimeMs, @now, @now, 'WITHDRAWAL', @reason, @now, @now, @version,
    @schoolId, @learnerId, @grade, @className, @schoolYear, @vendor)`,
  postgres: `INSERT INTO records (${WITHDRAWAL_COLUMNS}) VALUES ($1, $2, 0, $3, $4, 1, 'queued', 'withdrawal', $5,
    $6, $7, $8, $9, $9, 'WITHDRAWAL', $10, $9, $9, $11, $12, $13, $14, $15, $16, $17)`,
} as const;

/** What the store's withdraw() needs from the version the Ministry holds. */
export interface HeldVersion {
  version: number;
  contentHash: string;
  schoolId: string | null;
  learnerId: string | null;
  grade: number | null;
  className: string | null;
  schoolYear: string | null;
  vendor: string | null;
}

export function toHeldVersion(r: Record<string, unknown>): HeldVersion {
  return {
    version: Number(r.record_version),
    contentHash: r.content_hash as string,
    schoolId: (r.school_id as string | null) ?? null,
    learnerId: (r.learner_id as string | null) ?? null,
    grade: r.grade === null || r.grade === undefined ? null : Number(r.grade),
    className: (r.class_name as string | null) ?? null,
    schoolYear: (r.school_year as string | null) ?? null,
    vendor: (r.vendor as string | null) ?? null,
  };
}
