import { randomUUID } from 'node:crypto';
import { startWorker } from '../../threads/start-worker.js';
import type { Worker } from 'node:worker_threads';
import { dirname } from 'node:path';
import { privateDatabaseFile, privateDir } from '../file-modes.js';
import Database from 'better-sqlite3';
import type {
  AcceptedVersion,
  AuditEntry,
  AuditFilter,
  NewAuditEntry,
  ProgressRow,
  Ack,
  ClaimedRecord,
  Credential,
  NewRecord,
  NewSubmission,
  Outcome,
  RecordEvent,
  RecordFilter,
  RecordRow,
  RetryPolicy,
  Store,
  PurgeBatch,
  StoredSubmission,
  WithdrawOutcome,
  WithdrawRequest,
} from '../store.js';
import { bookBlocker, bookRows, cancelUnsent, heldByMinistry, highestVersion, insertWithdrawal, markWithdrawn, ministryHolds, supersedeEarlier, toHeldVersion } from '../outbox/events.js';
import { eventOf, withdrawalXml, type RecordKind } from '../../packet/events.js';
import { MIGRATIONS } from './migrations.js';
import { auditWhere, CREDENTIAL_COLUMNS, groupProgress, PROGRESS_COLUMN, recordOrder, recordWhere, toAudit, toCredential, WAITING_STATES } from '../record-filter.js';
import { WalSync } from './wal-sync.js';
import { fileProbes, WalRoom } from './wal-room.js';
import { countPurgeable, insertPayload, purgePayloads } from '../outbox/payloads.js';
import { countInserted } from '../outbox/record-counts.js';
import { claim, expireLost, release, renewLease } from '../outbox/claim.js';
import { acknowledge, markDead, scheduleRetry } from '../outbox/outcomes.js';
import { countByState, heldForPersonalId, keyOfCounter, oldestWaiting, progressCounts } from '../outbox/progress.js';
import { syncRecordStates } from '../outbox/record-states.js';
import { lookupRecord, recordPayloads, toLookupRow, type LookupRow } from '../outbox/lookup.js';
import { RECORD_STATES } from '../../delivery/states.js';
import { asBuffer, packPayload, storedPayload, unpackPayload } from '../payload.js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { firstEventOf } from '../outbox/first-event.js';

// The embedded default: one file, WAL. A 202 is sent only after the insert transaction has
// committed and its WAL frames are fsynced (wal-sync.ts: group commit off the event loop), so it
// survives a kill -9 or a power cut; checkpoints run in a thread of their own (checkpointer.ts).

interface SubmissionRow {
  id: string;
  vendor: string;
  idempotency_key: string | null;
  request_hash: string;
  response: string;
  created_at: number;
}

// Claims and outcomes of one packet are written in slices of this many records, a transaction
// each, so that the event loop is never held for more than a millisecond or two by delivery.
const SLICE = 50;
/** How long a write waits for another connection's lock before it fails (SQLITE_BUSY: 503). */
const BUSY_TIMEOUT_MS = 5000;
/** reclaimSpace: how long one step may hold the event loop, and the bounds of a step in pages (4 KB). */
const RECLAIM_STEP_MS = 5;
const RECLAIM_FIRST_STEP = 64;
const RECLAIM_MIN_STEP = 8;
const RECLAIM_MAX_STEP = 4096;

/** The next reclaim step: as many pages as the last step's pace moves in RECLAIM_STEP_MS, within the bounds. */
export function nextReclaimStep(pagesMoved: number, ms: number): number {
  const msPerPage = Math.max(ms, 1e-3) / Math.max(pagesMoved, 1);
  return Math.round(Math.min(RECLAIM_MAX_STEP, Math.max(RECLAIM_MIN_STEP, RECLAIM_STEP_MS / msPerPage)));
}

// Under the test runner this module is TypeScript; workers inherit its loader through execArgv.
const CHECKPOINTER_URL = new URL(import.meta.url.endsWith('.ts') ? './checkpointer.ts' : './checkpointer.js', import.meta.url);
const CHECKPOINT_INTERVAL_MS = 1000;

const RECORD_COLUMNS = `id, submission_id, idx, record_key, content_hash, state, errors, attempts, max_attempts,
  next_attempt_at, last_code, last_reason, ministry_record_id, packet_id, signatures, created_at, updated_at,
  school_id, vendor, learner_id, grade, class_name, kind`;

/** The error a connection in full mode answers with: a storage fault (storage/faults.ts), 507. */
function diskFull(): Error {
  return Object.assign(new Error('database or disk is full (waiting for space to checkpoint the WAL)'), { name: 'SqliteError', code: 'SQLITE_FULL' });
}

function toSubmission(r: SubmissionRow): StoredSubmission {
  return {
    id: r.id,
    vendor: r.vendor,
    idempotencyKey: r.idempotency_key,
    requestHash: r.request_hash,
    response: JSON.parse(r.response),
    createdAt: r.created_at,
  };
}

