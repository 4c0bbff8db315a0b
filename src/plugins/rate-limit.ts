import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ProblemError } from '../errors/problem.js';
import type { RateLimitSettings } from '../config/settings.js';
import { hashKey } from './auth.js';
import { SESSION_COOKIE } from './session.js';

// Rate limits (issue 14, items 11 and 12), per replica and in memory, one-minute windows:
// - every route: a request with a Bearer key (or a dashboard session cookie) counts against that
//   key (perKeyPerMinute); any other request against its address (perAddressPerMinute). Over
//   it: 429 RATE_LIMITED with Retry-After. The key is the SHA-256 the store keeps (auth.ts
//   hashKey), so no key is held in memory here.
// - failed authentication (a key or token presented and refused: AUTH_INVALID, AUTH_REVOKED,
//   AUTH_EXPIRED, from the API, the dashboard's sign-in or a SOAP UsernameToken) is counted per
//   address; after failedAuthPerMinute of them every request from that address is answered 429
//   AUTH_RATE_LIMITED until the window ends, so keys cannot be guessed at speed.
// Errors are thrown as ProblemError, so the REST routes answer Problem JSON and the SOAP routes
// (their own error handler, routes/soap.ts) a SOAP Fault carrying the code; Retry-After on both.
// Registered before every route: @fastify/rate-limit attaches itself to routes as they are added.
// `enabled: false` registers nothing.

const FAILED_AUTH = new Set(['AUTH_INVALID', 'AUTH_REVOKED', 'AUTH_EXPIRED']);
const WINDOW_MS = 60_000;

/** What a request counts against: 'k:<sha-256 of its key or session cookie>' or 'a:<address>'. */
export function rateKey(request: FastifyRequest): string {
  const m = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (m) return 'k:' + hashKey(m[1]);
  const cookie = request.cookies?.[SESSION_COOKIE];
  // Only a cookie the gateway signed: made-up cookies must not buy fresh budgets.
  if (cookie && request.unsignCookie?.(cookie).valid) return 's:' + createHash('sha256').update(cookie).digest('hex');
  return 'a:' + request.ip;
}

async function rateLimitPlugin(app: FastifyInstance, opts: { settings: RateLimitSettings; now?: () => number }): Promise<void> {
  const s = opts.settings;
  if (!s?.enabled) return;
  const now = opts.now ?? Date.now;

  // Failed authentications per address: a fixed window each, swept when the map grows.
  const failed = new Map<string, { count: number; resetAt: number }>();
  const sweep = (t: number) => {
    if (failed.size < 10_000) return;
    for (const [ip, w] of failed) if (w.resetAt <= t) failed.delete(ip);
  };
  app.addHook('onRequest', async (request) => {
    const w = failed.get(request.ip);
    if (!w) return;
    const t = now();
    if (w.resetAt <= t) {
      failed.delete(request.ip);
      return;
    }
    if (w.count >= s.failedAuthPerMinute) {
      throw new ProblemError('AUTH_RATE_LIMITED', { headers: { 'retry-after': String(Math.max(1, Math.ceil((w.resetAt - t) / 1000))) } });
    }
  });
  app.addHook('onResponse', async (request) => {
    const code = request.logSummary?.code;
    if (typeof code !== 'string' || !FAILED_AUTH.has(code)) return;
    const t = now();
    sweep(t);
    const w = failed.get(request.ip);
    if (w && w.resetAt > t) w.count++;
    else failed.set(request.ip, { count: 1, resetAt: t + WINDOW_MS });
  });

  await app.register(rateLimit, {
    global: true,
    timeWindow: WINDOW_MS,
    // Route hooks run after the app's onRequest hooks, so the session cookie's signature can be checked here.
    keyGenerator: rateKey,
    max: (_request, key) => (key.startsWith('a:') ? s.perAddressPerMinute : s.perKeyPerMinute),
    cache: 50_000,
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    addHeaders: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true, 'retry-after': true },
    errorResponseBuilder: (_request, ctx) =>
      new ProblemError('RATE_LIMITED', {
        detail: `Over the limit of ${ctx.max} requests a minute; retry in ${Math.ceil(ctx.ttl / 1000)} s (Retry-After).`,
        detail_vi: `Vượt giới hạn ${ctx.max} yêu cầu mỗi phút; hãy thử lại sau ${Math.ceil(ctx.ttl / 1000)} giây (Retry-After).`,
      }),
  });
}

export default fp(rateLimitPlugin, { name: 'rate-limit' });
