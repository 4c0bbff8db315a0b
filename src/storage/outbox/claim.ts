import { claimedPayloadColumn } from './payloads.js';

// Claiming due records for one packet. Both dialects take the records that have waited longest
// first (a queued or retrying record by when it became due, one whose sender's lease expired by
// when the lease ended), lease them to the claimer and count the attempt now, when it starts
// (as graphile-worker does): a packet that kills its sender still used an attempt, so a record
// whose every attempt ended that way goes dead (`expireLost`, run before each claim) instead of
// being claimed after each lease for ever. PostgreSQL keeps a sending record's lease end in
// next_attempt_at too (+1 ms), so one index serves both kinds of due record there.

const RETURNING = `id, record_key, content_hash, attempts, max_attempts, base_delay_ms, cap_delay_ms, total_time_ms, window_started_at, kind`;

/** The code of a record whose sender stopped answering during its last attempt. */
export const SENDER_LOST = 'SENDER_LOST';

const LOST_REASON = (owner: string) =>
  `'attempts used up: the lease of ' || ${owner} || ' expired during attempt ' || attempts || ' of ' || max_attempts`;

export const expireLost = {
  sqlite: `UPDATE records SET state = 'dead', last_code = '${SENDER_LOST}', last_reason = ${LOST_REASON('lease_owner')},
      lease_owner = NULL, lease_until = NULL, updated_at = @now
    WHERE state = 'sending' AND lease_until < @now AND attempts >= max_attempts`,
  postgres: `UPDATE records SET state = 'dead', last_code = '${SENDER_LOST}', last_reason = ${LOST_REASON('lease_owner')},
      lease_owner = NULL, lease_until = NULL, updated_at = $1
    WHERE state = 'sending' AND next_attempt_at <= $1 AND attempts >= max_attempts`,
} as const;

const CLAIMED_REASON = (state: string, leaseOwner: string, owner: string) =>
  `CASE WHEN ${state} = 'sending' THEN 'lease of ' || ${leaseOwner} || ' expired; claimed by ' || ${owner} ELSE 'claimed by ' || ${owner} END`;

export const claim = {
  // SQLite merges the two ordered index scans under the LIMIT, so a claim reads about as many
  // index entries as it takes however long the queue; INDEXED BY holds the planner to them
  // (without statistics it sorted every queued row instead).
  sqlite: `WITH due AS (
      SELECT id, next_attempt_at AS t FROM records INDEXED BY records_due WHERE state IN ('queued', 'retry') AND next_attempt_at <= @now
      UNION ALL
      SELECT id, lease_until AS t FROM records INDEXED BY records_sending WHERE state = 'sending' AND lease_until < @now
      ORDER BY t LIMIT @limit)
    UPDATE records SET state = 'sending', attempts = attempts + 1, lease_owner = @owner, lease_until = @until, updated_at = @now,
      last_code = NULL, last_reason = ${CLAIMED_REASON('state', 'lease_owner', '@owner')}
    WHERE id IN (SELECT id FROM due)
    RETURNING ${RETURNING}, ${claimedPayloadColumn.sqlite}`,
  // SKIP LOCKED: a replica passes over rows another replica is claiming this instant instead of
  // waiting for them; the row lock is re-checked against the WHERE clause, so a row another
  // replica has just claimed (its next_attempt_at moved past its lease end) is not taken.
  postgres: `WITH due AS (
      SELECT id FROM records
      WHERE state IN ('queued', 'retry', 'sending') AND next_attempt_at <= $2::bigint
      ORDER BY next_attempt_at
      LIMIT $4
      FOR UPDATE SKIP LOCKED)
    UPDATE records r SET state = 'sending', attempts = r.attempts + 1, lease_owner = $1, lease_until = $3::bigint,
      next_attempt_at = $3::bigint + 1, updated_at = $2::bigint,
      last_code = NULL, last_reason = ${CLAIMED_REASON('r.state', 'r.lease_owner', '$1::text')}
    FROM due WHERE r.id = due.id
    RETURNING ${RETURNING.split(', ').map((c) => `r.${c}`).join(', ')}, ${claimedPayloadColumn.postgres}`,
} as const;

/** Renews the lease on records still held by `owner`. */
export const renewLease = {
  sqlite: `UPDATE records SET lease_until = @until WHERE id = @id AND state = 'sending' AND lease_owner = @owner`,
  postgres: `UPDATE records SET lease_until = $2::bigint, next_attempt_at = $2::bigint + 1
    WHERE id = ANY($3::text[]) AND state = 'sending' AND lease_owner = $1`,
} as const;

/**
 * Gives claimed records back untouched (a clean shutdown before the packet was sent, a
 * Retry-After longer than a lease, or a second row of a key already in the packet): the attempt
 * counted at the claim is given back too. They are due again at `due` (by default at once).
 */
export const release = {
  sqlite: `UPDATE records SET state = 'queued', attempts = max(attempts - 1, 0), last_code = NULL, last_reason = 'released unsent',
      next_attempt_at = CASE WHEN @due > @now THEN @due ELSE next_attempt_at END, lease_owner = NULL, lease_until = NULL, updated_at = @now
    WHERE id = @id AND state = 'sending' AND lease_owner = @owner`,
  postgres: `UPDATE records SET state = 'queued', attempts = greatest(attempts - 1, 0), next_attempt_at = $4, last_code = NULL,
      last_reason = 'released unsent', lease_owner = NULL, lease_until = NULL, updated_at = $2
    WHERE id = ANY($3::text[]) AND state = 'sending' AND lease_owner = $1`,
} as const;