function toRecordRow(r: Record<string, unknown>): RecordRow {
  return {
    id: r.id as string,
    kind: (r.kind as RecordKind | undefined) ?? 'record',
    submissionId: r.submission_id as string,
    index: r.idx as number,
    recordKey: r.record_key as string | null,
    contentHash: r.content_hash as string | null,
    state: r.state as RecordRow['state'],
    attempts: r.attempts as number,
    maxAttempts: r.max_attempts as number,
    nextAttemptAt: r.next_attempt_at as number,
    lastCode: r.last_code as string | null,
    lastReason: r.last_reason as string | null,
    ministryRecordId: r.ministry_record_id as string | null,
    packetId: r.packet_id as string | null,
    errors: r.errors ? JSON.parse(r.errors as string) : null,
    signatures: r.signatures ? JSON.parse(r.signatures as string) : null,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    schoolId: (r.school_id as string | null) ?? null,
    vendor: (r.vendor as string | null) ?? null,
    learnerId: (r.learner_id as string | null) ?? null,
    grade: (r.grade as number | null) ?? null,
    className: (r.class_name as string | null) ?? null,
  };
}

interface PendingInsert {
  sub: NewSubmission;
  records: NewRecord[];
  policy: RetryPolicy;
  resolve(): void;
  reject(e: unknown): void;
}

export class SqliteStore implements Store {
  readonly backend = 'sqlite';
  private readonly db: Database.Database;

  private readonly walSync: WalSync | null;
  private readonly busyWaitOff: Database.Statement;
  private readonly busyWaitOn: Database.Statement;
  /** Keeps the free space ahead of the WAL (wal-room.ts); null in memory. */
  private readonly room: WalRoom | null;
  private checkpointer: Worker | null = null;

