// Numbered migrations for PostgreSQL, run at start inside one transaction under an advisory
// lock, so replicas starting together apply each exactly once. A migration that has shipped is
// never edited: add the next number. Times are milliseconds since the epoch (BIGINT), as in the
// SQLite backend, so both speak the same Store contract.

export const MIGRATIONS: readonly { id: number; name: string; sql: string }[] = Object.freeze([
  {
    id: 1,
    name: 'outbox',
    sql: `
CREATE TABLE credentials (
  key_hash   TEXT PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('vendor', 'admin')),
  vendor     TEXT,
  created_at BIGINT NOT NULL
);

CREATE TABLE submissions (
  id              TEXT PRIMARY KEY,
  vendor          TEXT NOT NULL,
  idempotency_key TEXT,
  request_hash    TEXT NOT NULL,
  -- TEXT, not JSONB: an idempotent replay answers the very bytes of the first answer.
  response        TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  -- Two replicas racing on one Idempotency-Key: the second insert waits for the first to
  -- commit, then fails here, and the loser answers what the winner stored.
  UNIQUE (vendor, idempotency_key)
);

CREATE TABLE records (
  id                 TEXT PRIMARY KEY,
  submission_id      TEXT NOT NULL REFERENCES submissions(id),
  idx                INTEGER NOT NULL,
  record_key         TEXT,
  content_hash       TEXT,
  record_xml         TEXT,
  state              TEXT NOT NULL,
  errors             TEXT,
  attempts           INTEGER NOT NULL DEFAULT 0,
  max_attempts       INTEGER NOT NULL,
  base_delay_ms      BIGINT NOT NULL,
  cap_delay_ms       BIGINT NOT NULL,
  total_time_ms      BIGINT,
  window_started_at  BIGINT NOT NULL,
  -- When the record may be claimed: for queued and retry records their due time, for a
  -- sending one the end of its lease (so one index finds both kinds of work).
  next_attempt_at    BIGINT NOT NULL,
  lease_owner        TEXT,
  lease_until        BIGINT,
  last_code          TEXT,
  last_reason        TEXT,
  ministry_record_id TEXT,
  packet_id          TEXT,
  created_at         BIGINT NOT NULL,
  updated_at         BIGINT NOT NULL
);
CREATE INDEX records_by_submission ON records (submission_id, idx);
CREATE INDEX records_due ON records (next_attempt_at) WHERE state IN ('queued', 'retry', 'sending');
CREATE INDEX records_by_state ON records (state, updated_at);
CREATE INDEX records_by_code ON records (last_code, updated_at);

-- The attempt timeline, written by the database itself so that no code path can forget it.
CREATE TABLE record_events (
  id         BIGSERIAL PRIMARY KEY,
  record_id  TEXT NOT NULL,
  at         BIGINT NOT NULL,
  from_state TEXT,
  to_state   TEXT NOT NULL,
  code       TEXT,
  reason     TEXT
);
CREATE INDEX record_events_by_record ON record_events (record_id, id);

CREATE FUNCTION record_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO record_events (record_id, at, from_state, to_state, code, reason)
    VALUES (NEW.id, NEW.created_at, 'received', NEW.state, NEW.last_code, NEW.last_reason);
  ELSIF OLD.state IS DISTINCT FROM NEW.state OR OLD.attempts IS DISTINCT FROM NEW.attempts
     OR (NEW.state = 'sending' AND OLD.lease_owner IS DISTINCT FROM NEW.lease_owner) THEN
    INSERT INTO record_events (record_id, at, from_state, to_state, code, reason)
    VALUES (NEW.id, NEW.updated_at, OLD.state, NEW.state, NEW.last_code, NEW.last_reason);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER record_created AFTER INSERT ON records FOR EACH ROW EXECUTE FUNCTION record_event();
CREATE TRIGGER record_changed AFTER UPDATE ON records FOR EACH ROW EXECUTE FUNCTION record_event();
`,
  },
  // 2 and 3 mirror the SQLite migrations of the same numbers.
  {
    id: 2,
    name: 'record version',
    // The gateway refuses a record whose version is not higher than the one it accepted for the
    // same record key, so it keeps each record's version and finds records by key. (Every
    // PostgreSQL outbox starts at migration 1 of this file, so there are no older rows to fill.)
    sql: `
ALTER TABLE records ADD COLUMN record_version INTEGER;
CREATE INDEX records_by_key ON records (record_key, record_version);
`,
  },
  {
    id: 3,
    name: 'record signatures',
    sql: `
-- Signed records (POST /v1/signed-records): the verdict on each signature, and the signed
-- document as received, kept as evidence.
ALTER TABLE records ADD COLUMN signatures TEXT;
ALTER TABLE records ADD COLUMN signed_xml TEXT;
CREATE INDEX records_held_by_key ON records (record_key) WHERE state = 'held';
`,
  },
  // 5 mirrors the SQLite migration of the same number (SQLite's 4 was folded into 1 here).
  {
    id: 5,
    name: 'credential schools and record facets',
    sql: `
ALTER TABLE credentials ADD COLUMN schools TEXT;
ALTER TABLE records ADD COLUMN school_id TEXT;
ALTER TABLE records ADD COLUMN learner_id TEXT;
ALTER TABLE records ADD COLUMN grade INTEGER;
ALTER TABLE records ADD COLUMN class_name TEXT;
ALTER TABLE records ADD COLUMN school_year TEXT;
ALTER TABLE records ADD COLUMN vendor TEXT;
UPDATE records SET
  school_id = substring(record_xml from '<schoolId>([^<]*)</schoolId>'),
  learner_id = substring(record_xml from '<learnerId>([^<]*)</learnerId>'),
  vendor = (SELECT vendor FROM submissions WHERE submissions.id = records.submission_id)
  WHERE record_xml IS NOT NULL;
CREATE INDEX records_by_school ON records (school_id, state);
CREATE INDEX records_by_learner ON records (learner_id);
`,
  },
  // 6 mirrors the SQLite migration of the same number.
  {
    id: 6,
    name: 'credential lifecycle, audit log, search and retention indexes',
    sql: `
ALTER TABLE credentials ADD COLUMN id TEXT;
ALTER TABLE credentials ADD COLUMN name TEXT;
ALTER TABLE credentials ADD COLUMN role TEXT;
ALTER TABLE credentials ADD COLUMN expires_at BIGINT;
ALTER TABLE credentials ADD COLUMN revoked_at BIGINT;
ALTER TABLE credentials ADD COLUMN grace_until BIGINT;
ALTER TABLE credentials ADD COLUMN replaced_by TEXT;
UPDATE credentials SET id = 'c_' || substr(key_hash, 1, 20),
  role = CASE WHEN kind = 'admin' THEN 'admin' END,
  name = CASE WHEN kind = 'admin' THEN 'admin' ELSE vendor END;
CREATE UNIQUE INDEX credentials_by_id ON credentials (id);

CREATE TABLE audit_log (
  id         BIGSERIAL PRIMARY KEY,
  at         BIGINT NOT NULL,
  actor_id   TEXT,
  actor_name TEXT,
  role       TEXT,
  action     TEXT NOT NULL,
  target     TEXT,
  count      INTEGER,
  reason     TEXT,
  source     TEXT,
  via        TEXT NOT NULL
);
CREATE INDEX audit_by_action ON audit_log (action, id);
CREATE INDEX audit_by_actor ON audit_log (actor_id, id);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE INDEX records_by_vendor ON records (vendor, state);
CREATE INDEX submissions_by_vendor ON submissions (vendor, id);
CREATE INDEX records_by_grade ON records (grade, state);
CREATE INDEX records_payload_kept ON records (updated_at) WHERE state = 'acknowledged' AND (record_xml IS NOT NULL OR signed_xml IS NOT NULL);
`,
  },
  {
    id: 7,
    name: 'lean outbox: payloads stored once, states from the code',
    // As SQLite's migration 7: payloads in record_payloads (BYTEA: zlib-packed, or the UTF-8 of
    // an older row, told apart by the first byte), written once and deleted by the purge;
    // payload_kept and its partial index for the purge; record_states, filled at every start
    // from RECORD_STATES, referenced by records.state, so the schema refuses any other state.
    sql: `
CREATE TABLE record_payloads (
  record_id  TEXT PRIMARY KEY,
  record_xml BYTEA,
  signed_xml BYTEA
);
INSERT INTO record_payloads (record_id, record_xml, signed_xml)
  SELECT id, convert_to(record_xml, 'UTF8'), convert_to(signed_xml, 'UTF8') FROM records
  WHERE record_xml IS NOT NULL OR signed_xml IS NOT NULL;
ALTER TABLE records ADD COLUMN payload_kept SMALLINT;
UPDATE records SET payload_kept = 1 WHERE record_xml IS NOT NULL OR signed_xml IS NOT NULL;
DROP INDEX records_payload_kept;
ALTER TABLE records DROP COLUMN record_xml, DROP COLUMN signed_xml;
CREATE INDEX records_payload_kept ON records (updated_at) WHERE state = 'acknowledged' AND payload_kept = 1;

CREATE TABLE record_states (state TEXT PRIMARY KEY);
INSERT INTO record_states (state) SELECT DISTINCT state FROM records;
ALTER TABLE records ADD CONSTRAINT records_state_known FOREIGN KEY (state) REFERENCES record_states (state);
`,
  },
  {
    id: 8,
    name: 'progress counters',
    // As SQLite's migration 8: record_counts per group and state, kept by triggers in the records'
    // own transactions. Here the triggers run once per statement over its transition tables and
    // apply the summed changes in key order, so two transactions that touch the same schools
    // (two replicas acknowledging packets) take the counter rows' locks in the same order and
    // cannot deadlock on them; a statement that changes no state (a lease renewal) adds nothing.
    sql: `
-- The oldest waiting record per group (the other half of the progress table) reads only the
-- waiting records, through these.
CREATE INDEX records_waiting_by_school ON records (school_id, created_at) WHERE state IN ('queued', 'retry', 'sending');
CREATE INDEX records_waiting_by_vendor ON records (vendor, created_at) WHERE state IN ('queued', 'retry', 'sending');
CREATE INDEX records_waiting_by_grade ON records (grade, created_at) WHERE state IN ('queued', 'retry', 'sending');
CREATE TABLE record_counts (
  grp   TEXT NOT NULL CHECK (grp IN ('school', 'vendor', 'grade')),
  key   TEXT NOT NULL,
  state TEXT NOT NULL,
  n     BIGINT NOT NULL,
  PRIMARY KEY (grp, key, state)
);
INSERT INTO record_counts (grp, key, state, n)
  SELECT 'school', coalesce(school_id, ''), state, count(*) FROM records GROUP BY 2, 3
  UNION ALL SELECT 'vendor', coalesce(vendor, ''), state, count(*) FROM records GROUP BY 2, 3
  UNION ALL SELECT 'grade', coalesce(grade::text, ''), state, count(*) FROM records GROUP BY 2, 3;
CREATE FUNCTION record_counts_add(changes record_counts[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO record_counts (grp, key, state, n)
    SELECT grp, key, state, sum(n) FROM unnest(changes) GROUP BY grp, key, state HAVING sum(n) <> 0 ORDER BY grp, key, state
  ON CONFLICT (grp, key, state) DO UPDATE SET n = record_counts.n + EXCLUDED.n
$$;
CREATE FUNCTION record_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM record_counts_add(ARRAY(
    SELECT ROW('school', coalesce(school_id, ''), state, 1)::record_counts FROM new_rows
    UNION ALL SELECT ROW('vendor', coalesce(vendor, ''), state, 1)::record_counts FROM new_rows
    UNION ALL SELECT ROW('grade', coalesce(grade::text, ''), state, 1)::record_counts FROM new_rows));
  RETURN NULL;
END
$$;
CREATE FUNCTION record_counts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM record_counts_add(ARRAY(
    SELECT ROW(g, k, s, d)::record_counts FROM (
      SELECT 'school' AS g, coalesce(school_id, '') AS k, state AS s, 1 AS d FROM new_rows
      UNION ALL SELECT 'vendor', coalesce(vendor, ''), state, 1 FROM new_rows
      UNION ALL SELECT 'grade', coalesce(grade::text, ''), state, 1 FROM new_rows
      UNION ALL SELECT 'school', coalesce(school_id, ''), state, -1 FROM old_rows
      UNION ALL SELECT 'vendor', coalesce(vendor, ''), state, -1 FROM old_rows
      UNION ALL SELECT 'grade', coalesce(grade::text, ''), state, -1 FROM old_rows) AS c));
  RETURN NULL;
END
$$;
CREATE TRIGGER record_counts_insert AFTER INSERT ON records REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION record_counts_inserted();
CREATE TRIGGER record_counts_update AFTER UPDATE ON records REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION record_counts_updated();
`,
  },
  {
    id: 9,
    name: 'lookup code',
    // As SQLite's migration 9.
    sql: `
ALTER TABLE records ADD COLUMN lookup_code TEXT;
CREATE INDEX records_by_lookup ON records (lookup_code) WHERE lookup_code IS NOT NULL;
`,
  },
  {
    id: 10,
    name: 'dead records by code',
    // As SQLite's migration 10.
    sql: `
CREATE INDEX records_dead_by_code ON records (last_code, id) WHERE state = 'dead';
`,
  },
  {
    id: 11,
    name: 'progress counters by appended changes',
    // PostgreSQL only (SQLite has one writer at a time, so its counters cannot be contended).
    // With migration 8 every transaction that added or changed records updated the counter rows
    // of its vendor, school and grade in place, and held their row locks until it committed:
    // concurrent submissions of one vendor queued behind each other's commit (fsync included),
    // so at 100 single submissions a second the p99 was 100-285 ms in bursts of waits for a
    // ShareLock on the previous transaction (log_lock_waits), not in any statement's own work.
    // Now the triggers append their summed changes to record_count_changes, which no two
    // transactions contend for; readers add the changes to the counters, and record_counts_fold()
    // (the store calls it every few seconds) moves the changes into the counters in key order.
    // Two folds at once do not count a change twice: the second's DELETE skips the rows the first
    // deleted.
    sql: `
CREATE TABLE record_count_changes (
  id    BIGSERIAL PRIMARY KEY,
  grp   TEXT NOT NULL,
  key   TEXT NOT NULL,
  state TEXT NOT NULL,
  n     BIGINT NOT NULL
);
CREATE OR REPLACE FUNCTION record_counts_add(changes record_counts[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO record_count_changes (grp, key, state, n)
    SELECT grp, key, state, sum(n) FROM unnest(changes) GROUP BY grp, key, state HAVING sum(n) <> 0
$$;
CREATE FUNCTION record_counts_fold() RETURNS void LANGUAGE sql AS $$
  WITH moved AS (DELETE FROM record_count_changes RETURNING grp, key, state, n)
  INSERT INTO record_counts (grp, key, state, n)
    SELECT grp, key, state, sum(n) FROM moved GROUP BY grp, key, state HAVING sum(n) <> 0 ORDER BY grp, key, state
  ON CONFLICT (grp, key, state) DO UPDATE SET n = record_counts.n + EXCLUDED.n
$$;
`,
  },
  {
    id: 12,
    name: 'dead records by school',
    // As SQLite's migration 12.
    sql: `
CREATE INDEX records_dead_by_school ON records (school_id, id) WHERE state = 'dead';
`,
  },
  {
    id: 13,
    name: 'withdrawals as events',
    // As SQLite's migration 13: withdrawal rows, which the progress counters pass over.
    sql: `
ALTER TABLE records ADD COLUMN kind TEXT NOT NULL DEFAULT 'record' CHECK (kind IN ('record', 'withdrawal'));
CREATE OR REPLACE FUNCTION record_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM record_counts_add(ARRAY(
    SELECT ROW('school', coalesce(school_id, ''), state, 1)::record_counts FROM new_rows WHERE kind = 'record'
    UNION ALL SELECT ROW('vendor', coalesce(vendor, ''), state, 1)::record_counts FROM new_rows WHERE kind = 'record'
    UNION ALL SELECT ROW('grade', coalesce(grade::text, ''), state, 1)::record_counts FROM new_rows WHERE kind = 'record'));
  RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION record_counts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM record_counts_add(ARRAY(
    SELECT ROW(g, k, s, d)::record_counts FROM (
      SELECT 'school' AS g, coalesce(school_id, '') AS k, state AS s, 1 AS d FROM new_rows WHERE kind = 'record'
      UNION ALL SELECT 'vendor', coalesce(vendor, ''), state, 1 FROM new_rows WHERE kind = 'record'
      UNION ALL SELECT 'grade', coalesce(grade::text, ''), state, 1 FROM new_rows WHERE kind = 'record'
      UNION ALL SELECT 'school', coalesce(school_id, ''), state, -1 FROM old_rows WHERE kind = 'record'
      UNION ALL SELECT 'vendor', coalesce(vendor, ''), state, -1 FROM old_rows WHERE kind = 'record'
      UNION ALL SELECT 'grade', coalesce(grade::text, ''), state, -1 FROM old_rows WHERE kind = 'record') AS c));
  RETURN NULL;
END
$$;
`,
  },
  {
    id: 14,
    name: 'progress counters added per submission (SQLite only)',
    // SQLite's migration 14 counts a submission's new records with one statement instead of a
    // trigger per row; here the insert trigger has run once per statement since migration 8 (a
    // submission's records are one INSERT), so there is nothing to do. The number is kept so that
    // both stores count alike.
    sql: '',
  },
  {
    id: 15,
    name: 'purge by cursor',
    // As SQLite's migration 15.
    sql: `
DROP INDEX records_payload_kept;
CREATE INDEX records_acknowledged ON records (updated_at, id) WHERE state = 'acknowledged';
CREATE TABLE purge_cursor (
  one        SMALLINT PRIMARY KEY CHECK (one = 1),
  updated_at BIGINT NOT NULL,
  record_id  TEXT NOT NULL
);
`,
  },
]);
