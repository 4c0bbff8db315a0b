import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ProblemError } from '../errors/problem.js';
import type { AdminRole, Credential } from '../storage/store.js';

// Bearer keys. Only a SHA-256 of each key is stored, so a copy of the database does not hand
// out working keys; the keys themselves are shown once, when made.
//
// Who is asking: the `Authorization: Bearer` key first; without one, the dashboard's session
// (request.sessionPrincipal, set from its signed cookie by the dashboard's session plugin).
// Either way the credential is loaded from the store on every request, so a revocation or an
// expiry takes effect at once. Admin accounts carry a role: viewer reads, operator also replays
// and cancels, admin also manages credentials and reloads keys (requireRole).

/** The authenticated caller. `via`: 'page' when it came from the dashboard's session cookie. */
export interface Principal extends Credential {
  id: string;
  role: AdminRole | null;
  name: string | null;
  via: 'api' | 'page';
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** Set by the dashboard's session plugin from its signed cookie; null without a session. */
    sessionPrincipal: { credentialId: string } | null;
  }
  interface FastifyInstance {
    requireVendor(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** Any admin role (viewer and up): the read routes. */
    requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** An admin account whose role is `role` or above; others get 403 ROLE_FORBIDDEN. */
    requireRole(role: AdminRole): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    /** Any vendor key or admin account (request.principal is set after it). */
    requirePrincipal(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
}

export const ROLES: readonly AdminRole[] = Object.freeze(['viewer', 'operator', 'admin']);
const RANK: Record<AdminRole, number> = { viewer: 1, operator: 2, admin: 3 };

export function roleAllows(have: AdminRole | null | undefined, need: AdminRole): boolean {
  return !!have && RANK[have] >= RANK[need];
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Why a stored credential may not be used now (null: it may). Rotation's grace ends like an expiry. */
export function credentialRefusal(cred: Credential, now: number): 'AUTH_REVOKED' | 'AUTH_EXPIRED' | null {
  if (cred.revokedAt != null && cred.revokedAt <= now) return 'AUTH_REVOKED';
  if (cred.expiresAt != null && cred.expiresAt <= now) return 'AUTH_EXPIRED';
  if (cred.graceUntil != null && cred.graceUntil <= now) return 'AUTH_EXPIRED';
  return null;
}

const BEARER_INVALID = { 'www-authenticate': 'Bearer error="invalid_token"' };

async function authenticate(app: FastifyInstance, request: FastifyRequest): Promise<Principal> {
  if (request.principal) return request.principal;
  const header = request.headers.authorization;
  let cred: Credential | null;
  let via: Principal['via'] = 'api';
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new ProblemError('AUTH_MISSING', { headers: { 'www-authenticate': 'Bearer' } });
    cred = await app.services.store.findCredential(hashKey(m[1]));
  } else if (request.sessionPrincipal?.credentialId) {
    cred = await app.services.store.getCredential(request.sessionPrincipal.credentialId);
    via = 'page';
  } else {
    throw new ProblemError('AUTH_MISSING', { headers: { 'www-authenticate': 'Bearer' } });
  }
  if (!cred || !cred.id) throw new ProblemError('AUTH_INVALID', { headers: BEARER_INVALID });
  const refusal = credentialRefusal(cred, Date.now());
  if (refusal) throw new ProblemError(refusal, { headers: BEARER_INVALID });
  const principal: Principal = { ...cred, id: cred.id, role: cred.role ?? null, name: cred.name ?? null, via };
  request.principal = principal;
  return principal;
}

async function auth(app: FastifyInstance): Promise<void> {
  app.decorateRequest('principal', null);
  // The dashboard's session plugin may declare it too; whichever registers first does.
  if (!app.hasRequestDecorator('sessionPrincipal')) app.decorateRequest('sessionPrincipal', null);
  app.decorate('requireVendor', async (request: FastifyRequest) => {
    const cred = await authenticate(app, request);
    if (cred.kind !== 'vendor') throw new ProblemError('FORBIDDEN');
  });
  const requireRole = (role: AdminRole) => async (request: FastifyRequest) => {
    const cred = await authenticate(app, request);
    if (cred.kind !== 'admin') throw new ProblemError('FORBIDDEN');
    if (!roleAllows(cred.role, role)) {
      throw new ProblemError('ROLE_FORBIDDEN', {
        detail: `Role ${cred.role ?? 'none'} may not do this; it needs ${role} or above.`,
        detail_vi: `Vai trò ${cred.role ?? 'không có'} không được làm việc này; cần vai trò ${role} trở lên.`,
      });
    }
  };
  app.decorate('requireRole', requireRole);
  // Any working credential, vendor or admin: routes that then decide by the record (the PDF).
  app.decorate('requirePrincipal', async (request: FastifyRequest) => {
    await authenticate(app, request);
  });
  app.decorate('requireAdmin', requireRole('viewer'));
}

export default fp(auth, { name: 'auth', dependencies: ['services'] });