  constructor(
    private readonly path: string,
    private readonly options: { checkpoints: boolean } = { checkpoints: true },
  ) {
    const inMemory = path === ':memory:';
    if (!inMemory) {
      privateDir(dirname(path));
      privateDatabaseFile(path);
    }
    this.db = new Database(path);
    // Retention purges payloads; with incremental auto-vacuum the freed pages can be given back
    // to the file system (reclaimSpace). It takes effect only on a new, empty database (an older
    // one reuses freed pages for new rows instead, and shrinks after one offline VACUUM).
    this.db.pragma('auto_vacuum = INCREMENTAL');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Each statement on records (triggers, a foreign key) keeps a statement journal: the first
    // change to each page it touches is copied there, about 17 pages for one record with its
    // indexes, timeline and counters. Past 64 KiB SQLite spills that journal to a temporary file,
    // so every record inserted and every state change wrote and truncated one: 115 µs per record
    // inserted at intake, 44 µs with the journal kept in memory (measured on this 2-core machine,
    // 500-record vnEdu batches). Sorts and temporary indexes stay in memory as well; the queries
    // that could build large ones read through indexes instead (bench q).
    this.db.pragma('temp_store = MEMORY');
    // Prepared once: db.pragma() prepares its text again at each call, and the group insert sets
    // these two around every write (bench d's profile of the event loop: 0.3 s in 20 s went to
    // preparing them and data_version below).
    this.busyWaitOff = this.db.prepare('PRAGMA busy_timeout = 0');
    this.busyWaitOn = this.db.prepare(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (inMemory) {
      this.walSync = null;
      this.room = null;
      return;
    }
    // Commits write the WAL without waiting for the disk; durable() waits, off the event loop.
    this.db.pragma('synchronous = OFF');
    this.db.pragma('wal_autocheckpoint = 0');
    // After a checkpoint the WAL is reused and cut back to this size, so it cannot grow for ever.
    this.db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    this.walSync = new WalSync(`${path}-wal`);
    // Prepared once, as the busy_timeout pair above: db.pragma() prepares its text again at each
    // call, and these run at every write.
    const dataVersion = this.db.prepare('PRAGMA data_version').pluck();
    this.room = new WalRoom(fileProbes(path, () => this.truncateWal(), () => dataVersion.get() as number));
  }

  /** Resolves once this connection's commits so far are on disk (a no-op in memory). */
  private async durable(): Promise<void> {
    await this.walSync?.sync();
  }

  private startCheckpointer(): void {
    if (!this.walSync || this.checkpointer || !this.options.checkpoints) return;
    const worker = startWorker(CHECKPOINTER_URL, { workerData: { path: this.path, intervalMs: CHECKPOINT_INTERVAL_MS } });
    worker.unref();
    // A checkpointer that dies only lets the WAL grow; the outbox stays correct. Say so once.
    worker.on('error', (e) => process.emitWarning(`SQLite checkpointer stopped: ${e.message}`));
    this.checkpointer = worker;
  }

  private s!: ReturnType<SqliteStore['prepareAll']>;
  private readonly latestVersionsByLength = new Map<number, Database.Statement>();

  async migrate(): Promise<void> {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    const done = new Set(this.db.prepare('SELECT id FROM schema_migrations').all().map((r) => (r as { id: number }).id));
    for (const m of MIGRATIONS) {
      if (done.has(m.id)) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)').run(m.id, m.name, Date.now());
      })();
    }
    const addState = this.db.prepare(syncRecordStates.sqlite);
    this.db.transaction(() => {
      for (const state of RECORD_STATES) addState.run(state);
    })();
    this.s = this.prepareAll();
    await this.durable();
    this.startCheckpointer();
  }

  private prepareAll() {
    const db = this.db;
    return {
      addCredential: db.prepare(`INSERT INTO credentials (key_hash, id, kind, vendor, schools, role, name, created_at, expires_at)
        VALUES (@keyHash, @id, @kind, @vendor, @schools, @role, @name, @now, @expiresAt)`),
      findCredential: db.prepare(`SELECT ${CREDENTIAL_COLUMNS} FROM credentials WHERE key_hash = ?`),
      getCredential: db.prepare(`SELECT ${CREDENTIAL_COLUMNS} FROM credentials WHERE id = ?`),
      listCredentials: db.prepare(`SELECT ${CREDENTIAL_COLUMNS} FROM credentials WHERE @kind IS NULL OR kind = @kind ORDER BY created_at DESC, id`),
      revokeCredential: db.prepare('UPDATE credentials SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL'),
      graceCredential: db.prepare('UPDATE credentials SET grace_until = @until, replaced_by = @by WHERE id = @id'),
      appendAudit: db.prepare(`INSERT INTO audit_log (at, actor_id, actor_name, role, action, target, count, reason, source, via)
        VALUES (@at, @actorId, @actorName, @role, @action, @target, @count, @reason, @source, @via)`),
      oldestQueued: db.prepare(`SELECT min(created_at) AS t FROM records WHERE state IN (${WAITING_STATES.map((s) => `'${s}'`).join(', ')})`),
      purgeBatch: db.prepare(purgePayloads.sqlite.batch),
      purgeRemove: db.prepare(purgePayloads.sqlite.remove),
      purgeMoveCursor: db.prepare(purgePayloads.sqlite.moveCursor),
      purgeable: db.prepare(countPurgeable.sqlite),
      insertPayload: db.prepare(insertPayload.sqlite),
      countInserted: db.prepare(countInserted.sqlite),
      countCredentials: db.prepare('SELECT count(*) AS n FROM credentials'),
      findByIdem: db.prepare('SELECT * FROM submissions WHERE vendor = ? AND idempotency_key = ?'),
      getSubmission: db.prepare('SELECT * FROM submissions WHERE id = ?'),
      insertSubmission: db.prepare(
        'INSERT INTO submissions (id, vendor, idempotency_key, request_hash, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      insertRecord: db.prepare(`INSERT INTO records (id, submission_id, idx, record_key, content_hash, payload_kept, state, errors,
        max_attempts, base_delay_ms, cap_delay_ms, total_time_ms, window_started_at, next_attempt_at, last_code, last_reason,
        created_at, updated_at, record_version, signatures, school_id, learner_id, grade, class_name, school_year, vendor, lookup_code)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      getRecord: db.prepare(`SELECT ${RECORD_COLUMNS} FROM records WHERE id = ?`),
      lookup: db.prepare(lookupRecord.sqlite),
      payloads: db.prepare(recordPayloads.sqlite),
      events: db.prepare('SELECT at, from_state, to_state, code, reason FROM record_events WHERE record_id = ? ORDER BY id'),
      expireLost: db.prepare(expireLost.sqlite),
      claim: db.prepare(claim.sqlite),
      renew: db.prepare(renewLease.sqlite),
      ack: db.prepare(acknowledge.sqlite),
      retry: db.prepare(scheduleRetry.sqlite),
      dead: db.prepare(markDead.sqlite),
      release: db.prepare(release.sqlite),
      replayOne: db.prepare(`UPDATE records SET state = 'queued', attempts = 0, next_attempt_at = @now, window_started_at = @now,
          last_code = 'REPLAY', last_reason = @reason, updated_at = @now WHERE id = @id AND state = 'dead'`),
      cancelOne: db.prepare(`UPDATE records SET state = 'cancelled', last_code = 'CANCELLED', last_reason = @reason, updated_at = @now
        WHERE id = @id AND state IN ('queued', 'retry', 'dead', 'held')`),
      countByState: db.prepare(countByState.sqlite),
      progressCounts: db.prepare(progressCounts.sqlite),
      oldestWaiting: {
        school: db.prepare(oldestWaiting.sqlite('school')),
        vendor: db.prepare(oldestWaiting.sqlite('vendor')),
        grade: db.prepare(oldestWaiting.sqlite('grade')),
      },
      supersedeHeld: db.prepare(`UPDATE records SET state = 'superseded', last_code = 'SUPERSEDED', last_reason = 'superseded by record ' || @by,
          updated_at = @now
        WHERE state = 'held' AND record_key = @key AND id <> @by
          AND submission_id IN (SELECT id FROM submissions WHERE vendor = @vendor)`),
      supersedeEarlier: db.prepare(supersedeEarlier.sqlite),
      heldForId: {
        school: db.prepare(heldForPersonalId.sqlite('school')),
        vendor: db.prepare(heldForPersonalId.sqlite('vendor')),
        grade: db.prepare(heldForPersonalId.sqlite('grade')),
      },
      markWithdrawn: db.prepare(markWithdrawn.sqlite),
      bookRows: db.prepare(bookRows.sqlite),
      cancelUnsent: db.prepare(cancelUnsent.sqlite),
      heldByMinistry: db.prepare(heldByMinistry.sqlite),
      highestVersion: db.prepare(highestVersion.sqlite),
      insertWithdrawal: db.prepare(insertWithdrawal.sqlite),
      // Group commit (insertSubmission): one IMMEDIATE transaction around a group (the write lock
      // is taken at BEGIN, so a busy database throws before any row), each submission in a
      // savepoint of it (a nested better-sqlite3 transaction). Made once: the wrappers cost to make.
      insertGroup: db.transaction((each: () => void) => each()).immediate,
      insertSavepoint: db.transaction((sub: NewSubmission, records: NewRecord[], policy: RetryPolicy) => this.insertRows(sub, records, policy)),
    };
  }

  /**
   * Runs `each` over `items`, SLICE per transaction with the event loop let through in between:
   * every statement here is guarded by the lease, so a packet's outcome needs no one transaction,
   * and a 200-record acknowledgement must not hold up the requests waiting for their 202.
   */
  private async inSlices<T>(items: readonly T[], each: (item: T) => unknown): Promise<void> {
    for (let i = 0; i < items.length; i += SLICE) {
      if (i > 0) await yieldToEventLoop();
      const slice = items.slice(i, i + SLICE);
      this.write(() =>
        this.db.transaction(() => {
          for (const item of slice) each(item);
        })(),
      );
    }
  }

  /**
   * Every write goes through here. Before it, the free space must cover the WAL plus a write
   * (wal-room.ts), checkpointing first if it does not. A full disk all the same (SQLITE_FULL:
   * another program took the space) puts this connection in full mode: it writes nothing more,
   * and refuses at once, until a TRUNCATE checkpoint has copied the WAL into the database file
   * and cut it. Without these, writers kept appending to the WAL and took whatever space an
   * operator freed before any checkpoint could run (measured on an 8 MB file system: a 7.5 MB WAL
   * beside a 0.8 MB database, and delivery never came back).
   */
  private write<T>(fn: () => T): T {
    if (this.fullSince !== null && !this.recoverFromFull()) throw diskFull();
    if (this.room && !this.room.before()) throw diskFull();
    try {
      const result = fn();
      this.room?.after();
      return result;
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_FULL' && this.walSync) this.fullSince ??= Date.now();
      throw e;
    }
  }

  private fullSince: number | null = null;
  private lastRecovery = 0;

  /**
   * Copies the WAL into the database file and cuts it; true when it was cut, or at least copied
   * whole (another connection's reader kept it from being cut: its next writer restarts it from
   * the top instead of growing it).
   */
  private truncateWal(): boolean {
    try {
      // FULL while checkpointing: the database file is synced before the WAL is cut (wal-sync.ts).
      this.db.pragma('synchronous = FULL');
      const [r] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
      return !!r && r.busy === 0 && (r.log <= 0 || r.checkpointed === r.log);
    } catch {
      return false; // still no room, or busy: the next write tries again
    } finally {
      this.db.pragma('synchronous = OFF');
    }
  }

  /** Tries (at most every half second) to give the WAL's space back; true once it has. */
  private recoverFromFull(): boolean {
    const now = Date.now();
    if (now - this.lastRecovery < 500) return false;
    this.lastRecovery = now;
    if (this.truncateWal()) this.fullSince = null;
    // A write is let through every 5 s whatever the checkpoint said: if the disk is still full it
    // fails and full mode starts again; if not (another connection cut the WAL), writing resumes.
    if (this.fullSince !== null && now - this.fullSince > 5000) this.fullSince = null;
    return this.fullSince === null;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    const worker = this.checkpointer;
    this.checkpointer = null;
    if (worker) {
      await new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
      });
      await worker.terminate();
    }
    await this.walSync?.close();
    if (this.db.open) {
      // The last connection out checkpoints; with FULL it syncs what it copies.
      this.db.pragma('synchronous = FULL');
      this.db.close();
    }
  }

  async addCredential(keyHash: string, cred: Credential): Promise<void> {
    this.s.addCredential.run({
      keyHash,
      id: cred.id ?? `c_${randomUUID()}`,
      kind: cred.kind,
      vendor: cred.vendor,
      schools: cred.schools ? JSON.stringify(cred.schools) : null,
      role: cred.role ?? null,
      name: cred.name ?? null,
      now: cred.createdAt ?? Date.now(),
      expiresAt: cred.expiresAt ?? null,
    });
    await this.durable();
  }

  async findCredential(keyHash: string): Promise<Credential | null> {
    const r = this.s.findCredential.get(keyHash) as Record<string, unknown> | undefined;
    return r ? toCredential(r) : null;
  }

  async getCredential(id: string): Promise<Credential | null> {
    const r = this.s.getCredential.get(id) as Record<string, unknown> | undefined;
    return r ? toCredential(r) : null;
  }

  async listCredentials(kind?: Credential['kind']): Promise<Credential[]> {
    return (this.s.listCredentials.all({ kind: kind ?? null }) as Record<string, unknown>[]).map(toCredential);
  }

  async revokeCredential(id: string, now: number): Promise<boolean> {
    const n = this.s.revokeCredential.run({ id, now }).changes;
    await this.durable();
    return n > 0;
  }

  async rotateCredential(id: string, newKeyHash: string, graceUntil: number, now: number): Promise<Credential | null> {
    const newId = `c_${randomUUID()}`;
    // IMMEDIATE: it reads, then writes. A deferred transaction that has read cannot wait for the
    // write lock; when another connection (the running gateway, for the CLI) commits in between,
    // SQLite answers "database is locked" at once instead of calling the busy handler.
    const done = this.db.transaction(() => {
      const old = this.s.getCredential.get(id) as Record<string, unknown> | undefined;
      if (!old || old.revoked_at !== null) return false;
      this.s.addCredential.run({
        keyHash: newKeyHash, id: newId, kind: old.kind, vendor: old.vendor, schools: old.schools, role: old.role, name: old.name, now, expiresAt: old.expires_at,
      });
      this.s.graceCredential.run({ id, until: graceUntil, by: newId });
      return true;
    }).immediate();
    await this.durable();
    return done ? this.getCredential(newId) : null;
  }

  async appendAudit(e: NewAuditEntry): Promise<void> {
    this.write(() => this.s.appendAudit.run(e));
    await this.durable();
  }

  async listAudit(f: AuditFilter): Promise<AuditEntry[]> {
    const args: unknown[] = [];
    const where = auditWhere(f, (v) => (args.push(v), '?'));
    const sql = `SELECT * FROM audit_log ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, f.limit) as Record<string, unknown>[]).map(toAudit);
  }

  async countCredentials(): Promise<number> {
    return (this.s.countCredentials.get() as { n: number }).n;
  }

  async findSubmissionByIdempotencyKey(vendor: string, key: string): Promise<StoredSubmission | null> {
    const r = this.s.findByIdem.get(vendor, key) as SubmissionRow | undefined;
    return r ? toSubmission(r) : null;
  }

  /**
   * Group commit of submissions: each call joins the transaction of the next turn of the event
   * loop with the others that arrived in the same turn, each in a savepoint of its own (one that
   * fails, a reused Idempotency-Key say, rejects only its caller). A commit here costs more than
   * its rows: BEGIN, the WAL frames of every page touched (the record's indexes, its timeline
   * and counters share pages with its neighbours), the free-space checks of write(), and the
   * page cache this connection drops whenever the delivery thread has committed in between
   * (WAL). Measured with bench d's load (500 single-record submissions/s, delivery on, 2 cores):
   * about 0.69 ms of the event loop per submission committed alone.
   */
  insertSubmission(sub: NewSubmission, records: NewRecord[], policy: RetryPolicy): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.pendingInserts.push({ sub, records, policy, resolve, reject }));
    if (this.pendingInserts.length === 1) this.scheduleInserts();
    // The 202 goes out only after this: the commit is on disk, not only in the page cache.
    return done.then(() => this.durable());
  }

  private pendingInserts: PendingInsert[] = [];

  /**
   * The group commits once the fsync under way (if any) has finished: its callers would wait for
   * that fsync and then their own anyway, and meanwhile more submissions join the group.
   */
  private scheduleInserts(): void {
    const flush = () => setImmediate(() => this.flushInserts());
    const running = this.walSync?.running;
    if (running) running.then(flush, flush);
    else flush();
  }

  private flushInserts(since = performance.now()): void {
    const group = this.pendingInserts;
    this.pendingInserts = [];
    const failed = new Map<PendingInsert, unknown>();
    try {
      this.write(() =>
        this.withoutBusyWait(() =>
          this.s.insertGroup(() => {
            for (const p of group) {
              try {
                this.s.insertSavepoint(p.sub, p.records, p.policy);
              } catch (e) {
                failed.set(p, e);
              }
            }
          }),
        ),
      );
    } catch (e) {
      // Another connection (the delivery thread, at a lower priority) holds the write lock: wait
      // for it here, in the event loop's time, not in SQLite's busy handler, which sleeps the
      // whole loop (1, 2, 5, 10, 15, 20 ms ... measured at 35-55 ms per wait under bench d).
      // Submissions that arrive meanwhile join the group. Past BUSY_TIMEOUT_MS the error stands
      // (503 DATABASE_UNAVAILABLE), as the busy handler's would.
      if ((e as { code?: string }).code === 'SQLITE_BUSY' && performance.now() - since < BUSY_TIMEOUT_MS) {
        this.pendingInserts = group.concat(this.pendingInserts);
        setTimeout(() => this.flushInserts(since), 1);
        return;
      }
      for (const p of group) p.reject(e);
      return;
    }
    for (const p of group) {
      if (failed.has(p)) p.reject(failed.get(p));
      else p.resolve();
    }
  }

  /** Runs `fn` with SQLite's busy handler off: a lock another connection holds throws SQLITE_BUSY at once. */
  private withoutBusyWait<T>(fn: () => T): T {
    this.busyWaitOff.get();
    try {
      return fn();
    } finally {
      this.busyWaitOn.get();
    }
  }

  private insertRows(sub: NewSubmission, records: NewRecord[], policy: RetryPolicy): void {
    const s = this.s;
    s.insertSubmission.run(sub.id, sub.vendor, sub.idempotencyKey, sub.requestHash, JSON.stringify(sub.response), sub.createdAt);
    for (const r of records) {
      const payload = storedPayload(r);
      const first = firstEventOf(r, sub.vendor);
      s.insertRecord.run(
        r.id, sub.id, r.index, r.recordKey, r.contentHash, payload ? 1 : null, r.state,
        r.errors ? JSON.stringify(r.errors) : null,
        policy.maxAttempts, policy.baseDelayMs, policy.capDelayMs, policy.totalTimeMs ?? null, sub.createdAt, sub.createdAt,
        first.code, first.reason,
        sub.createdAt, sub.createdAt, r.version,
        r.signatures ? JSON.stringify(r.signatures) : null,
        r.schoolId ?? null, r.learnerId ?? null, r.grade ?? null, r.className ?? null, r.schoolYear ?? null, sub.vendor,
        r.lookupCode ?? null,
      );
      if (payload) s.insertPayload.run(r.id, payload.recordXml, payload.signedXml);
    }
    s.countInserted.run({ submission: sub.id });
  }

  async getSubmission(id: string): Promise<StoredSubmission | null> {
    const r = this.s.getSubmission.get(id) as SubmissionRow | undefined;
    return r ? toSubmission(r) : null;
  }

  async listSubmissions(vendor: string, o: { beforeId?: string; limit: number }): Promise<StoredSubmission[]> {
    const rows = this.db
      .prepare(`SELECT * FROM submissions WHERE vendor = ? ${o.beforeId ? 'AND id < ?' : ''} ORDER BY id DESC LIMIT ?`)
      .all(...(o.beforeId ? [vendor, o.beforeId, o.limit] : [vendor, o.limit])) as SubmissionRow[];
    return rows.map(toSubmission);
  }

  async latestVersions(recordKeys: readonly string[]): Promise<Map<string, AcceptedVersion>> {
    const out = new Map<string, AcceptedVersion>();
    // Chunks keep each statement well under SQLite's limit on bound parameters.
    for (let i = 0; i < recordKeys.length; i += 500) {
      const chunk = recordKeys.slice(i, i + 500);
      const rows = this.latestVersionsStatement(chunk.length).all(...chunk) as { record_key: string; record_version: number; content_hash: string; state: string; last_code: string | null }[];
      for (const r of rows) {
        const known = out.get(r.record_key);
        const held = r.state === 'held' || (known?.held ?? false);
        const heldForSignatures = (r.state === 'held' && r.last_code === 'SIGNATURES_INCOMPLETE') || (known?.heldForSignatures ?? false);
        if (!known || r.record_version > known.version) out.set(r.record_key, { version: r.record_version, contentHash: r.content_hash, held, heldForSignatures });
        else Object.assign(known, { held, heldForSignatures });
      }
    }
    return out;
  }

  /** One prepared statement per IN-list length (at most 500), made on first use: preparing costs more than running. */
  private latestVersionsStatement(n: number): Database.Statement {
    let st = this.latestVersionsByLength.get(n);
    if (!st) {
      st = this.db.prepare(`SELECT record_key, record_version, content_hash, state, last_code FROM records
        WHERE record_key IN (${Array.from({ length: n }, () => '?').join(', ')}) AND state <> 'rejected' AND record_version IS NOT NULL`);
      this.latestVersionsByLength.set(n, st);
    }
    return st;
  }

  async listRecords(f: RecordFilter): Promise<RecordRow[]> {
    const args: unknown[] = [];
    const where = recordWhere(f, (v) => (args.push(v), '?'));
    const sql = `SELECT ${RECORD_COLUMNS} FROM records ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
      ORDER BY ${recordOrder(f)} LIMIT ?`;
    args.push(f.limit ?? 1000);
    return this.db.prepare(sql).all(...args).map((r) => toRecordRow(r as Record<string, unknown>));
  }

  async countRecords(f: RecordFilter): Promise<number> {
    const args: unknown[] = [];
    const where = recordWhere({ ...f, beforeId: undefined }, (v) => (args.push(v), '?'));
    return (this.db.prepare(`SELECT count(*) AS n FROM records ${where.length ? 'WHERE ' + where.join(' AND ') : ''}`).get(...args) as { n: number }).n;
  }

  async progress(groupBy: 'school' | 'vendor' | 'grade'): Promise<ProgressRow[]> {
    const counts = (this.s.progressCounts.all(groupBy) as { k: unknown; state: string; n: number }[]).map((c) => ({ ...c, k: keyOfCounter(c.k) }));
    const oldest = this.s.oldestWaiting[groupBy].all() as { k: unknown; t: number }[];
    const heldForId = (this.s.heldForId[groupBy].all() as { k: unknown; n: number }[]).map((h) => ({ ...h, k: keyOfCounter(h.k) }));
    return groupProgress(counts, oldest, heldForId);
  }

  async oldestQueuedAt(): Promise<number | null> {
    return (this.s.oldestQueued.get() as { t: number | null }).t ?? null;
  }

  async purgePayloads(before: number, limit: number): Promise<PurgeBatch> {
    const done = this.write(() => this.db.transaction(() => {
      const batch = this.s.purgeBatch.all(before, limit) as { id: string; updated_at: number }[];
      let purged = 0;
      for (const { id } of batch) purged += this.s.purgeRemove.run(id).changes;
      const last = batch.at(-1);
      if (last) this.s.purgeMoveCursor.run(last.updated_at, last.id);
      return { walked: batch.length, purged };
    })());
    await this.durable();
    return done;
  }

  async countPurgeable(before: number): Promise<number> {
    return (this.s.purgeable.get(before) as { n: number }).n;
  }

  async reclaimSpace(): Promise<void> {
    if (this.path === ':memory:') return;
    // Free pages go back to the file system a step at a time, each step a transaction of its own
    // with the event loop let through between: one incremental_vacuum of every page a large purge
    // freed moved them all in one transaction (at 1,000,000 purged payloads, well over a minute
    // with every other writer waiting, and a WAL as large as what it moved). Each step is sized
    // from the last one's time per page to hold the event loop about RECLAIM_STEP_MS: a fixed
    // 1,024 pages took 25-182 ms a step after bench q's purge (the pages moved are scattered), and
    // single submissions arriving meanwhile waited behind it (p99 265 ms). The file itself
    // shrinks at the next full checkpoint (the checkpointer thread's, or this one's when it is off).
    const freelistCount = this.db.prepare('PRAGMA freelist_count').pluck();
    let step = RECLAIM_FIRST_STEP;
    let free = freelistCount.get() as number;
    while (free > 0) {
      const started = performance.now();
      this.write(() => this.db.pragma(`incremental_vacuum(${step})`));
      step = nextReclaimStep(Math.min(step, free), performance.now() - started);
      await this.durable();
      await yieldToEventLoop();
      const left = freelistCount.get() as number;
      if (left >= free) break; // nothing moved: leave it for next time
      free = left;
    }
    if (!this.checkpointer) this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async getRecord(id: string): Promise<RecordRow | null> {
    const r = this.s.getRecord.get(id) as Record<string, unknown> | undefined;
    return r ? toRecordRow(r) : null;
  }

  async lookup(lookupCode: string): Promise<LookupRow | null> {
    const r = this.s.lookup.get(lookupCode) as Record<string, unknown> | undefined;
    return r ? toLookupRow(r, unpackPayload) : null;
  }

  async recordPayloads(id: string): Promise<{ recordXml: string | null; signedXml: string | null } | null> {
    const r = this.s.payloads.get(id) as { record_xml: unknown; signed_xml: unknown } | undefined;
    return r ? { recordXml: unpackPayload(r.record_xml), signedXml: unpackPayload(r.signed_xml) } : null;
  }

  async recordEvents(id: string): Promise<RecordEvent[]> {
    return this.s.events.all(id).map((r) => {
      const e = r as { at: number; from_state: string | null; to_state: string; code: string | null; reason: string | null };
      return { at: e.at, fromState: e.from_state, toState: e.to_state, code: e.code, reason: e.reason } as RecordEvent;
    });
  }

  async claim(owner: string, limit: number, now: number, leaseMs: number): Promise<ClaimedRecord[]> {
    const rows: Record<string, unknown>[] = [];
    this.write(() => this.s.expireLost.run({ now }));
    for (let i = 0; i < limit; i += SLICE) {
      if (i > 0) await yieldToEventLoop();
      const chunk = Math.min(SLICE, limit - i);
      const got = this.write(() => this.s.claim.all({ owner, until: now + leaseMs, now, limit: chunk })) as Record<string, unknown>[];
      rows.push(...got);
      if (got.length < chunk) break;
    }
    const held = this.ministryHoldsAny(rows.filter((r) => r.kind === 'record').map((r) => r.record_key as string));
    return rows.map((r) => ({
      event: eventOf(r.kind as RecordKind, held.has(r.record_key as string)),
      id: r.id as string,
      recordKey: r.record_key as string,
      contentHash: r.content_hash as string,
      recordXml: unpackPayload(r.record_xml) as string,
      attempts: r.attempts as number,
      maxAttempts: r.max_attempts as number,
      baseDelayMs: r.base_delay_ms as number,
      capDelayMs: r.cap_delay_ms as number,
      totalTimeMs: (r.total_time_ms as number | null) ?? null,
      windowStartedAt: (r.window_started_at as number | null) ?? now,
    }));
  }

  /** The keys of which the Ministry holds a live version (outbox/events.ts), 500 to a statement. */
  private ministryHoldsAny(keys: string[]): Set<string> {
    const out = new Set<string>();
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += 500) {
      const chunk = unique.slice(i, i + 500);
      let st = this.ministryHoldsByLength.get(chunk.length);
      if (!st) this.ministryHoldsByLength.set(chunk.length, (st = this.db.prepare(ministryHolds.sqlite(chunk.length))));
      for (const r of st.all(...chunk) as { record_key: string }[]) out.add(r.record_key);
    }
    return out;
  }

  private readonly ministryHoldsByLength = new Map<number, Database.Statement>();

  async renewLease(owner: string, ids: string[], now: number, leaseMs: number): Promise<number> {
    let n = 0;
    await this.inSlices(ids, (id) => (n += this.s.renew.run({ id, owner, until: now + leaseMs }).changes));
    return n;
  }

  async acknowledge(owner: string, packetId: string, acks: Ack[], now: number): Promise<void> {
    await this.inSlices(acks, (a) => {
      const n = this.s.ack.run({ id: a.id, owner, packet: packetId, mid: a.ministryRecordId, code: a.code, now }).changes;
      if (n > 0 && a.withdrawal) this.s.markWithdrawn.run({ by: a.id, packet: packetId, now });
    });
  }

  async scheduleRetry(owner: string, outcomes: (Outcome & { nextAttemptAt: number })[], now: number): Promise<void> {
    await this.inSlices(outcomes, (o) => this.s.retry.run({ id: o.id, owner, next: o.nextAttemptAt, code: o.code, reason: o.reason, now }));
  }

  async markDead(owner: string, outcomes: Outcome[], now: number): Promise<void> {
    await this.inSlices(outcomes, (o) => this.s.dead.run({ id: o.id, owner, code: o.code, reason: o.reason, now }));
  }

  async release(owner: string, ids: string[], now: number, due = now): Promise<void> {
    await this.inSlices(ids, (id) => this.s.release.run({ id, owner, now, due }));
  }

  async replay(selection: { ids?: string[]; filter?: RecordFilter }, reason: string, now: number): Promise<number> {
    const ids = selection.ids ?? (await this.listRecords({ ...selection.filter, state: 'dead', limit: Math.min(selection.filter?.limit ?? 100000, 100000) })).map((r) => r.id);
    let n = 0;
    this.write(() => this.db.transaction(() => {
      for (const id of ids) n += this.s.replayOne.run({ id, reason, now }).changes;
    })());
    await this.durable();
    return n;
  }

  async cancel(ids: string[], reason: string, now: number): Promise<number> {
    let n = 0;
    this.write(() => this.db.transaction(() => {
      for (const id of ids) n += this.s.cancelOne.run({ id, reason, now }).changes;
    })());
    await this.durable();
    return n;
  }

  async supersedeHeld(recordKey: string, vendor: string, byId: string, now: number): Promise<number> {
    const n = this.write(() => this.s.supersedeHeld.run({ key: recordKey, vendor, by: byId, now })).changes;
    await this.durable();
    return n;
  }

  async supersedeEarlier(recordKey: string, version: number, byId: string, now: number): Promise<number> {
    const n = this.write(() => this.s.supersedeEarlier.run({ key: recordKey, version, by: byId, now })).changes;
    await this.durable();
    return n;
  }

  async withdraw(req: WithdrawRequest): Promise<WithdrawOutcome> {
    const s = this.s;
    const target = s.getRecord.get(req.recordId) as Record<string, unknown> | undefined;
    const key = target?.record_key as string | null | undefined;
    if (!target || !key || target.state === 'rejected') return { kind: 'not-found' };
    // IMMEDIATE: it reads the record's book before it writes (see rotateCredential).
    const outcome = this.write(() => this.db.transaction((): WithdrawOutcome => {
      const blocker = bookBlocker(s.bookRows.all(key) as { id: string; state: string; kind: string }[]);
      if (blocker) return blocker;
      const cancelled = s.cancelUnsent.run({ key, reason: `withdrawn before it was sent: ${req.reason}`, now: req.now }).changes;
      const heldRow = s.heldByMinistry.get(key) as Record<string, unknown> | undefined;
      if (!heldRow) return cancelled > 0 ? { kind: 'cancelled', recordKey: key, cancelled } : { kind: 'nothing' };
      const held = toHeldVersion(heldRow);
      const version = Number((s.highestVersion.get(key) as { v: number }).v) + 1;
      const w = withdrawalXml({ recordKey: key, version, withdrawnContentHash: held.contentHash, reason: req.reason, requestedAt: new Date(req.now).toISOString() });
      const response = { withdrawal: req.withdrawalId, recordKey: key, withdrawnVersion: held.version, version };
      s.insertSubmission.run(req.submissionId, held.vendor ?? 'province', null, `withdrawal:${req.withdrawalId}`, JSON.stringify(response), req.now);
      s.insertWithdrawal.run({
        id: req.withdrawalId, submission: req.submissionId, key, hash: w.contentHash, maxAttempts: req.policy.maxAttempts,
        baseDelayMs: req.policy.baseDelayMs, capDelayMs: req.policy.capDelayMs, totalTimeMs: req.policy.totalTimeMs ?? null, now: req.now,
        reason: `withdrawal of version ${held.version}: ${req.reason}`, version, schoolId: held.schoolId, learnerId: held.learnerId,
        grade: held.grade, className: held.className, schoolYear: held.schoolYear, vendor: held.vendor,
      });
      s.insertPayload.run(req.withdrawalId, asBuffer(packPayload(w.xml)), null);
      return { kind: 'queued', recordKey: key, withdrawalId: req.withdrawalId, withdrawnVersion: held.version, version, cancelled };
    }).immediate());
    await this.durable();
    return outcome;
  }

  async countByState(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const r of this.s.countByState.all() as { state: string; n: number }[]) out[r.state] = r.n;
    return out;
  }
}

