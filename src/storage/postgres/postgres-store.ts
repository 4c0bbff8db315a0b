import { randomUUID } from 'node:crypto';
import pg from 'pg';
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
import { countPurgeable, insertPayload, purgePayloads } from '../outbox/payloads.js';
import { claim, expireLost, release, renewLease } from '../outbox/claim.js';
import { acknowledge, markDead, scheduleRetry } from '../outbox/outcomes.js';
import { countByState, foldCounts, heldForPersonalId, keyOfCounter, oldestWaiting, progressCounts } from '../outbox/progress.js';
import { syncRecordStates } from '../outbox/record-states.js';
import { lookupRecord, recordPayloads, toLookupRow, type LookupRow } from '../outbox/lookup.js';
import { RECORD_STATES } from '../../delivery/states.js';
import { asBuffer, packPayload, storedPayload, unpackPayload } from '../payload.js';
import { auditWhere, CREDENTIAL_COLUMNS, groupProgress, PROGRESS_COLUMN, recordOrder, recordWhere, toAudit, toCredential, WAITING_STATES } from '../record-filter.js';
import { firstEventOf } from '../outbox/first-event.js';

// The backend for provinces that run several gateway replicas: they share one PostgreSQL and
// split the work with `FOR UPDATE SKIP LOCKED` claims and leases. A replica that dies leaves
// leases that expire; another claims those records then. Every state change is one statement,
// guarded by the lease owner, and a trigger writes it to the timeline.
//
// The schema comes from the connection string's search_path (e.g.
// `postgres://…/db?options=-c%20search_path%3Dhocba`), so that tests and tenants can share a server.

const RECORD_COLUMNS = `id, submission_id, idx, record_key, content_hash, state, errors, attempts, max_attempts,
  next_attempt_at, last_code, last_reason, ministry_record_id, packet_id, signatures, created_at, updated_at,
  school_id, vendor, learner_id, grade, class_name, kind`;

type Row = Record<string, unknown>;

/** BIGINT columns arrive as strings (they may exceed 2^53); ours are epoch milliseconds and counts. */
const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toSubmission(r: Row): StoredSubmission {
  return {
    id: r.id as string,
    vendor: r.vendor as string,
    idempotencyKey: r.idempotency_key as string | null,
    requestHash: r.request_hash as string,
    response: JSON.parse(r.response as string),
    createdAt: num(r.created_at),
  };
}

function toRecordRow(r: Row): RecordRow {
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
    nextAttemptAt: num(r.next_attempt_at),
    lastCode: r.last_code as string | null,
    lastReason: r.last_reason as string | null,
    ministryRecordId: r.ministry_record_id as string | null,
    packetId: r.packet_id as string | null,
    errors: r.errors ? JSON.parse(r.errors as string) : null,
    signatures: r.signatures ? JSON.parse(r.signatures as string) : null,
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    schoolId: (r.school_id as string | null) ?? null,
    vendor: (r.vendor as string | null) ?? null,
    learnerId: (r.learner_id as string | null) ?? null,
    grade: (r.grade as number | null) ?? null,
    className: (r.class_name as string | null) ?? null,
  };
}

function toClaimed(r: Row, held: ReadonlySet<string>): ClaimedRecord {
  return {
    event: eventOf(r.kind as RecordKind, held.has(r.record_key as string)),
    id: r.id as string,
    recordKey: r.record_key as string,
    contentHash: r.content_hash as string,
    recordXml: unpackPayload(r.record_xml) as string,
    attempts: r.attempts as number,
    maxAttempts: r.max_attempts as number,
    baseDelayMs: num(r.base_delay_ms),
    capDelayMs: num(r.cap_delay_ms),
    totalTimeMs: numOrNull(r.total_time_ms),
    windowStartedAt: num(r.window_started_at),
  };
}

export interface PostgresStoreOptions {
  /** Connections per replica (pg.Pool max). */
  poolSize?: number;
}

/** How often the progress counters' changes are folded into them. */
const FOLD_INTERVAL_MS = 5000;

export class PostgresStore implements Store {
  readonly backend = 'postgres';
  private readonly pool: pg.Pool;

