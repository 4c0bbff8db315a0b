import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ProblemError } from '../errors/problem.js';
import type { Credential } from '../storage/store.js';
import { hashKey } from './auth.js';

// The dashboard's session: an admin signs in once with an admin token and the browser keeps a
// signed, HttpOnly, SameSite=Strict cookie for eight hours instead of the token. The cookie names
// the credential and its expiry; nothing is kept on the server, so replicas sharing DATA_DIR (and
// so the secret) accept each other's sessions. Actions the cookie authenticates carry a CSRF token
// (x-csrf-token) bound to the session: an HMAC of the cookie, which a page of another origin can
// neither read nor compute.

export const SESSION_COOKIE = 'hocba_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Set from a valid session cookie; null without one. The same declaration as the admin API's
     * auth plugin. credentialId is the credential's id, or, while the store has no ids (before the
     * admin API), 'h:' and the SHA-256 of its key.
     */
    sessionPrincipal: { credentialId: string } | null;
  }
  interface FastifyInstance {
    /** The CSRF token pages send back in x-csrf-token; null without a valid session. */
    csrfTokenFor(request: FastifyRequest): string | null;
  }
}

/** Store methods that arrive with the admin API (ids on credentials, the audit log); used when present. */
type StoreWithIds = {
  getCredential?(id: string): Promise<(Credential & { id?: string }) | null>;
  appendAudit?(entry: { at: number; actorId: string | null; actorName: string | null; role: string | null; action: string; target: string | null; count: number | null; reason: string | null; source: string | null; via: 'page' }): Promise<void>;
};

/** Sign-ins and sign-outs go to the audit log beside the actions (once the store has one). */
async function auditSession(app: FastifyInstance, request: FastifyRequest, cred: Credential, action: 'sign-in' | 'sign-out'): Promise<void> {
  const store = app.services.store as typeof app.services.store & StoreWithIds;
  if (typeof store.appendAudit !== 'function') return;
  const c = cred as Credential & { id?: string; name?: string | null; role?: string | null };
  await store.appendAudit({ at: Date.now(), actorId: c.id ?? null, actorName: c.name ?? null, role: c.role ?? null, action, target: null, count: null, reason: null, source: request.ip, via: 'page' });
}

/**
 * The 32-byte secret that signs session cookies: settings `admin.sessionSecret`, else
 * `<dataDir>/session-secret` (mode 0600), made at first start. Replicas sharing DATA_DIR read the
 * same file; the `wx` flag makes the first writer win when two start at once.
 */
