import { WAITING_STATES } from '../record-filter.js';

// The dashboard's progress per school, vendor or grade, and the totals per state: read from
// record_counts (migration 8), which triggers keep in step with the records, not counted over
// every record. The oldest waiting record per group is still read from the records, through
// their (group, state) index, but only the waiting ones: the queue, not the year.

const WAITING = WAITING_STATES.map((s) => `'${s}'`).join(', ');

export const progressCounts = {
  sqlite: `SELECT key AS k, state, n FROM record_counts WHERE grp = ? AND n <> 0`,
  postgres: `SELECT key AS k, state, n FROM record_counts WHERE grp = $1 AND n <> 0`,
} as const;

/** The oldest waiting record per group: `col` is one of PROGRESS_COLUMN's (never from a caller). */
export const oldestWaiting = (col: string) => `SELECT ${col} AS k, min(created_at) AS t FROM records WHERE state IN (${WAITING}) GROUP BY ${col}`;

export const countByState = {
  sqlite: `SELECT state, sum(n) AS n FROM record_counts WHERE grp = 'vendor' GROUP BY state HAVING sum(n) <> 0`,
  postgres: `SELECT state, sum(n) AS n FROM record_counts WHERE grp = 'vendor' GROUP BY state HAVING sum(n) <> 0`,
} as const;

/** A counter's key back as the column's value: '' was a record without one. */
export const keyOfCounter = (k: unknown): string | null => (k === '' || k === null || k === undefined ? null : String(k));
