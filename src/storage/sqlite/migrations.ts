// Numbered migrations. A migration that has shipped is never edited: add the next number.

export const MIGRATIONS: readonly { id: number; name: string; sql: string }[] = Object.freeze([
  {
    id: 1,
    name: 'outbox',
    sql: `
CREATE TABLE credentials (
  key_hash   TEXT PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('vendor', 'admin')),
  vendor     TEXT,
  created_at INTEGER NOT NULL
);

CREATE TABLE submissions (
  id              TEXT PRIMARY KEY,
  vendor          TEXT NOT NULL,
  idempotency_key TEXT,
  request_hash    TEXT NOT NULL,
  response        TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
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
  base_delay_ms      INTEGER NOT NULL,
  cap_delay_ms       INTEGER NOT NULL,
  next_attempt_at    INTEGER NOT NULL,
  lease_owner        TEXT,
  lease_until        INTEGER,
  last_code          TEXT,
  last_reason        TEXT,
  ministry_record_id TEXT,
  packet_id          TEXT,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
);
CREATE INDEX records_by_submission ON records (submission_id, idx);
CREATE INDEX records_due ON records (next_attempt_at) WHERE state IN ('queued', 'retry');
CREATE INDEX records_sending ON records (lease_until) WHERE state = 'sending';
CREATE INDEX records_by_state ON records (state, updated_at);

-- The attempt timeline: every state change with its time and reason, written by the database
-- itself so that no code path can forget it.
CREATE TABLE record_events (
  id         INTEGER PRIMARY KEY,
  record_id  TEXT NOT NULL,
  at         INTEGER NOT NULL,
  from_state TEXT,
  to_state   TEXT NOT NULL,
  code       TEXT,
  reason     TEXT
);
CREATE INDEX record_events_by_record ON record_events (record_id, id);

CREATE TRIGGER record_created AFTER INSERT ON records BEGIN
  INSERT INTO record_events (record_id, at, from_state, to_state, code, reason)
  VALUES (NEW.id, NEW.created_at, NULL, NEW.state, NEW.last_code, NEW.last_reason);
END;

CREATE TRIGGER record_state_changed AFTER UPDATE OF state ON records
WHEN OLD.state IS NOT NEW.state OR OLD.attempts IS NOT NEW.attempts BEGIN
  INSERT INTO record_events (record_id, at, from_state, to_state, code, reason)
  VALUES (NEW.id, NEW.updated_at, OLD.state, NEW.state, NEW.last_code, NEW.last_reason);
END;
`,
  },
  {
    id: 2,
    name: 'record version',
    // The gateway refuses a record whose version is not higher than the one it accepted for the
    // same record key, so it keeps each record's version and finds records by key. Rows written
    // before this migration get their version from their XML: in the canonical rendition the
    // first <version> element is the record's own (text cannot hold a literal "<").
    sql: `
ALTER TABLE records ADD COLUMN record_version INTEGER;
UPDATE records SET record_version = CAST(substr(record_xml, instr(record_xml, '<version>') + 9,
    instr(record_xml, '</version>') - instr(record_xml, '<version>') - 9) AS INTEGER)
  WHERE record_xml IS NOT NULL AND instr(record_xml, '<version>') > 0;
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
  {
    id: 4,
    name: 'retry window and fuller timeline',
    sql: `
ALTER TABLE records ADD COLUMN total_time_ms INTEGER;
ALTER TABLE records ADD COLUMN window_started_at INTEGER;
UPDATE records SET window_started_at = created_at;

-- Every record's timeline starts from 'received' (delivery/states.ts), and a lease taken over
-- from a worker that died is a change worth reading, even though the state stays 'sending'.
UPDATE record_events SET from_state = 'received' WHERE from_state IS NULL;
DROP TRIGGER record_created;
CREATE TRIGGER record_created AFTER INSERT ON records BEGIN
  INSERT INTO record_events (record_id, at, from_state, to_state, code, reason)
  VALUES (NEW.id, NEW.created_at, 'received', NEW.state, NEW.last_code, NEW.last_reason);
END;
DROP TRIGGER record_state_changed;
CREATE TRIGGER record_state_changed AFTER UPDATE ON records
WHEN OLD.state IS NOT NEW.state OR OLD.attempts IS NOT NEW.attempts
  OR (NEW.state = 'sending' AND OLD.lease_owner IS NOT NEW.lease_owner) BEGIN
  INSERT INTO record_events (record_id, at, from_state, to_state, code, reason)
  VALUES (NEW.id, NEW.updated_at, OLD.state, NEW.state, NEW.last_code, NEW.last_reason);
END;
`,
  },
  {
    id: 5,
    name: 'credential schools and record facets',
    // A vendor key names the schools it may submit for (the acceptance step refuses others), and
    // each record keeps what it is about, outside its XML, for that check and the province's
    // searches: school, learner ID, grade, class, school year and the submitting vendor. Rows
    // written before this migration get them from their canonical XML (text cannot hold a "<").
    sql: `
ALTER TABLE credentials ADD COLUMN schools TEXT;
ALTER TABLE records ADD COLUMN school_id TEXT;
ALTER TABLE records ADD COLUMN learner_id TEXT;
ALTER TABLE records ADD COLUMN grade INTEGER;
ALTER TABLE records ADD COLUMN class_name TEXT;
ALTER TABLE records ADD COLUMN school_year TEXT;
ALTER TABLE records ADD COLUMN vendor TEXT;
UPDATE records SET
  school_id = CASE WHEN instr(record_xml, '<schoolId>') > 0 THEN substr(record_xml, instr(record_xml, '<schoolId>') + 10,
    instr(record_xml, '</schoolId>') - instr(record_xml, '<schoolId>') - 10) END,
  learner_id = CASE WHEN instr(record_xml, '<learnerId>') > 0 THEN substr(record_xml, instr(record_xml, '<learnerId>') + 11,
    instr(record_xml, '</learnerId>') - instr(record_xml, '<learnerId>') - 11) END,
  vendor = (SELECT vendor FROM submissions WHERE submissions.id = records.submission_id)
  WHERE record_xml IS NOT NULL;
CREATE INDEX records_by_school ON records (school_id, state);
CREATE INDEX records_by_learner ON records (learner_id);
`,
  },
  {
    id: 6,
    name: 'credential lifecycle, audit log, search and retention indexes',
    // Credentials get an id (shown, revoked and rotated by it), a name, an admin role, an expiry,
    // a revocation time and, for the old key of a rotation, the end of its grace. Keys made before
    // get an id from their hash; the admin token of the demo becomes role admin. The audit log is
    // append-only: triggers refuse UPDATE and DELETE. Indexes: progress by vendor and by grade
    // (index-only GROUP BY, as records_by_school does for schools), the audit's filters, and the
    // acknowledged records whose payload the retention purge has still to clear (a row leaves
    // that partial index when purged, so each purge batch starts where the last one stopped).
    sql: `
ALTER TABLE credentials ADD COLUMN id TEXT;
ALTER TABLE credentials ADD COLUMN name TEXT;
ALTER TABLE credentials ADD COLUMN role TEXT;
ALTER TABLE credentials ADD COLUMN expires_at INTEGER;
ALTER TABLE credentials ADD COLUMN revoked_at INTEGER;
ALTER TABLE credentials ADD COLUMN grace_until INTEGER;
ALTER TABLE credentials ADD COLUMN replaced_by TEXT;
UPDATE credentials SET id = 'c_' || substr(key_hash, 1, 20),
  role = CASE WHEN kind = 'admin' THEN 'admin' END,
  name = CASE WHEN kind = 'admin' THEN 'admin' ELSE vendor END;
CREATE UNIQUE INDEX credentials_by_id ON credentials (id);

CREATE TABLE audit_log (
  id         INTEGER PRIMARY KEY,
  at         INTEGER NOT NULL,
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
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE INDEX records_by_vendor ON records (vendor, state);
CREATE INDEX submissions_by_vendor ON submissions (vendor, id);
CREATE INDEX records_by_grade ON records (grade, state);
CREATE INDEX records_payload_kept ON records (updated_at) WHERE state = 'acknowledged' AND (record_xml IS NOT NULL OR signed_xml IS NOT NULL);
`,
  },
  {
    id: 7,
    name: 'lean outbox: payloads stored once, states from the code',
    // Issue 16: a record's payload (canonical XML, signed document) moves out of the records row
    // into record_payloads, written once at acceptance and deleted by the retention purge, so a
    // state change rewrites a narrow row (about 0.5 KB) instead of one with 6 KB of XML in it;
    // new payloads are zlib-packed (payload.ts), older ones stay TEXT and read as they are.
    // payload_kept marks the rows whose payload the purge has still to clear (its partial index
    // replaces the one on the dropped columns). The states a record may be in are the rows of
    // record_states, which the gateway fills at every start from RECORD_STATES (delivery/
    // states.ts): the triggers refuse any other state, so the schema and the code keep one list.
    sql: `
CREATE TABLE record_payloads (
  record_id  TEXT PRIMARY KEY,
  record_xml BLOB,
  signed_xml BLOB
);
INSERT INTO record_payloads (record_id, record_xml, signed_xml)
  SELECT id, record_xml, signed_xml FROM records WHERE record_xml IS NOT NULL OR signed_xml IS NOT NULL;
ALTER TABLE records ADD COLUMN payload_kept INTEGER;
UPDATE records SET payload_kept = 1 WHERE record_xml IS NOT NULL OR signed_xml IS NOT NULL;
DROP INDEX records_payload_kept;
ALTER TABLE records DROP COLUMN record_xml;
ALTER TABLE records DROP COLUMN signed_xml;
CREATE INDEX records_payload_kept ON records (updated_at) WHERE state = 'acknowledged' AND payload_kept = 1;

CREATE TABLE record_states (state TEXT PRIMARY KEY);
INSERT INTO record_states (state) SELECT DISTINCT state FROM records;
CREATE TRIGGER records_state_known_insert BEFORE INSERT ON records
WHEN NOT EXISTS (SELECT 1 FROM record_states WHERE state = NEW.state) BEGIN
  SELECT RAISE(ABORT, 'unknown record state');
END;
CREATE TRIGGER records_state_known_update BEFORE UPDATE OF state ON records
WHEN NOT EXISTS (SELECT 1 FROM record_states WHERE state = NEW.state) BEGIN
  SELECT RAISE(ABORT, 'unknown record state');
END;
`,
  },
  {
    id: 8,
    name: 'progress counters',
    // The dashboard's progress by school, vendor or grade was a GROUP BY over every record: about
    // 0.35 s at 2,000,000 records (bench q). record_counts keeps the count of records per group
    // and state, written by triggers in the same transaction as the records (a row per school
    // and state: about 6,000 for a province), so the progress table reads those instead. A key
    // the record does not have is ''. Filled here from the rows written before.
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
  n     INTEGER NOT NULL,
  PRIMARY KEY (grp, key, state)
) WITHOUT ROWID;
INSERT INTO record_counts (grp, key, state, n)
  SELECT 'school', coalesce(school_id, ''), state, count(*) FROM records GROUP BY 2, 3
  UNION ALL SELECT 'vendor', coalesce(vendor, ''), state, count(*) FROM records GROUP BY 2, 3
  UNION ALL SELECT 'grade', coalesce(CAST(grade AS TEXT), ''), state, count(*) FROM records GROUP BY 2, 3;
CREATE TRIGGER record_counts_insert AFTER INSERT ON records BEGIN
  INSERT INTO record_counts (grp, key, state, n) VALUES ('school', coalesce(NEW.school_id, ''), NEW.state, 1)
    ON CONFLICT (grp, key, state) DO UPDATE SET n = n + 1;
  INSERT INTO record_counts (grp, key, state, n) VALUES ('vendor', coalesce(NEW.vendor, ''), NEW.state, 1)
    ON CONFLICT (grp, key, state) DO UPDATE SET n = n + 1;
  INSERT INTO record_counts (grp, key, state, n) VALUES ('grade', coalesce(CAST(NEW.grade AS TEXT), ''), NEW.state, 1)
    ON CONFLICT (grp, key, state) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER record_counts_state AFTER UPDATE OF state ON records WHEN OLD.state IS NOT NEW.state BEGIN
  UPDATE record_counts SET n = n - 1 WHERE grp = 'school' AND key = coalesce(OLD.school_id, '') AND state = OLD.state;
  UPDATE record_counts SET n = n - 1 WHERE grp = 'vendor' AND key = coalesce(OLD.vendor, '') AND state = OLD.state;
  UPDATE record_counts SET n = n - 1 WHERE grp = 'grade' AND key = coalesce(CAST(OLD.grade AS TEXT), '') AND state = OLD.state;
  INSERT INTO record_counts (grp, key, state, n) VALUES ('school', coalesce(NEW.school_id, ''), NEW.state, 1)
    ON CONFLICT (grp, key, state) DO UPDATE SET n = n + 1;
  INSERT INTO record_counts (grp, key, state, n) VALUES ('vendor', coalesce(NEW.vendor, ''), NEW.state, 1)
    ON CONFLICT (grp, key, state) DO UPDATE SET n = n + 1;
  INSERT INTO record_counts (grp, key, state, n) VALUES ('grade', coalesce(CAST(NEW.grade AS TEXT), ''), NEW.state, 1)
    ON CONFLICT (grp, key, state) DO UPDATE SET n = n + 1;
END;
`,
  },
  {
    id: 9,
    name: 'lookup code',
    // The public lookup (issue 15 item 12) finds a record book by its mã số tra cứu. Records stored
    // before this migration keep NULL: their payloads are packed and cannot be read here.
    sql: `
ALTER TABLE records ADD COLUMN lookup_code TEXT;
CREATE INDEX records_by_lookup ON records (lookup_code) WHERE lookup_code IS NOT NULL;
`,
  },
  {
    id: 10,
    name: 'dead records by code',
    // Dead records refused with one code, newest first (the dashboard's dead list filtered by
    // code): records_by_state read every dead record and sorted them by id, 174 ms p99 at
    // 2,000,000 records (2% dead). A partial index in the listing's own order.
    sql: `
CREATE INDEX records_dead_by_code ON records (last_code, id) WHERE state = 'dead';
`,
  },
  {
    id: 11,
    name: 'progress counters by appended changes (PostgreSQL only)',
    // PostgreSQL's migration 11 moved its counters' changes to an appended table, because there
    // concurrent transactions contended for the counter rows; SQLite has one writer at a time, so
    // here there is nothing to do. The number is kept so that both stores count alike.
    sql: '',
  },
  {
    id: 12,
    name: 'dead records by school',
    // Dead records of one school, newest first (the dashboard's dead list filtered by school):
    // records_by_school found them, then they were sorted by id. A school with 2,000 dead records
    // (bench q: the schools that have any have that many) read and sorted all 2,000 for a page of
    // 100: 90.7 ms p99 on PostgreSQL at 2,000,000 records, 19.4 ms here. A partial index in the
    // listing's own order, as migration 10's by code.
    sql: `
CREATE INDEX records_dead_by_school ON records (school_id, id) WHERE state = 'dead';
`,
  },
  {
    id: 13,
    name: 'withdrawals as events',
    // Issue 15 item 10: the withdrawal of a record book the Ministry holds is a row of its own
    // (kind 'withdrawal', sent as a CANCEL) that goes through the queue as a record does. The
    // progress counters count record books, not withdrawals, so their triggers pass those over.
    // The kinds are the list of packet/events.ts (RECORD_KINDS), written here as they stood.
    sql: `
ALTER TABLE records ADD COLUMN kind TEXT NOT NULL DEFAULT 'record' CHECK (kind IN ('record', 'withdrawal'));
DROP TRIGGER record_counts_insert;
CREATE TRIGGER record_counts_insert AFTER INSERT ON records WHEN NEW.kind = 'record' BEGIN
  INSERT INTO record_counts (grp, key, state, n) VALUES ('school', coalesce(NEW.school_id, ''), NEW.state, 1)
    ON CONFLICT (grp, key, state) DO UPDATE SET n = n + 1;
  INSERT INTO record_counts (grp, key, state, n) VALUES ('vendor', coalesce(NEW.vendor, ''), NEW.state, 1)
    ON CONFLICT (grp, key, state) DO UPDATE SET n = n + 1;
  INSERT INTO record_counts (grp, key, state, n) VALUES ('grade', coalesce(CAST(NEW.grade AS TEXT), ''), NEW.state, 1)
    ON CONFLICT (grp, key, state) DO UPDATE SET n = n + 1;
END;
DROP TRIGGER record_counts_state;
CREATE TRIGGER record_counts_state AFTER UPDATE OF state ON records WHEN OLD.state IS NOT NEW.state AND NEW.kind = 'record' BEGIN
  UPDATE record_counts SET n = n - 1 WHERE grp = 'school' AND key = coalesce(OLD.school_id, '') AND state = OLD.state;
  UPDATE record_counts SET n = n - 1 WHERE grp = 'vendor' AND key = coalesce(OLD.vendor, '') AND state = OLD.state;
  UPDATE record_counts SET n = n - 1 WHERE grp = 'grade' AND key = coalesce(CAST(OLD.grade AS TEXT), '') AND state = OLD.state;
  INSERT INTO record_counts (grp, key, state, n) VALUES ('school', coalesce(NEW.school_id, ''), NEW.state, 1)
    ON CONFLICT (grp, key, state) DO UPDATE SET n = n + 1;
  INSERT INTO record_counts (grp, key, state, n) VALUES ('vendor', coalesce(NEW.vendor, ''), NEW.state, 1)
    ON CONFLICT (grp, key, state) DO UPDATE SET n = n + 1;
  INSERT INTO record_counts (grp, key, state, n) VALUES ('grade', coalesce(CAST(NEW.grade AS TEXT), ''), NEW.state, 1)
    ON CONFLICT (grp, key, state) DO UPDATE SET n = n + 1;
END;
`,
  },
  {
    id: 14,
    name: 'progress counters added per submission',
    // The insert trigger added each new record to record_counts with three upserts of its own:
    // about 12 of the event loop's 75-86 µs per record in a 500-record submission (measured with
    // the trigger dropped, alternated runs). SQLite has no statement-level triggers, so the one
    // insert of a submission's records adds their counts itself, with one statement over the
    // rows it has just written (outbox/record-counts.ts), as PostgreSQL's statement trigger adds
    // a submission's in one go. State changes keep their trigger (record_counts_state).
    sql: `
DROP TRIGGER record_counts_insert;
`,
  },
  {
    id: 15,
    name: 'purge by cursor',
    // The retention purge walks the acknowledged records from a cursor and deletes their payload
    // rows without writing the records (outbox/payloads.ts): on PostgreSQL clearing payload_kept
    // made every purged record a new version in all its indexes. payload_kept stays as it is
    // written (1: the record was accepted with a payload) and is no longer read; dropping it would
    // rewrite the whole records table here.
    sql: `
DROP INDEX records_payload_kept;
CREATE INDEX records_acknowledged ON records (updated_at, id) WHERE state = 'acknowledged';
CREATE TABLE purge_cursor (
  one        INTEGER PRIMARY KEY CHECK (one = 1),
  updated_at INTEGER NOT NULL,
  record_id  TEXT NOT NULL
);
`,
  },
]);
