import type { FastifyRequest } from 'fastify';
import { userInfo } from 'node:os';
import type { AuditEntry, Store } from '../storage/store.js';

// The audit log: every admin action, through the API, the dashboard or the CLI, is one
// append-only row (who, role, action, what it targeted, how many records, reason, when, from where).
// The store has no path to change or remove a row, and triggers refuse UPDATE and DELETE.

export interface Actor {
  id: string | null;
  name: string | null;
  role: string | null;
  via: AuditEntry['via'];
  /** Source address (HTTP) or host (CLI). */
  source: string | null;
}

export type AuditAction =
  | 'replay'
  | 'cancel'
  | 'credentials.create'
  | 'credentials.revoke'
  | 'credentials.rotate'
  | 'admins.create'
  | 'admins.revoke'
  | 'keys.reload'
  | 'purge'
  | 'sign-in'
  | 'sign-out'
  | 'record.pdf'
  | 'withdraw';

export interface AuditWhat {
  action: AuditAction;
  /** Ids, or the filter, of what was acted on. */
  target?: unknown;
  count?: number | null;
  reason?: string | null;
}

export async function audit(store: Store, actor: Actor, what: AuditWhat, now = Date.now()): Promise<void> {
  await store.appendAudit({
    at: now,
    actorId: actor.id,
    actorName: actor.name,
    role: actor.role,
    action: what.action,
    target: what.target === undefined ? null : typeof what.target === 'string' ? what.target : JSON.stringify(what.target),
    count: what.count ?? null,
    reason: what.reason ?? null,
    source: actor.source,
    via: actor.via,
  });
}

/** The actor of an authenticated admin request. */
export function actorOf(request: FastifyRequest): Actor {
  const p = request.principal;
  return { id: p?.id ?? null, name: p?.name ?? null, role: p?.role ?? null, via: p?.via ?? 'api', source: request.ip };
}

/** The actor of a CLI command: "cli:<os user>", whose role is that of whoever can run the CLI on the server. */
export function cliActor(): Actor {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    /* no passwd entry (containers): keep $USER */
  }
  return { id: `cli:${user}`, name: `cli:${user}`, role: 'admin', via: 'cli', source: 'cli' };
}

export function auditView(e: AuditEntry) {
  let target: unknown = e.target;
  try {
    target = e.target === null ? null : JSON.parse(e.target);
  } catch {
    /* kept as text */
  }
  return { id: String(e.id), at: new Date(e.at).toISOString(), actorId: e.actorId, actorName: e.actorName, role: e.role, action: e.action, target, count: e.count, reason: e.reason, source: e.source, via: e.via };
}
