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
]);