  constructor(connectionString: string, opts: PostgresStoreOptions = {}) {
    this.pool = new pg.Pool({ connectionString, max: opts.poolSize ?? 10 });
    // An idle connection that breaks (server restart, network) must not crash the process:
    // the pool drops it and the next query opens a fresh one or fails where it is awaited.
    this.pool.on('error', () => undefined);
    // The progress counters' appended changes are folded into them a few seconds later (migration
    // 11): readers add what is not folded yet, so this only keeps record_count_changes short. A
    // fold that fails (the database down) is tried again at the next tick.
    this.folding = setInterval(() => void this.q(foldCounts.postgres).catch(() => undefined), FOLD_INTERVAL_MS);
    this.folding.unref();
  }

  private readonly folding: NodeJS.Timeout;

  private async q(sql: string, params: unknown[] = []): Promise<pg.QueryResult<Row>> {
    return this.pool.query<Row>(sql, params);
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    // A checked-out client has no pool listener: a connection cut while it is held (a server
    // restart) would be an unhandled 'error' event and end the process. The query in progress
    // fails on its own; the client is then released as broken and the pool opens a fresh one.
    let broken: Error | undefined;
    const onError = (e: Error) => (broken = e);
    c.on('error', onError);
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.off('error', onError);
      c.release(broken);
    }
  }

  async migrate(): Promise<void> {
    await this.tx(async (c) => {
      // Per schema, so that replicas of one gateway serialise and separate schemas do not.
      await c.query(`SELECT pg_advisory_xact_lock(hashtext('hocba-gateway migrations ' || current_schema()))`);
      await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
      const done = new Set((await c.query<{ id: number }>('SELECT id FROM schema_migrations')).rows.map((r) => r.id));
      for (const m of MIGRATIONS) {
        if (done.has(m.id)) continue;
        await c.query(m.sql);
        await c.query('INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)', [m.id, m.name, Date.now()]);
      }
      await c.query(syncRecordStates.postgres, [RECORD_STATES]);
    });
  }

  async ping(): Promise<void> {
    await this.q('SELECT 1');
  }

  async close(): Promise<void> {
    clearInterval(this.folding);
    await this.pool.end();
  }

  async addCredential(keyHash: string, cred: Credential): Promise<void> {
    await this.q(
      `INSERT INTO credentials (key_hash, id, kind, vendor, schools, role, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [keyHash, cred.id ?? `c_${randomUUID()}`, cred.kind, cred.vendor, cred.schools ? JSON.stringify(cred.schools) : null, cred.role ?? null, cred.name ?? null, cred.createdAt ?? Date.now(), cred.expiresAt ?? null],
    );
  }

  async findCredential(keyHash: string): Promise<Credential | null> {
    const { rows } = await this.q(`SELECT ${CREDENTIAL_COLUMNS} FROM credentials WHERE key_hash = $1`, [keyHash]);
    return rows[0] ? toCredential(rows[0]) : null;
  }

  async getCredential(id: string): Promise<Credential | null> {
    const { rows } = await this.q(`SELECT ${CREDENTIAL_COLUMNS} FROM credentials WHERE id = $1`, [id]);
    return rows[0] ? toCredential(rows[0]) : null;
  }

  async listCredentials(kind?: Credential['kind']): Promise<Credential[]> {
    const { rows } = await this.q(`SELECT ${CREDENTIAL_COLUMNS} FROM credentials WHERE $1::text IS NULL OR kind = $1 ORDER BY created_at DESC, id`, [kind ?? null]);
    return rows.map(toCredential);
  }

  async revokeCredential(id: string, now: number): Promise<boolean> {
    const res = await this.q('UPDATE credentials SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [id, now]);
    return (res.rowCount ?? 0) > 0;
  }

  async rotateCredential(id: string, newKeyHash: string, graceUntil: number, now: number): Promise<Credential | null> {
    const newId = `c_${randomUUID()}`;
    const done = await this.tx(async (c) => {
      const { rows } = await c.query<Row>('SELECT * FROM credentials WHERE id = $1 FOR UPDATE', [id]);
      const old = rows[0];
      if (!old || old.revoked_at !== null) return false;
      await c.query(
        `INSERT INTO credentials (key_hash, id, kind, vendor, schools, role, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [newKeyHash, newId, old.kind, old.vendor, old.schools, old.role, old.name, now, old.expires_at],
      );
      await c.query('UPDATE credentials SET grace_until = $2, replaced_by = $3 WHERE id = $1', [id, graceUntil, newId]);
      return true;
    });
    return done ? this.getCredential(newId) : null;
  }

  async appendAudit(e: NewAuditEntry): Promise<void> {
    await this.q(
      `INSERT INTO audit_log (at, actor_id, actor_name, role, action, target, count, reason, source, via) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [e.at, e.actorId, e.actorName, e.role, e.action, e.target, e.count, e.reason, e.source, e.via],
    );
  }

  async listAudit(f: AuditFilter): Promise<AuditEntry[]> {
    const args: unknown[] = [];
    const arg = (v: unknown) => (args.push(v), `$${args.length}`);
    const where = auditWhere(f, arg);
    const { rows } = await this.q(`SELECT * FROM audit_log ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ${arg(f.limit)}`, args);
    return rows.map(toAudit);
  }

  async countCredentials(): Promise<number> {
    return num((await this.q('SELECT count(*) AS n FROM credentials')).rows[0].n);
  }

  async findSubmissionByIdempotencyKey(vendor: string, key: string): Promise<StoredSubmission | null> {
    const { rows } = await this.q('SELECT * FROM submissions WHERE vendor = $1 AND idempotency_key = $2', [vendor, key]);
    return rows[0] ? toSubmission(rows[0]) : null;
  }

  async insertSubmission(sub: NewSubmission, records: NewRecord[], policy: RetryPolicy): Promise<void> {
    await this.tx(async (c) => {
      await c.query('INSERT INTO submissions (id, vendor, idempotency_key, request_hash, response, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        sub.id, sub.vendor, sub.idempotencyKey, sub.requestHash, JSON.stringify(sub.response), sub.createdAt,
      ]);
      const payloads = records.map(storedPayload);
      const firsts = records.map((r) => firstEventOf(r, sub.vendor));
      // One statement for the whole batch: arrays in, one row per element out.
      await c.query(
        `INSERT INTO records (id, submission_id, idx, record_key, content_hash, payload_kept, state, errors, record_version,
           signatures, max_attempts, base_delay_ms, cap_delay_ms, total_time_ms, window_started_at, next_attempt_at,
           last_code, last_reason, created_at, updated_at, school_id, learner_id, grade, class_name, school_year, vendor, lookup_code)
         SELECT u.id, $10, u.idx, u.record_key, u.content_hash, u.payload_kept, u.state, u.errors, u.version, u.signatures,
           $11, $12, $13, $14, $15, $15,
           u.last_code, u.last_reason,
           $15, $15, u.school_id, u.learner_id, u.grade, u.class_name, u.school_year, $16, u.lookup_code
         FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::smallint[], $6::text[], $7::text[], $8::int[], $9::text[],
                     $17::text[], $18::text[], $19::int[], $20::text[], $21::text[], $22::text[], $23::text[], $24::text[])
           AS u(id, idx, record_key, content_hash, payload_kept, state, errors, version, signatures,
                school_id, learner_id, grade, class_name, school_year, lookup_code, last_code, last_reason)`,
        [
          records.map((r) => r.id),
          records.map((r) => r.index),
          records.map((r) => r.recordKey),
          records.map((r) => r.contentHash),
          payloads.map((p) => (p ? 1 : null)),
          records.map((r) => r.state),
          records.map((r) => (r.errors ? JSON.stringify(r.errors) : null)),
          records.map((r) => r.version),
          records.map((r) => (r.signatures ? JSON.stringify(r.signatures) : null)),
          sub.id,
          policy.maxAttempts,
          policy.baseDelayMs,
          policy.capDelayMs,
          policy.totalTimeMs ?? null,
          sub.createdAt,
          sub.vendor,
          records.map((r) => r.schoolId ?? null),
          records.map((r) => r.learnerId ?? null),
          records.map((r) => r.grade ?? null),
          records.map((r) => r.className ?? null),
          records.map((r) => r.schoolYear ?? null),
          records.map((r) => r.lookupCode ?? null),
          firsts.map((f) => f.code),
          firsts.map((f) => f.reason),
        ],
      );
      const stored = records.flatMap((r, i) => (payloads[i] ? [{ id: r.id, ...payloads[i]! }] : []));
      if (stored.length > 0) {
        await c.query(insertPayload.postgres, [stored.map((p) => p.id), stored.map((p) => p.recordXml), stored.map((p) => p.signedXml)]);
      }
    });
  }

  async getSubmission(id: string): Promise<StoredSubmission | null> {
    const { rows } = await this.q('SELECT * FROM submissions WHERE id = $1', [id]);
    return rows[0] ? toSubmission(rows[0]) : null;
  }

  async listSubmissions(vendor: string, o: { beforeId?: string; limit: number }): Promise<StoredSubmission[]> {
    const { rows } = await this.q(
      `SELECT * FROM submissions WHERE vendor = $1 AND ($2::text IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
      [vendor, o.beforeId ?? null, o.limit],
    );
    return rows.map(toSubmission);
  }

  async latestVersions(recordKeys: readonly string[]): Promise<Map<string, AcceptedVersion>> {
    const out = new Map<string, AcceptedVersion>();
    if (recordKeys.length === 0) return out;
    const { rows } = await this.q(
      `SELECT DISTINCT ON (record_key) record_key, record_version, content_hash,
         bool_or(state = 'held') OVER (PARTITION BY record_key) AS held,
         bool_or(state = 'held' AND last_code = 'SIGNATURES_INCOMPLETE') OVER (PARTITION BY record_key) AS held_for_signatures FROM records
       WHERE record_key = ANY($1::text[]) AND state <> 'rejected' AND record_version IS NOT NULL
       ORDER BY record_key, record_version DESC`,
      [recordKeys],
    );
    for (const r of rows) out.set(r.record_key as string, { version: r.record_version as number, contentHash: r.content_hash as string, held: r.held === true, heldForSignatures: r.held_for_signatures === true });
    return out;
  }

  async listRecords(f: RecordFilter): Promise<RecordRow[]> {
    const args: unknown[] = [];
    const arg = (v: unknown) => (args.push(v), `$${args.length}`);
    const where = recordWhere(f, arg);
    const sql = `SELECT ${RECORD_COLUMNS} FROM records ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
      ORDER BY ${recordOrder(f)} LIMIT ${arg(f.limit ?? 1000)}`;
    return (await this.q(sql, args)).rows.map(toRecordRow);
  }

  async countRecords(f: RecordFilter): Promise<number> {
    const args: unknown[] = [];
    const where = recordWhere({ ...f, beforeId: undefined }, (v) => (args.push(v), `$${args.length}`));
    return num((await this.q(`SELECT count(*) AS n FROM records ${where.length ? 'WHERE ' + where.join(' AND ') : ''}`, args)).rows[0].n);
  }

  async progress(groupBy: 'school' | 'vendor' | 'grade'): Promise<ProgressRow[]> {
    const [counts, oldest, heldForId] = await Promise.all([this.q(progressCounts.postgres, [groupBy]), this.q(oldestWaiting.postgres(groupBy)), this.q(heldForPersonalId.postgres(groupBy))]);
    return groupProgress(counts.rows.map((c) => ({ k: keyOfCounter(c.k), state: c.state as string, n: c.n })), oldest.rows as never, heldForId.rows.map((h) => ({ k: keyOfCounter(h.k), n: h.n })));
  }

  async oldestQueuedAt(): Promise<number | null> {
    const { rows } = await this.q(`SELECT min(created_at) AS t FROM records WHERE state IN (${WAITING_STATES.map((s) => `'${s}'`).join(', ')})`);
    return numOrNull(rows[0].t);
  }

  async purgePayloads(before: number, limit: number): Promise<PurgeBatch> {
    // The deleted payload rows' space is reused by autovacuum; no rewrite of the table.
    const r = (await this.q(purgePayloads.postgres, [before, limit])).rows[0];
    return { walked: num(r.walked), purged: num(r.purged) };
  }

  async countPurgeable(before: number): Promise<number> {
    return num((await this.q(countPurgeable.postgres, [before])).rows[0].n);
  }

  async reclaimSpace(): Promise<void> {
    // autovacuum marks the cleared rows' space free for new rows.
  }

  async getRecord(id: string): Promise<RecordRow | null> {
    const { rows } = await this.q(`SELECT ${RECORD_COLUMNS} FROM records WHERE id = $1`, [id]);
    return rows[0] ? toRecordRow(rows[0]) : null;
  }

  async lookup(lookupCode: string): Promise<LookupRow | null> {
    const { rows } = await this.q(lookupRecord.postgres, [lookupCode]);
    return rows[0] ? toLookupRow(rows[0], unpackPayload) : null;
  }

  async recordPayloads(id: string): Promise<{ recordXml: string | null; signedXml: string | null } | null> {
    const { rows } = await this.q(recordPayloads.postgres, [id]);
    return rows[0] ? { recordXml: unpackPayload(rows[0].record_xml), signedXml: unpackPayload(rows[0].signed_xml) } : null;
  }

  async recordEvents(id: string): Promise<RecordEvent[]> {
    const { rows } = await this.q('SELECT at, from_state, to_state, code, reason FROM record_events WHERE record_id = $1 ORDER BY id', [id]);
    return rows.map((e) => ({
      at: num(e.at),
      fromState: e.from_state as RecordEvent['fromState'],
      toState: e.to_state as RecordEvent['toState'],
      code: e.code as string | null,
      reason: e.reason as string | null,
    }));
  }

  async claim(owner: string, limit: number, now: number, leaseMs: number): Promise<ClaimedRecord[]> {
    // A lease holds up to and including lease_until, as in the SQLite backend.
    await this.q(expireLost.postgres, [now]);
    const { rows } = await this.q(claim.postgres, [owner, now, now + leaseMs, limit]);
    const keys = [...new Set(rows.filter((r) => r.kind === 'record').map((r) => r.record_key as string))];
    const held = new Set(keys.length ? (await this.q(ministryHolds.postgres, [keys])).rows.map((r) => r.record_key as string) : []);
    return rows.map((r) => toClaimed(r, held));
  }

  async renewLease(owner: string, ids: string[], now: number, leaseMs: number): Promise<number> {
    if (ids.length === 0) return 0;
    return (await this.q(renewLease.postgres, [owner, now + leaseMs, ids])).rowCount ?? 0;
  }

  async acknowledge(owner: string, packetId: string, acks: Ack[], now: number): Promise<void> {
    if (acks.length === 0) return;
    await this.q(acknowledge.postgres, [owner, packetId, now, acks.map((a) => a.id), acks.map((a) => a.ministryRecordId), acks.map((a) => a.code)]);
    const withdrawals = acks.filter((a) => a.withdrawal).map((a) => a.id);
    if (withdrawals.length) await this.q(markWithdrawn.postgres, [withdrawals, packetId, now]);
  }

  async scheduleRetry(owner: string, outcomes: (Outcome & { nextAttemptAt: number })[], now: number): Promise<void> {
    if (outcomes.length === 0) return;
    await this.q(scheduleRetry.postgres, [owner, now, outcomes.map((o) => o.id), outcomes.map((o) => o.nextAttemptAt), outcomes.map((o) => o.code), outcomes.map((o) => o.reason)]);
  }

  async markDead(owner: string, outcomes: Outcome[], now: number): Promise<void> {
    if (outcomes.length === 0) return;
    await this.q(markDead.postgres, [owner, now, outcomes.map((o) => o.id), outcomes.map((o) => o.code), outcomes.map((o) => o.reason)]);
  }

  async release(owner: string, ids: string[], now: number, due = now): Promise<void> {
    if (ids.length === 0) return;
    await this.q(release.postgres, [owner, now, ids, due]);
  }

  async replay(selection: { ids?: string[]; filter?: RecordFilter }, reason: string, now: number): Promise<number> {
    const ids = selection.ids ?? (await this.listRecords({ ...selection.filter, state: 'dead', limit: Math.min(selection.filter?.limit ?? 100000, 100000) })).map((r) => r.id);
    if (ids.length === 0) return 0;
    const res = await this.q(
      `UPDATE records SET state = 'queued', attempts = 0, next_attempt_at = $1, window_started_at = $1, last_code = 'REPLAY',
         last_reason = $2, updated_at = $1
       WHERE id = ANY($3::text[]) AND state = 'dead'`,
      [now, reason, ids],
    );
    return res.rowCount ?? 0;
  }

  async cancel(ids: string[], reason: string, now: number): Promise<number> {
    if (ids.length === 0) return 0;
    const res = await this.q(
      `UPDATE records SET state = 'cancelled', last_code = 'CANCELLED', last_reason = $2, updated_at = $1
       WHERE id = ANY($3::text[]) AND state IN ('queued', 'retry', 'dead', 'held')`,
      [now, reason, ids],
    );
    return res.rowCount ?? 0;
  }

  async supersedeHeld(recordKey: string, vendor: string, byId: string, now: number): Promise<number> {
    const res = await this.q(
      `UPDATE records SET state = 'superseded', last_code = 'SUPERSEDED', last_reason = 'superseded by record ' || $3::text,
         updated_at = $4
       WHERE state = 'held' AND record_key = $1 AND id <> $3
         AND submission_id IN (SELECT id FROM submissions WHERE vendor = $2)`,
      [recordKey, vendor, byId, now],
    );
    return res.rowCount ?? 0;
  }

  async supersedeEarlier(recordKey: string, version: number, byId: string, now: number): Promise<number> {
    return (await this.q(supersedeEarlier.postgres, [recordKey, version, byId, now])).rowCount ?? 0;
  }

  async withdraw(req: WithdrawRequest): Promise<WithdrawOutcome> {
    const target = (await this.q(`SELECT record_key, state FROM records WHERE id = $1`, [req.recordId])).rows[0];
    const key = target?.record_key as string | null | undefined;
    if (!target || !key || target.state === 'rejected') return { kind: 'not-found' };
    return this.tx(async (c): Promise<WithdrawOutcome> => {
      const blocker = bookBlocker((await c.query(bookRows.postgres, [key])).rows);
      if (blocker) return blocker;
      const cancelled = (await c.query(cancelUnsent.postgres, [key, `withdrawn before it was sent: ${req.reason}`, req.now])).rowCount ?? 0;
      const heldRow = (await c.query(heldByMinistry.postgres, [key])).rows[0];
      if (!heldRow) return cancelled > 0 ? { kind: 'cancelled', recordKey: key, cancelled } : { kind: 'nothing' };
      const held = toHeldVersion(heldRow);
      const version = Number((await c.query(highestVersion.postgres, [key])).rows[0].v) + 1;
      const w = withdrawalXml({ recordKey: key, version, withdrawnContentHash: held.contentHash, reason: req.reason, requestedAt: new Date(req.now).toISOString() });
      const response = { withdrawal: req.withdrawalId, recordKey: key, withdrawnVersion: held.version, version };
      await c.query('INSERT INTO submissions (id, vendor, idempotency_key, request_hash, response, created_at) VALUES ($1, $2, NULL, $3, $4, $5)', [
        req.submissionId, held.vendor ?? 'province', `withdrawal:${req.withdrawalId}`, JSON.stringify(response), req.now,
      ]);
      await c.query(insertWithdrawal.postgres, [
        req.withdrawalId, req.submissionId, key, w.contentHash, req.policy.maxAttempts, req.policy.baseDelayMs, req.policy.capDelayMs,
        req.policy.totalTimeMs ?? null, req.now, `withdrawal of version ${held.version}: ${req.reason}`, version,
        held.schoolId, held.learnerId, held.grade, held.className, held.schoolYear, held.vendor,
      ]);
      await c.query(insertPayload.postgres, [[req.withdrawalId], [asBuffer(packPayload(w.xml))], [null]]);
      return { kind: 'queued', recordKey: key, withdrawalId: req.withdrawalId, withdrawnVersion: held.version, version, cancelled };
    });
  }

  async countByState(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const r of (await this.q(countByState.postgres)).rows) out[r.state as string] = num(r.n);
    return out;
  }
}
