import type { LookupRow } from './outbox/lookup.js';
import type { RecordState } from '../delivery/states.js';
import type { HoldCode } from './outbox/first-event.js';
import type { PacketEvent, RecordKind } from '../packet/events.js';

// The storage seam. One folder per backend (sqlite/, postgres/); the route handlers and the
// delivery worker see only this interface, and test/storage-contract.test.ts holds every backend
// to it. Every state change is one statement, guarded by the lease so that a record is never in
// flight from two workers at once, and the database itself writes each change to the timeline.

/** What an admin account may do: viewer reads; operator also replays and cancels; admin also manages credentials and reloads keys. */
export type AdminRole = 'viewer' | 'operator' | 'admin';

export interface Credential {
  /** Shown, revoked and rotated by this id (never the key); set by the store when absent on add. */
  id?: string;
  /** Admin accounts only: what the account may do. */
  role?: AdminRole | null;
  /** Who holds it (a person for admins, a label for vendor keys). */
  name?: string | null;
  createdAt?: number;
  /** Epoch ms after which the key stops working; null: no expiry. */
  expiresAt?: number | null;
  revokedAt?: number | null;
  /** The old key of a rotation works until then. */
  graceUntil?: number | null;
  /** The credential that replaced this one in a rotation. */
  replacedBy?: string | null;
  kind: 'vendor' | 'admin';
  vendor: string | null;
  /**
   * The schools (Ministry school IDs) a vendor key may submit for; the acceptance step refuses a
   * record of any other school (SCHOOL_NOT_AUTHORISED). null: any school of the province (keys
   * made before credentials named their schools).
   */
  schools: string[] | null;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  capDelayMs: number;
  /** How long a record may keep failing (from acceptance or its last replay) before it goes dead; null: no limit. */
  totalTimeMs?: number | null;
}

export interface NewRecord {
  id: string;
  index: number;
  recordKey: string | null;
  /** The record's own `version` (column record_version); null for a record rejected before it had one. */
  version: number | null;
  contentHash: string | null;
  recordXml: string | null;
  /** `recordXml` packed for storage (payload.ts), when the intake step has packed it already (off the event loop). */
  payload?: Uint8Array | null;
  state: 'queued' | 'rejected' | 'held';
  /** Held records: what they wait for (default SIGNATURES_INCOMPLETE). */
  holdCode?: HoldCode;
  errors: unknown[] | null;
  /** Signed records only: which signatures the record carries and whether each holds. */
  signatures?: unknown[] | null;
  /** Signed records only: the signed document as received (kept as evidence). */
  signedXml?: string | null;
  /** What the record is about, from its content (null when it could not be read): for authority and searches. */
  schoolId?: string | null;
  learnerId?: string | null;
  grade?: number | null;
  className?: string | null;
  schoolYear?: string | null;
  /** The record book's mã số tra cứu: the public lookup finds it by this (issue 15 item 12). */
  lookupCode?: string | null;
  /** Set by the acceptance step: refused in a way that stores nothing of it (another school's record). */
  notStored?: boolean;
}

export interface NewSubmission {
  id: string;
  vendor: string;
  idempotencyKey: string | null;
  requestHash: string;
  response: unknown;
  createdAt: number;
}

/** One batch of the retention purge: the records it walked over, and the payloads it deleted. */
export interface PurgeBatch {
  walked: number;
  purged: number;
}

export interface StoredSubmission {
  id: string;
  vendor: string;
  idempotencyKey: string | null;
  requestHash: string;
  response: unknown;
  createdAt: number;
}

export interface RecordRow {
  id: string;
  /** A record book's version, or the withdrawal of one (packet/events.ts). */
  kind: RecordKind;
  submissionId: string;
  index: number;
  recordKey: string | null;
  contentHash: string | null;
  state: RecordState;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: number;
  lastCode: string | null;
  lastReason: string | null;
  ministryRecordId: string | null;
  packetId: string | null;
  errors: unknown[] | null;
  signatures: unknown[] | null;
  createdAt: number;
  updatedAt: number;
  schoolId?: string | null;
  vendor?: string | null;
  learnerId?: string | null;
  grade?: number | null;
  className?: string | null;
}

export interface ClaimedRecord {
  id: string;
  recordKey: string;
  contentHash: string;
  recordXml: string;
  /** Attempts so far, this one included: an attempt is counted when its record is claimed. */
  attempts: number;
  maxAttempts: number;
  baseDelayMs: number;
  capDelayMs: number;
  totalTimeMs: number | null;
  /** When the record's retry window opened: its acceptance, or its last replay. */
  windowStartedAt: number;
  /** What it does to the Ministry's copy, decided at the claim (packet/events.ts). */
  event: PacketEvent;
}

export interface RecordEvent {
  at: number;
  fromState: RecordState | null;
  toState: RecordState;
  code: string | null;
  reason: string | null;
}

