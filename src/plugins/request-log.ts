import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

// One log line per request, written when the answer has gone out: method, route, status, time,
// and what the handler chose to add (counts and IDs, never a record's content). Fastify's own
// two lines per request (in, out) are off: at year end they were most of the log and a good
// share of the CPU.

declare module 'fastify' {
  interface FastifyRequest {
    /** Fields the handler adds to the request's one log line (IDs and counts only). */
    logSummary: Record<string, unknown> | null;
  }
}

async function requestLog(app: FastifyInstance): Promise<void> {
  app.decorateRequest('logSummary', null);
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const status = reply.statusCode;
    const line = {
      method: request.method,
      // The route's pattern when there is one: the raw URL of a 404 is whatever the caller sent.
      route: request.routeOptions.url ?? '(no route)',
      status,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      ...request.logSummary,
    };
    if (status >= 500) request.log.error(line, 'request');
    else request.log.info(line, 'request');
  });
}

export default fp(requestLog, { name: 'request-log' });
