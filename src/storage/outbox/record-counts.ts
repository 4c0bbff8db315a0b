// Adding a submission's new records to the progress counters (record_counts: per school, vendor
// and grade, and state), counted over the rows just written: withdrawals are not record books and
// are left out, as the state trigger leaves them out. SQLite runs it after inserting a
// submission's records, in the same transaction (its migration 14); on PostgreSQL the statement
// trigger on records does the same for the one INSERT that writes them (record_counts_inserted,
// its migrations 8, 11 and 13).

export const countInserted = {
  sqlite: `INSERT INTO record_counts (grp, key, state, n)
    SELECT grp, key, state, n FROM (
      SELECT 'school' AS grp, coalesce(school_id, '') AS key, state, count(*) AS n FROM records
        WHERE submission_id = @submission AND kind = 'record' GROUP BY 2, 3
      UNION ALL SELECT 'vendor', coalesce(vendor, ''), state, count(*) FROM records
        WHERE submission_id = @submission AND kind = 'record' GROUP BY 2, 3
      UNION ALL SELECT 'grade', coalesce(CAST(grade AS TEXT), ''), state, count(*) FROM records
        WHERE submission_id = @submission AND kind = 'record' GROUP BY 2, 3)
    WHERE true
    ON CONFLICT (grp, key, state) DO UPDATE SET n = n + excluded.n`,
  postgres: null,
} as const;