export interface RecordFilter {
  state?: RecordState;
  /** Any of these states (intersected with `state` when both are given). */
  states?: readonly RecordState[];
  submissionId?: string;
  code?: string;
  school?: string;
  vendor?: string;
  learnerId?: string;
  recordKey?: string;
  className?: string;
  grade?: number;
  /** Time range, epoch ms, inclusive, on `timeField` (default updatedAt). */
  from?: number;
  to?: number;
  timeField?: 'updatedAt' | 'createdAt';
  /** Paging: only records whose id sorts before this one (ids are UUIDv7: newest first). */
  beforeId?: string;
  limit?: number;
}

/** A row of the audit log (append-only). */
export interface AuditEntry {
  id: number;
  at: number;
  actorId: string | null;
  actorName: string | null;
  role: string | null;
  action: string;
  /** What was acted on: ids or the filter, as JSON text. */
  target: string | null;
  count: number | null;
  reason: string | null;
  source: string | null;
  via: 'api' | 'cli' | 'page';
}
export type NewAuditEntry = Omit<AuditEntry, 'id'>;

export interface AuditFilter {
  action?: string;
  actorId?: string;
  from?: number;
  to?: number;
  beforeId?: number;
  limit: number;
}

/** Per group (school, vendor or grade): records by state, and the oldest created_at among queued ones. */
export interface ProgressRow {
  key: string | null;
  counts: Record<string, number>;
  oldestQueuedAt: number | null;
  /** Of the `held` records, those waiting for their student's personal ID (not for signatures). */
  heldForPersonalId?: number;
}

export interface Ack {
  id: string;
  ministryRecordId: string | null;
  code: string; // 'accepted' | 'duplicate'
  /** The acknowledged row is a withdrawal: the versions it withdraws become `withdrawn`. */
  withdrawal?: boolean;
}

/** A record book's withdrawal, asked for by its vendor or an operator (issue 15 item 10). */
export interface WithdrawRequest {
  /** Any stored version of the record book. */
  recordId: string;
  reason: string;
  now: number;
  /** Ids of the withdrawal's submission and row (randomness passed in). */
  submissionId: string;
  withdrawalId: string;
  policy: RetryPolicy;
}

export type WithdrawOutcome =
  /** No record book under that id (or a rejected record, which has none). */
  | { kind: 'not-found' }
  /** A version or withdrawal of the book is being sent right now: ask again shortly. */
  | { kind: 'in-flight' }
  /** A withdrawal of the book already waits to be sent. */
  | { kind: 'pending'; withdrawalId: string }
  /** Nothing reached the Ministry and nothing waits: nothing to withdraw. */
  | { kind: 'nothing' }
  /** Nothing reached the Ministry: the versions waiting to be sent were cancelled, nothing is sent. */
  | { kind: 'cancelled'; recordKey: string; cancelled: number }
  /** The withdrawal of the version the Ministry holds is queued (and unsent versions cancelled). */
  | { kind: 'queued'; recordKey: string; withdrawalId: string; withdrawnVersion: number; version: number; cancelled: number };

export interface Outcome {
  id: string;
  code: string;
  reason: string;
}

/** The highest version this gateway has accepted for one record key, and the content hash it had. */
export interface AcceptedVersion {
  version: number;
  contentHash: string;
  /** A record of this key is held (for signatures or for a personal ID): a later version supersedes it. */
  held: boolean;
  /** The held record waits for signatures: an unsigned submission may not overtake it. */
  heldForSignatures: boolean;
}

export interface Store {
  readonly backend: string;
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;

  addCredential(keyHash: string, cred: Credential): Promise<void>;
  findCredential(keyHash: string): Promise<Credential | null>;
  countCredentials(): Promise<number>;
  getCredential(id: string): Promise<Credential | null>;
  /** Every credential (never a key or its hash), newest first; `kind` to list only vendors' or admins'. */
  listCredentials(kind?: Credential['kind']): Promise<Credential[]>;
  /** Marks the credential revoked (its key stops working); false when there is none or it was already revoked. */
  revokeCredential(id: string, now: number): Promise<boolean>;
  /**
   * In one transaction: a new credential with `newKeyHash` and the old one's kind, vendor, schools,
   * role, name and expiry; the old one works until `graceUntil` and names its successor. Null when
   * the old one does not exist or is revoked.
   */
  rotateCredential(id: string, newKeyHash: string, graceUntil: number, now: number): Promise<Credential | null>;

  /** Appends one entry to the audit log; there is no way to change or remove one. */
  appendAudit(entry: NewAuditEntry): Promise<void>;
  /** Newest first. */
  listAudit(filter: AuditFilter): Promise<AuditEntry[]>;

