import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import type { ErrorCode } from '../errors/catalogue.js';
import { PROBLEM_CONTENT_TYPE, ProblemError, problem, requestError } from '../errors/problem.js';
import { storageFaultOf } from '../storage/faults.js';

// Every error leaves the gateway as Problem Details. Fastify's own errors (bad JSON, body too
// large, wrong media type, schema validation) are mapped onto catalogue codes; anything else is
// logged (without the request body) and answered 500 without internals.

declare module 'fastify' {
  interface FastifyReply {
    problem(code: ErrorCode, extra?: ProblemError['extra']): FastifyReply;
  }
}

function fastifyErrorCode(err: FastifyError): ErrorCode | null {
  if (err.validation) return 'REQUEST_INVALID';
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'BODY_TOO_LARGE';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'BODY_MALFORMED';
  }
  if (err instanceof SyntaxError || err.statusCode === 400) return 'BODY_MALFORMED';
  if (err.statusCode === 413) return 'BODY_TOO_LARGE';
  if (err.statusCode === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (err.statusCode === 429) return 'RATE_LIMITED';
  return null;
}

function send(reply: FastifyReply, code: ErrorCode, extra: ProblemError['extra'] = {}): FastifyReply {
  const p = problem(code, extra, reply.request.url.split('?')[0]);
  // The request's one log line says which rule refused it (plugins/request-log.ts).
  reply.request.logSummary = { ...reply.request.logSummary, code };
  if (extra.headers) reply.headers(extra.headers);
  return reply.code(p.status).type(PROBLEM_CONTENT_TYPE).send(p);
}

async function problemHandler(app: FastifyInstance): Promise<void> {
  app.decorateReply('problem', function (this: FastifyReply, code: ErrorCode, extra?: ProblemError['extra']) {
    return send(this, code, extra);
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof ProblemError) return send(reply, err.code, err.extra);
    const code = fastifyErrorCode(err);
    if (code === 'REQUEST_INVALID' && err.validation) {
      const errors = err.validation.map((v) => requestError('REQUEST_INVALID', `${err.validationContext ?? 'body'}${v.instancePath}`, v.message));
      return send(reply, code, { errors });
    }
    if (code === 'BODY_TOO_LARGE') {
      // Name the limit, so that a vendor knows by how much to split and an operator which setting it is.
      const limit = request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit;
      return send(reply, code, {
        detail: `The body exceeds the limit of ${limit} bytes (bodyLimitBytes).`,
        detail_vi: `Nội dung yêu cầu vượt quá giới hạn ${limit} byte (bodyLimitBytes).`,
      });
    }
    if (code) return send(reply, code, { detail: undefined });
    const fault = storageFaultOf(err);
    if (fault) {
      // Not the gateway's bug: the database or the disk. Logged without the request's body.
      request.log.warn({ code: fault.code, cause: (err as { code?: string }).code ?? err.message }, 'storage fault');
      return send(reply, fault.code, { headers: { 'retry-after': String(fault.retryAfterSeconds) } });
    }
    request.log.error({ err }, 'unhandled error');
    return send(reply, 'INTERNAL');
  });

  app.setNotFoundHandler((request, reply) => send(reply, 'NOT_FOUND', { detail: `No route ${request.method} ${request.url.split('?')[0]}.` }));
}

export default fp(problemHandler, { name: 'problem-handler', dependencies: ['request-log'] });
