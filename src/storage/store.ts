import type { RecordState } from '../delivery/states.js';

// The storage seam. One folder per backend (sqlite/, postgres/); the route handlers and the
// delivery worker see only this interface, and test/storage-contract.test.ts holds every backend
// to it. Every state change is one statement, guarded by the lease so that a record is never in
// flight from two workers at once, and the database itself writes each change to the timeline.

export interface Credential {
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
  state: 'queued' | 'rejected' | 'held';
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
}

export interface ClaimedRecord {
  id: string;
  recordKey: string;
  contentHash: string;
  recordXml: string;
  attempts: number;
  maxAttempts: number;
  baseDelayMs: number;
  capDelayMs: number;
  totalTimeMs: number | null;
  /** When the record's retry window opened: its acceptance, or its last replay. */
  windowStartedAt: number;
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
  submissionId?: string;
  code?: string;
  limit?: number;
}

export interface Ack {
  id: string;
  ministryRecordId: string | null;
  code: string; // 'accepted' | 'duplicate'
}

export interface Outcome {
  id: string;
  code: string;
  reason: string;
}

/** The highest version this gateway has accepted for one record key, and the content hash it had. */
export interface AcceptedVersion {
  version: number;
  contentHash: string;
  /** A record of this key waits for signatures (state held): an unsigned submission may not overtake it. */
  held: boolean;
}

export interface Store {
  readonly backend: string;
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;

  addCredential(keyHash: string, cred: Credential): Promise<void>;
  findCredential(keyHash: string): Promise<Credential | null>;
  countCredentials(): Promise<number>;

  findSubmissionByIdempotencyKey(vendor: string, key: string): Promise<StoredSubmission | null>;
  /** Stores the submission and its records in one transaction; resolves only after commit. */
  insertSubmission(sub: NewSubmission, records: NewRecord[], policy: RetryPolicy): Promise<void>;
  getSubmission(id: string): Promise<StoredSubmission | null>;
  /**
   * For each of `recordKeys`, the highest `version` among records accepted for it (every state but
   * 'rejected': queued, sending, retry, acknowledged, dead) with that record's content hash. Keys
   * never accepted are absent from the map. Ties on the version (a re-send of the same content)
   * may return any of the tied rows. Used before insert so that a record's version only goes up
   * (VERSION_NOT_HIGHER); needs an index on record_key.
   */
  latestVersions(recordKeys: readonly string[]): Promise<Map<string, AcceptedVersion>>;
  listRecords(filter: RecordFilter): Promise<RecordRow[]>;
  getRecord(id: string): Promise<RecordRow | null>;
  recordEvents(id: string): Promise<RecordEvent[]>;

  /** Claims due records for `owner` until `now + leaseMs`: queued/retry ones due by now, or sending ones whose lease expired. */
  claim(owner: string, limit: number, now: number, leaseMs: number): Promise<ClaimedRecord[]>;
  /** Extends `owner`'s lease on records it still holds to `now + leaseMs`; returns how many it still holds. */
  renewLease(owner: string, ids: string[], now: number, leaseMs: number): Promise<number>;
  acknowledge(owner: string, packetId: string, acks: Ack[], now: number): Promise<void>;
  scheduleRetry(owner: string, outcomes: (Outcome & { nextAttemptAt: number })[], now: number): Promise<void>;
  markDead(owner: string, outcomes: Outcome[], now: number): Promise<void>;
  /** Gives claimed records back to the queue untouched (a clean shutdown mid-send). */
  release(owner: string, ids: string[], now: number): Promise<void>;
  /** Re-queues dead records (by ids or filter) keeping their record keys; returns how many. */
  replay(selection: { ids?: string[]; filter?: RecordFilter }, reason: string, now: number): Promise<number>;
  /** Withdraws queued, retry or dead records (never one in flight); returns how many. */
  cancel(ids: string[], reason: string, now: number): Promise<number>;
  countByState(): Promise<Record<string, number>>;
  /**
   * Marks `held` records with this key, from submissions of this vendor, `superseded` by the
   * record `byId` (a later signed document for the same record book); returns how many.
   */
  supersedeHeld(recordKey: string, vendor: string, byId: string, now: number): Promise<number>;
}
