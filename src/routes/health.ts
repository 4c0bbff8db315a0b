import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';

// /healthz: the process answers. /readyz: this replica can take submissions: the database answers,
// the data directory's disk has room, the signing key is loaded. The Ministry's circuit is shown
// but does not make the replica unready: a Ministry outage is what the outbox is for, and a load
// balancer that took every replica out would cut the vendors off as well. Both are cheap: no
// signature and no Ministry call per request (each /readyz used to sign a probe and call the
// Ministry, 1,700 a second from one client), and the database and disk checks are cached for
// `health.cacheMs`.

export interface HealthSettings {
  /** How long a database and disk check stays good, ms. */
  cacheMs: number;
  /** Below this many free bytes on the data directory's disk the replica is not ready. */
  minDiskFreeBytes: number;
  /** Or below this share (percent) of the disk free. */
  minDiskFreePercent: number;
}

export const DEFAULT_HEALTH: HealthSettings = { cacheMs: 1000, minDiskFreeBytes: 64 * 1024 * 1024, minDiskFreePercent: 1 };

type Check = { ok: boolean; detail?: string; [more: string]: unknown };

export default async function healthRoutes(app: FastifyInstance): Promise<void> {
  const { settings } = app.services;
  const health: HealthSettings = { ...DEFAULT_HEALTH, ...settings.health };
  // The disk that holds the SQLite file (or the data directory, with PostgreSQL elsewhere).
  const dataPath = /^postgres(ql)?:/.test(settings.databaseUrl) ? resolve(settings.dataDir) : dirname(resolve(settings.databaseUrl));
  let cached: { at: number; checks: Promise<{ database: Check; disk: Check }> } | null = null;

  const checkDatabase = async (): Promise<Check> => {
    try {
      await app.services.store.ping();
      return { ok: true, detail: app.services.store.backend };
    } catch (e) {
      return { ok: false, detail: (e as Error).message };
    }
  };
  const checkDisk = async (): Promise<Check> => {
    try {
      const s = await statfs(dataPath);
      const freeBytes = Number(s.bavail) * Number(s.bsize);
      const totalBytes = Number(s.blocks) * Number(s.bsize);
      const freePercent = totalBytes > 0 ? (100 * freeBytes) / totalBytes : 100;
      const ok = freeBytes >= health.minDiskFreeBytes && freePercent >= health.minDiskFreePercent;
      return { ok, freeBytes, freePercent: Math.round(freePercent * 10) / 10, minFreeBytes: health.minDiskFreeBytes, ...(ok ? {} : { detail: 'the data directory\'s disk is nearly full' }) };
    } catch (e) {
      return { ok: false, detail: (e as Error).message };
    }
  };
  const cachedChecks = () => {
    const now = Date.now();
    if (!cached || now - cached.at >= health.cacheMs) {
      cached = { at: now, checks: Promise.all([checkDatabase(), checkDisk()]).then(([database, disk]) => ({ database, disk })) };
    }
    return cached.checks;
  };

  app.get('/healthz', { schema: { tags: ['ops'], summary: 'Liveness: the process answers' } }, async () => ({ status: 'ok' }));

  app.get(
    '/readyz',
    { schema: { tags: ['ops'], summary: 'Readiness: database, disk, signing key; the Ministry circuit is shown, not counted' } },
    async (_request, reply) => {
      const { signer, circuit } = app.services;
      const checks: Record<string, Check> = { ...(await cachedChecks()) };
      // Loaded: the signer holds a certificate (reading it signs nothing).
      try {
        checks.signingKey = { ok: signer.certificatePem().includes('BEGIN CERTIFICATE'), detail: signer.name };
      } catch (e) {
        checks.signingKey = { ok: false, detail: (e as Error).message };
      }
      // The circuit says what delivery is doing about the Ministry: closed (sending), open (waiting
      // out an outage until nextProbeAt) or half-open (probing). Shown, not counted.
      const c = circuit?.snapshot();
      const ministry: Check = c
        ? { ok: c.state !== 'open', circuit: c.state, consecutiveFailures: c.consecutiveFailures, nextProbeAt: c.nextProbeAt, lastFailure: c.lastFailure }
        : { ok: true, detail: 'no delivery on this replica' };
      const ok = Object.values(checks).every((x) => x.ok);
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks: { ...checks, ministry } });
    },
  );
}
