import type { AuditFilter, ProgressRow, RecordFilter } from './store.js';

// One translation of a record filter into SQL for both backends (their column names are the
// same); `arg` binds a value and returns its placeholder (`?` for SQLite, `$n` for PostgreSQL).

export function recordWhere(f: RecordFilter, arg: (v: unknown) => string): string[] {
  const where: string[] = [];
  if (f.state) where.push(`state = ${arg(f.state)}`);
  if (f.states) where.push(f.states.length ? `state IN (${f.states.map((s) => arg(s)).join(', ')})` : '1 = 0');
  if (f.submissionId) where.push(`submission_id = ${arg(f.submissionId)}`);
  if (f.code) where.push(`last_code = ${arg(f.code)}`);
  if (f.school) where.push(`school_id = ${arg(f.school)}`);
  if (f.vendor) where.push(`vendor = ${arg(f.vendor)}`);
  if (f.learnerId) where.push(`learner_id = ${arg(f.learnerId)}`);
  if (f.recordKey) where.push(`record_key = ${arg(f.recordKey)}`);
  if (f.className) where.push(`class_name = ${arg(f.className)}`);
  if (f.grade !== undefined) where.push(`grade = ${arg(f.grade)}`);
  const time = f.timeField === 'createdAt' ? 'created_at' : 'updated_at';
  if (f.from !== undefined) where.push(`${time} >= ${arg(f.from)}`);
  if (f.to !== undefined) where.push(`${time} <= ${arg(f.to)}`);
  if (f.beforeId) where.push(`id < ${arg(f.beforeId)}`);
  return where;
}

/** Submission order for one submission's records unpaged; newest first (by UUIDv7 id) otherwise. */
export function recordOrder(f: RecordFilter): string {
  return f.submissionId && !f.beforeId ? 'idx' : 'id DESC';
}

export function auditWhere(f: AuditFilter, arg: (v: unknown) => string): string[] {
  const where: string[] = [];
  if (f.action) where.push(`action = ${arg(f.action)}`);
  if (f.actorId) where.push(`actor_id = ${arg(f.actorId)}`);
  if (f.from !== undefined) where.push(`at >= ${arg(f.from)}`);
  if (f.to !== undefined) where.push(`at <= ${arg(f.to)}`);
  if (f.beforeId !== undefined) where.push(`id < ${arg(f.beforeId)}`);
  return where;
}

export const PROGRESS_COLUMN = { school: 'school_id', vendor: 'vendor', grade: 'grade' } as const;

/** States of records still to be delivered: queue depth and the oldest queued age. */
export const WAITING_STATES = ['queued', 'retry', 'sending'] as const;

const CREDENTIAL_COLUMNS = 'id, kind, vendor, schools, role, name, created_at, expires_at, revoked_at, grace_until, replaced_by';
export { CREDENTIAL_COLUMNS };

const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function toCredential(r: Record<string, unknown>): import('./store.js').Credential {
  return {
    id: r.id as string,
    kind: r.kind as 'vendor' | 'admin',
    vendor: (r.vendor as string | null) ?? null,
    schools: r.schools ? (JSON.parse(r.schools as string) as string[]) : null,
    role: (r.role as import('./store.js').AdminRole | null) ?? null,
    name: (r.name as string | null) ?? null,
    createdAt: Number(r.created_at),
    expiresAt: n(r.expires_at),
    revokedAt: n(r.revoked_at),
    graceUntil: n(r.grace_until),
    replacedBy: (r.replaced_by as string | null) ?? null,
  };
}

export function toAudit(r: Record<string, unknown>): import('./store.js').AuditEntry {
  return {
    id: Number(r.id),
    at: Number(r.at),
    actorId: r.actor_id as string | null,
    actorName: r.actor_name as string | null,
    role: r.role as string | null,
    action: r.action as string,
    target: r.target as string | null,
    count: n(r.count),
    reason: r.reason as string | null,
    source: r.source as string | null,
    via: r.via as 'api' | 'cli' | 'page',
  };
}

/** Rows of (group, state, count) and (group, oldest) into one ProgressRow per group (both backends). */
export function groupProgress(counts: { k: unknown; state: string; n: unknown }[], oldest: { k: unknown; t: unknown }[], heldForId: { k: unknown; n: unknown }[] = []): ProgressRow[] {
  const byKey = new Map<string, ProgressRow>();
  const keyOf = (k: unknown) => (k === null || k === undefined ? null : String(k));
  const row = (k: unknown) => {
    const key = keyOf(k);
    let r = byKey.get(String(key));
    if (!r) byKey.set(String(key), (r = { key, counts: {}, oldestQueuedAt: null, heldForPersonalId: 0 }));
    return r;
  };
  for (const c of counts) row(c.k).counts[c.state] = Number(c.n);
  for (const o of oldest) row(o.k).oldestQueuedAt = o.t === null ? null : Number(o.t);
  for (const h of heldForId) row(h.k).heldForPersonalId = Number(h.n);
  return [...byKey.values()];
}
