import { PROGRESS_COLUMN, WAITING_STATES } from '../record-filter.js';

// The dashboard's progress per school, vendor or grade, and the totals per state: read from
// record_counts (migration 8), which triggers keep in step with the records, not counted over
// every record; on PostgreSQL plus the changes not yet folded into them (record_count_changes,
// its migration 11). The oldest waiting record per group is still read from the records, through
// their (group, state) index, but only the waiting ones: the queue, not the year.

const WAITING = WAITING_STATES.map((s) => `'${s}'`).join(', ');

export const progressCounts = {
  sqlite: `SELECT key AS k, state, n FROM record_counts WHERE grp = ? AND n <> 0`,
  postgres: `SELECT key AS k, state, sum(n) AS n FROM (
      SELECT key, state, n FROM record_counts WHERE grp = $1
      UNION ALL SELECT key, state, n FROM record_count_changes WHERE grp = $1) AS c
    GROUP BY key, state HAVING sum(n) <> 0`,
} as const;

/**
 * The oldest waiting record per group, from the group's partial index of waiting records
 * (migration 8): `group` is a PROGRESS_COLUMN key (never a caller's text). SQLite's planner took
 * records_by_state instead, looked up every waiting record's row and grouped them in a temporary
 * B-tree: 95 ms p99 at 2,000,000 records with 40,000 queued. Pinned there to the partial index,
 * which holds (group, created_at) in the GROUP BY's own order.
 */
const WAITING_INDEX = { school: 'records_waiting_by_school', vendor: 'records_waiting_by_vendor', grade: 'records_waiting_by_grade' } as const;
const oldestFrom = (col: string, from: string) => `SELECT ${col} AS k, min(created_at) AS t FROM ${from} WHERE state IN (${WAITING}) GROUP BY ${col}`;
export const oldestWaiting = {
  sqlite: (group: keyof typeof PROGRESS_COLUMN) => oldestFrom(PROGRESS_COLUMN[group], `records INDEXED BY ${WAITING_INDEX[group]}`),
  postgres: (group: keyof typeof PROGRESS_COLUMN) => oldestFrom(PROGRESS_COLUMN[group], 'records'),
} as const;

export const countByState = {
  sqlite: `SELECT state, sum(n) AS n FROM record_counts WHERE grp = 'vendor' GROUP BY state HAVING sum(n) <> 0`,
  postgres: `SELECT state, sum(n) AS n FROM (
      SELECT state, n FROM record_counts WHERE grp = 'vendor'
      UNION ALL SELECT state, n FROM record_count_changes WHERE grp = 'vendor') AS c
    GROUP BY state HAVING sum(n) <> 0`,
} as const;

/**
 * Records held for their student's personal ID, per group: the counters are per state, and a
 * `held` record waits either for signatures or for the ID (its last_code says which), which the
 * progress table tells apart. Held records are few (index records_held_by_key holds only them).
 */
const heldForIdFrom = (col: string) =>
  `SELECT ${col} AS k, count(*) AS n FROM records WHERE state = 'held' AND last_code = 'PERSONAL_ID_PENDING' AND kind = 'record' GROUP BY ${col}`;
export const heldForPersonalId = {
  sqlite: (group: keyof typeof PROGRESS_COLUMN) => heldForIdFrom(PROGRESS_COLUMN[group]),
  postgres: (group: keyof typeof PROGRESS_COLUMN) => heldForIdFrom(PROGRESS_COLUMN[group]),
} as const;

/** A counter's key back as the column's value: '' was a record without one. */
export const keyOfCounter = (k: unknown): string | null => (k === '' || k === null || k === undefined ? null : String(k));

/** PostgreSQL: the counters' appended changes moved into them (migration 11). */
export const foldCounts = { postgres: 'SELECT record_counts_fold()' } as const;
