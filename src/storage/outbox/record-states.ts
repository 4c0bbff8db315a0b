// The states a record may be in: the rows of record_states (migration 7), which the schema
// checks every record against (a trigger in SQLite, a foreign key in PostgreSQL). They are
// written from RECORD_STATES at every start, so the code's list is the schema's: a state
// added in code is allowed from the next start on; one dropped from code while rows still
// use it stays (the rows are not orphaned), and a state the code never named is refused.

export const syncRecordStates = {
  sqlite: 'INSERT OR IGNORE INTO record_states (state) VALUES (?)',
  postgres: 'INSERT INTO record_states (state) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING',
} as const;
