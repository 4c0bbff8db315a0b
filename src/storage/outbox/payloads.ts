// A record's payload: written once when its submission commits, read when the record is
// claimed for delivery, deleted by the retention purge once the record has been acknowledged
// long enough. Neither a state change nor the purge touches the records row (migration 15).
// Both dialects side by side.

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

// The purge walks the acknowledged records in (updated_at, id) order, from purge_cursor (the last
// record an earlier batch reached) up to the cutoff, and deletes their payload rows; the records
// themselves are not written. Until migration 15 each batch also cleared records.payload_kept so
// that the next one would not meet the same rows again: on PostgreSQL that update changed a column
// of a partial index's predicate, so no update was HOT and every purged record got a new version
// with an entry in each of its 17 indexes, and the statement trigger of the progress counters ran
// over it: 7,725 records/s at 1,000,000 (bench q-pg). A record acknowledged after a batch has an
// updated_at past the cursor (the cutoff is retention days behind the clock), so the cursor never
// passes over a payload it should take; one acknowledged again later (updated_at moved) is met again.
const AFTER_CURSOR = `(updated_at, id) > (coalesce((SELECT updated_at FROM purge_cursor), -1), coalesce((SELECT record_id FROM purge_cursor), ''))`;
// SQLite's planner must not take records_by_state (state, updated_at) and read the acknowledged
// rows without their ids in order; pinned to the partial index, which covers the walk.
const ACKNOWLEDGED_SQLITE = 'records INDEXED BY records_acknowledged';

/** How many acknowledged records older than the cutoff, past the cursor, still keep a payload (a dry run). */
export const countPurgeable = {
  sqlite: `SELECT count(*) AS n FROM ${ACKNOWLEDGED_SQLITE} WHERE state = 'acknowledged' AND updated_at < ? AND ${AFTER_CURSOR}
    AND EXISTS (SELECT 1 FROM record_payloads p WHERE p.record_id = records.id)`,
  postgres: `SELECT count(*) AS n FROM records r WHERE state = 'acknowledged' AND updated_at < $1 AND ${AFTER_CURSOR}
    AND EXISTS (SELECT 1 FROM record_payloads p WHERE p.record_id = r.id)`,
} as const;

// Moves the cursor to a batch's last record, never back (below).
const CURSOR_FORWARD = `ON CONFLICT (one) DO UPDATE SET updated_at = excluded.updated_at, record_id = excluded.record_id
  WHERE (purge_cursor.updated_at, purge_cursor.record_id) < (excluded.updated_at, excluded.record_id)`;

/**
 * One batch of the purge: the next `limit` acknowledged records past the cursor and older than the
 * cutoff lose their payload rows (if they still have them), and the cursor moves to the last of
 * them (never back: two replicas purging at once only delete the same rows twice). SQLite runs
 * the three steps in one transaction, PostgreSQL as one statement; both answer how many records
 * the batch walked over (fewer than `limit`: the purge is done) and how many payloads went.
 */
export const purgePayloads = {
  sqlite: {
    batch: `SELECT id, updated_at FROM ${ACKNOWLEDGED_SQLITE} WHERE state = 'acknowledged' AND updated_at < ? AND ${AFTER_CURSOR}
      ORDER BY updated_at, id LIMIT ?`,
    remove: 'DELETE FROM record_payloads WHERE record_id = ?',
    moveCursor: `INSERT INTO purge_cursor (one, updated_at, record_id) VALUES (1, ?, ?) ${CURSOR_FORWARD}`,
  },
  postgres: `WITH batch AS (
      SELECT id, updated_at FROM records WHERE state = 'acknowledged' AND updated_at < $1 AND ${AFTER_CURSOR}
      ORDER BY updated_at, id LIMIT $2),
    gone AS (DELETE FROM record_payloads p USING batch WHERE p.record_id = batch.id RETURNING 1),
    moved AS (INSERT INTO purge_cursor (one, updated_at, record_id)
      SELECT 1, updated_at, id FROM batch ORDER BY updated_at DESC, id DESC LIMIT 1 ${CURSOR_FORWARD})
    SELECT (SELECT count(*) FROM batch) AS walked, (SELECT count(*) FROM gone) AS purged`,
} as const;