  findSubmissionByIdempotencyKey(vendor: string, key: string): Promise<StoredSubmission | null>;
  /** Stores the submission and its records in one transaction; resolves only after commit. */
  insertSubmission(sub: NewSubmission, records: NewRecord[], policy: RetryPolicy): Promise<void>;
  getSubmission(id: string): Promise<StoredSubmission | null>;
  /** A vendor's submissions, newest first (ids are UUIDv7), before `beforeId` when paging. */
  listSubmissions(vendor: string, opts: { beforeId?: string; limit: number }): Promise<StoredSubmission[]>;
  /**
   * For each of `recordKeys`, the highest `version` among records accepted for it (every state but
   * 'rejected': queued, sending, retry, acknowledged, dead) with that record's content hash. Keys
   * never accepted are absent from the map. Ties on the version (a re-send of the same content)
   * may return any of the tied rows. Used before insert so that a record's version only goes up
   * (VERSION_NOT_HIGHER); needs an index on record_key.
   */
  latestVersions(recordKeys: readonly string[]): Promise<Map<string, AcceptedVersion>>;
  /**
   * Records matching every field of the filter. With `submissionId` alone and no paging, in
   * submission order; otherwise newest first by id (UUIDv7), so `beforeId` pages without gaps
   * while records change state. Limit default 1000; the caller pages for more.
   */
  listRecords(filter: RecordFilter): Promise<RecordRow[]>;
  /** How many records match the filter (limit and beforeId ignored). */
  countRecords(filter: RecordFilter): Promise<number>;
  /** Records by group and state, and the oldest queued/retry/sending record's created_at per group. */
  progress(groupBy: 'school' | 'vendor' | 'grade'): Promise<ProgressRow[]>;
  /** created_at of the oldest record waiting to be delivered (queued, retry or sending); null when none. */
  oldestQueuedAt(): Promise<number | null>;
  /**
   * Retention, one batch: deletes the payloads (canonical XML, signed document) of the next
   * `limit` records acknowledged before `before` (hashes, receipt and timeline stay). `walked`
   * below `limit`: nothing is left to purge.
   */
  purgePayloads(before: number, limit: number): Promise<PurgeBatch>;
  /** How many records acknowledged before `before` still keep a payload the purge would delete (its dry run). */
  countPurgeable(before: number): Promise<number>;
  /** Lets the backend give freed space back (SQLite: incremental vacuum and a checkpoint; PostgreSQL: nothing, autovacuum reuses it). */
  reclaimSpace(): Promise<void>;
  getRecord(id: string): Promise<RecordRow | null>;
  recordEvents(id: string): Promise<RecordEvent[]>;
  /** The public lookup: the newest accepted version of the record book with this lookup code (outbox/lookup.ts). */
  lookup(lookupCode: string): Promise<LookupRow | null>;
  /** A record's payloads, unpacked; null once the retention purge has taken them. */
  recordPayloads(id: string): Promise<{ recordXml: string | null; signedXml: string | null } | null>;

  /**
   * Claims due records for `owner` until `now + leaseMs`, longest waiting first: queued/retry ones
   * due by now, or sending ones whose lease expired; counts the attempt. A record whose lease
   * expired on its last attempt goes dead (SENDER_LOST) instead.
   */
  claim(owner: string, limit: number, now: number, leaseMs: number): Promise<ClaimedRecord[]>;
  /** Extends `owner`'s lease on records it still holds to `now + leaseMs`; returns how many it still holds. */
  renewLease(owner: string, ids: string[], now: number, leaseMs: number): Promise<number>;
  acknowledge(owner: string, packetId: string, acks: Ack[], now: number): Promise<void>;
  scheduleRetry(owner: string, outcomes: (Outcome & { nextAttemptAt: number })[], now: number): Promise<void>;
  markDead(owner: string, outcomes: Outcome[], now: number): Promise<void>;
  /** Gives claimed records back to the queue unsent, and their attempt with them (a clean shutdown before sending). */
  release(owner: string, ids: string[], now: number, due?: number): Promise<void>;
  /** Re-queues dead records (by ids, or a filter: at most 100,000 of them) keeping their record keys; returns how many. */
  replay(selection: { ids?: string[]; filter?: RecordFilter }, reason: string, now: number): Promise<number>;
  /** Withdraws queued, retry or dead records (never one in flight); returns how many. */
  cancel(ids: string[], reason: string, now: number): Promise<number>;
  countByState(): Promise<Record<string, number>>;
  /**
   * Marks `held` records with this key, from submissions of this vendor, `superseded` by the
   * record `byId` (a later signed document for the same record book); returns how many.
   */
  supersedeHeld(recordKey: string, vendor: string, byId: string, now: number): Promise<number>;
  /** Marks versions of the key below `version` that wait to be sent or were given up (queued, retry, dead) `superseded` by `byId`; returns how many. */
  supersedeEarlier(recordKey: string, version: number, byId: string, now: number): Promise<number>;
  /** The withdrawal of a record book, in one transaction (outbox/events.ts). */
  withdraw(req: WithdrawRequest): Promise<WithdrawOutcome>;
}
