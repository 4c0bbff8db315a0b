// A record's payload: written once when its submission commits, read when the record is
// claimed for delivery, deleted by the retention purge once the record has been acknowledged
// long enough. A state change never touches it (migration 7). Both dialects side by side.

/** One row per stored record that has a payload (signed documents: their evidence too). */
export const insertPayload = {
  sqlite: 'INSERT INTO record_payloads (record_id, record_xml, signed_xml) VALUES (?, ?, ?)',
  postgres: `INSERT INTO record_payloads (record_id, record_xml, signed_xml)
    SELECT * FROM unnest($1::text[], $2::bytea[], $3::bytea[])`,
} as const;

/** The claimed row's payload, read in the claim's RETURNING clause (`records` is the claimed row). */
export const claimedPayloadColumn = {
  sqlite: '(SELECT p.record_xml FROM record_payloads p WHERE p.record_id = records.id) AS record_xml',
  postgres: '(SELECT p.record_xml FROM record_payloads p WHERE p.record_id = r.id) AS record_xml',
} as const;

const PURGEABLE = `state = 'acknowledged' AND payload_kept = 1`;

/** How many acknowledged records older than the cutoff still keep their payload (a dry run). */
// SQLite's planner took records_by_state (state, updated_at) instead of the partial index, and
// read every acknowledged row from the oldest to check payload_kept: each batch scanned past the
// rows the batches before it had cleared, so the purge slowed as it went (at 2,000,000 records,
// 13,000 records/s at the start, 1,300 after 700,000). Pinned to the partial index.
const PURGEABLE_SQLITE = `records INDEXED BY records_payload_kept`;

export const countPurgeable = {
  sqlite: `SELECT count(*) AS n FROM ${PURGEABLE_SQLITE} WHERE ${PURGEABLE} AND updated_at < ?`,
  postgres: `SELECT count(*) AS n FROM records WHERE ${PURGEABLE} AND updated_at < $1`,
} as const;

/**
 * One batch of the purge: the records leave the partial index records_payload_kept (so the next
 * batch starts where this one stopped) and their payload rows go. SQLite runs the two
 * statements in one transaction, PostgreSQL as one statement.
 */
export const purgePayloads = {
  sqlite: {
    clear: `UPDATE records SET payload_kept = NULL WHERE id IN (
        SELECT id FROM ${PURGEABLE_SQLITE} WHERE ${PURGEABLE} AND updated_at < ? LIMIT ?) RETURNING id`,
    remove: 'DELETE FROM record_payloads WHERE record_id = ?',
  },
  postgres: `WITH cleared AS (
      UPDATE records SET payload_kept = NULL WHERE id IN (
        SELECT id FROM records WHERE ${PURGEABLE} AND updated_at < $1 LIMIT $2) RETURNING id),
    gone AS (DELETE FROM record_payloads p USING cleared WHERE p.record_id = cleared.id RETURNING 1)
    SELECT (SELECT count(*) FROM cleared) AS n`,
} as const;