export function sessionSecret(dataDir: string, configured: string | null | undefined): string {
  if (configured) {
    if (configured.length < 32) throw new Error('admin.sessionSecret (ADMIN_SESSION_SECRET) must be at least 32 characters');
    return configured;
  }
  const path = join(dataDir, 'session-secret');
  const read = () => {
    const secret = readFileSync(path, 'utf8').trim();
    if (secret.length < 32) throw new Error(`${path} holds no usable secret (under 32 characters); delete it to make a new one`);
    return secret;
  };
  try {
    return read();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(path, randomBytes(32).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return read();
}

/** A credential may open a session when it is an admin's and neither revoked nor expired. */
function usable(cred: Credential | null, now: number): cred is Credential {
  if (!cred || cred.kind !== 'admin') return false;
  // The admin API's credentials carry these (epoch ms); a rotated key's grace ends like an expiry.
  const c = cred as Credential & { revokedAt?: number | null; expiresAt?: number | null; graceUntil?: number | null };
  for (const end of [c.revokedAt, c.expiresAt, c.graceUntil]) if (end != null && end <= now) return false;
  return true;
}

/**
 * The credential the session cookie names, checked again on every request (a revoked or expired
 * key ends its sessions at once); null without a valid session. auth.ts calls it when a request
 * has no Authorization header. One place to change when sessions name credential ids only.
 */
export async function sessionCredential(app: FastifyInstance, request: FastifyRequest): Promise<Credential | null> {
  const id = request.sessionPrincipal?.credentialId;
  if (!id) return null;
  const store = app.services.store as typeof app.services.store & StoreWithIds;
  let cred: Credential | null = null;
  if (id.startsWith('h:')) cred = await store.findCredential(id.slice(2));
  else if (store.getCredential) cred = await store.getCredential(id);
  return usable(cred, Date.now()) ? cred : null;
}

function hmac(secret: string, what: string): string {
  return createHmac('sha256', secret).update(what).digest('base64url');
}

function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (!origin || origin === 'null') return origin === undefined;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

function wantsHtml(request: FastifyRequest): boolean {
  return !String(request.headers['content-type'] ?? '').includes('json') && String(request.headers.accept ?? '').includes('text/html');
}

export interface SessionOptions {
  /** Renders the sign-in page with an error (the dashboard's); without it errors are problems. */
  loginPage?: (request: FastifyRequest, reply: FastifyReply, error: ProblemError) => unknown;
}

async function session(app: FastifyInstance, opts: SessionOptions): Promise<void> {
  const { settings } = app.services;
  const admin = settings.admin ?? { sessionSecret: null, sessionHours: 8 };
  const secret = sessionSecret(settings.dataDir, admin.sessionSecret);
  const ttlMs = (admin.sessionHours ?? 8) * 3600_000;
  await app.register(cookie, { secret });
  if (!app.hasRequestDecorator('sessionPrincipal')) app.decorateRequest('sessionPrincipal', null);

  const csrfFor = (request: FastifyRequest): string | null => {
    const raw = request.cookies?.[SESSION_COOKIE];
    return request.sessionPrincipal && raw ? hmac(secret, 'csrf\0' + raw) : null;
  };
  app.decorate('csrfTokenFor', csrfFor);

  app.addHook('onRequest', async (request) => {
    const raw = request.cookies?.[SESSION_COOKIE];
    if (!raw) return;
    const u = request.unsignCookie(raw);
    if (!u.valid || !u.value) return;
    // <credential id or h:key hash>|<expiry, epoch ms>
    const m = /^([^|]{1,200})\|(\d{1,15})$/.exec(u.value);
    if (!m || Number(m[2]) <= Date.now()) return;
    request.sessionPrincipal = { credentialId: m[1] };
    // Unsafe requests the cookie would authenticate (no Authorization header) need the token.
    if (SAFE_METHODS.has(request.method) || request.headers.authorization) return;
    const url = request.url.split('?')[0];
    if (url === '/admin/login') return;
    const sent = request.headers[CSRF_HEADER];
    const want = csrfFor(request)!;
    const ok = typeof sent === 'string' && sent.length === want.length && timingSafeEqual(Buffer.from(sent), Buffer.from(want));
    if (!ok) throw new ProblemError('CSRF_INVALID');
  });

  // Sign-in and sign-out take HTML forms too; the form parser lives in this child context only,
  // so the API elsewhere still answers 415 to anything but JSON.
  await app.register(async (child) => {
    child.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    child.post('/admin/login', {
      schema: {
        tags: ['admin'],
        summary: 'Sign in to the dashboard with an admin token (sets the session cookie)',
        body: { type: 'object', properties: { token: { type: 'string', maxLength: 512 } }, required: ['token'] },
      },
    }, async (request, reply) => {
      try {
        // A sign-in posted from another site's page (login CSRF) is refused.
        if (!sameOrigin(request)) throw new ProblemError('CSRF_INVALID', { detail: 'The sign-in came from another origin.', detail_vi: 'Yêu cầu đăng nhập đến từ một trang khác.' });
        const { token } = request.body as { token: string };
        const keyHash = hashKey(token.trim());
        const cred = (await app.services.store.findCredential(keyHash)) as (Credential & { id?: string }) | null;
        if (!usable(cred, Date.now())) throw new ProblemError('AUTH_INVALID', { detail: 'The token is not an admin token of this gateway, or it was revoked or has expired.', detail_vi: 'Mã không phải mã quản trị của cổng này, hoặc đã bị thu hồi hay hết hạn.' });
        const store = app.services.store as typeof app.services.store & StoreWithIds;
        // Sessions name the credential's id once the store has ids, until then its key's hash.
        const ref = cred.id && typeof store.getCredential === 'function' ? cred.id : `h:${keyHash}`;
        const expiresAt = Date.now() + ttlMs;
        reply.setCookie(SESSION_COOKIE, `${ref}|${expiresAt}`, {
          signed: true,
          httpOnly: true,
          sameSite: 'strict',
          path: '/admin',
          secure: request.protocol === 'https',
          maxAge: Math.floor(ttlMs / 1000),
        });
        await auditSession(app, request, cred, 'sign-in');
        request.logSummary = { ...request.logSummary, signIn: cred.id ?? 'admin' };
        if (wantsHtml(request)) return reply.code(303).header('location', '/admin').send();
        return { signedIn: true, expiresAt: new Date(expiresAt).toISOString() };
      } catch (e) {
        if (e instanceof ProblemError && wantsHtml(request) && opts.loginPage) return opts.loginPage(request, reply, e);
        throw e;
      }
    });

    child.post('/admin/logout', {
      schema: { tags: ['admin'], summary: 'Sign out of the dashboard (clears the session cookie)' },
    }, async (request, reply) => {
      const cred = await sessionCredential(app, request);
      if (cred) await auditSession(app, request, cred, 'sign-out');
      reply.clearCookie(SESSION_COOKIE, { path: '/admin', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' });
      if (wantsHtml(request)) return reply.code(303).header('location', '/admin/login').send();
      return { signedOut: true };
    });
  });
}

export default fp<SessionOptions>(session, { name: 'session', dependencies: ['services', 'problem-handler'] });
