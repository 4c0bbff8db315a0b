import type { FastifyInstance } from 'fastify';

// /healthz: the process answers. /readyz: it can do its job: the database answers, the signing
// key signs, the Ministry is reachable.

export default async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', { schema: { tags: ['ops'], summary: 'Liveness' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['ops'], summary: 'Readiness: database, signing key, Ministry' } }, async (_request, reply) => {
    const { store, signer, transport, circuit } = app.services;
    const checks: Record<string, { ok: boolean; detail?: string; [more: string]: unknown }> = {};
    try {
      await store.ping();
      checks.database = { ok: true, detail: store.backend };
    } catch (e) {
      checks.database = { ok: false, detail: (e as Error).message };
    }
    try {
      await signer.sign('<probe xmlns="urn:hocba-gateway:probe"></probe>');
      checks.signingKey = { ok: true, detail: signer.name };
    } catch (e) {
      checks.signingKey = { ok: false, detail: (e as Error).message };
    }
    // The circuit says what delivery is doing about the Ministry: closed (sending), open (waiting
    // out an outage until nextProbeAt) or half-open (probing).
    const c = circuit?.snapshot();
    checks.ministry = {
      ok: await transport.probe(),
      ...(c ? { circuit: c.state, consecutiveFailures: c.consecutiveFailures, nextProbeAt: c.nextProbeAt, lastFailure: c.lastFailure } : {}),
    };
    const ok = Object.values(checks).every((c) => c.ok);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks });
  });
}
