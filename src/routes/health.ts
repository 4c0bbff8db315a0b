import type { FastifyInstance } from 'fastify';

// /healthz: the process answers. /readyz: it can do its job: the database answers, the signing
// key signs, the Ministry is reachable.

export default async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', { schema: { tags: ['ops'], summary: 'Liveness' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['ops'], summary: 'Readiness: database, signing key, Ministry' } }, async (_request, reply) => {
    const { store, signer, transport } = app.services;
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
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
    checks.ministry = { ok: await transport.probe() };
    const ok = Object.values(checks).every((c) => c.ok);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks });
  });
}
