import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../errors/problem.js';
import type { GatewayMetrics } from '../metrics/metrics.js';

// GET /metrics for Prometheus. On the API's port it needs `Authorization: Bearer <metrics.token>`
// (and is refused when no token is set); with `metrics.port` it is served on a port of its own
// (bind it to a management network), still asking for the token when one is set.

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!m) return false;
  const a = Buffer.from(m[1]);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export default async function metricsRoutes(app: FastifyInstance): Promise<void> {
  const { metrics, settings } = app.services;
  if (!metrics || !settings.metrics?.enabled || settings.metrics.port) return;
  app.get('/metrics', { schema: { tags: ['ops'], summary: 'Prometheus metrics (Bearer metrics.token)', security: [{ bearer: [] }] } }, async (request, reply) => {
    const token = settings.metrics.token;
    if (!token) throw new ProblemError('FORBIDDEN', { detail: 'Metrics are served here only with metrics.token (METRICS_TOKEN) set, or on metrics.port.' });
    if (!request.headers.authorization) throw new ProblemError('AUTH_MISSING', { headers: { 'www-authenticate': 'Bearer' } });
    if (!tokenMatches(request.headers.authorization, token)) throw new ProblemError('AUTH_INVALID', { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
}

/** The metrics on a port of their own (metrics.port); resolves once listening. */
export async function startMetricsServer(metrics: GatewayMetrics, o: { host: string; port: number; token: string | null }): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    if (o.token && !tokenMatches(req.headers.authorization, o.token)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(o.port, o.host, () => resolve()));
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : o.port;
  return {
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
