import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ProblemError } from '../errors/problem.js';
import type { Credential } from '../storage/store.js';
import { sessionCredential } from './session.js';

// Bearer keys. Only a SHA-256 of each key is stored, so a copy of the database does not hand
// out working keys; the keys themselves are shown once, when made.

declare module 'fastify' {
  interface FastifyRequest {
    principal: Credential | null;
  }
  interface FastifyInstance {
    requireVendor(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

async function authenticate(app: FastifyInstance, request: FastifyRequest): Promise<Credential> {
  const header = request.headers.authorization;
  // The dashboard's session cookie stands in for the key when no Authorization header is sent.
  const viaSession = header ? null : await sessionCredential(app, request);
  if (viaSession) return (request.principal = viaSession);
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!m) throw new ProblemError('AUTH_MISSING', { headers: { 'www-authenticate': 'Bearer' } });
  const cred = await app.services.store.findCredential(hashKey(m[1]));
  if (!cred) throw new ProblemError('AUTH_INVALID', { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
  request.principal = cred;
  return cred;
}

async function auth(app: FastifyInstance): Promise<void> {
  app.decorateRequest('principal', null);
  app.decorate('requireVendor', async (request: FastifyRequest) => {
    const cred = await authenticate(app, request);
    if (cred.kind !== 'vendor') throw new ProblemError('FORBIDDEN');
  });
  app.decorate('requireAdmin', async (request: FastifyRequest) => {
    const cred = await authenticate(app, request);
    if (cred.kind !== 'admin') throw new ProblemError('FORBIDDEN');
  });
}

export default fp(auth, { name: 'auth', dependencies: ['services'] });
