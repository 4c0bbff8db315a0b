import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import secureJson from 'secure-json-parse';
import { JSON_PARSE_OPTIONS } from './adapters/json-format.js';
import { ProblemError } from './errors/problem.js';
import { jsonTooDeep } from './http/json-depth.js';
import dashboardRoutes, { renderLogin } from './dashboard/pages.js';
import auth from './plugins/auth.js';
import problemHandler from './plugins/problem-handler.js';
import rateLimit from './plugins/rate-limit.js';
import requestLog from './plugins/request-log.js';
import services, { type Services } from './plugins/services.js';
import session from './plugins/session.js';
import adminRoutes from './routes/admin.js';
import healthRoutes from './routes/health.js';
import metricsRoutes from './routes/metrics.js';
import signedRecordRoutes from './routes/signed-records.js';
import soapRoutes from './routes/soap.js';
import submissionRoutes from './routes/submissions.js';
import templateRoutes from './routes/templates.js';
import lookupRoutes from './routes/lookup.js';
import recordPdfRoutes from './routes/record-pdf.js';
import withdrawalRoutes from './routes/withdrawals.js';
import { sharedSchemas } from './schemas/http.js';

// The gateway's HTTP face: plugins first, then routes. Everything long-lived arrives in
// `services`, so the same app runs in production and in tests.

export const LOG_REDACT = {
  paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'headers.authorization', '*.clientSecret', '*.passphrase', '*.pin', '*.privateKey'],
  censor: '[redacted]',
};

export async function buildApp(svc: Services, logger?: Logger): Promise<FastifyInstance> {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    bodyLimit: svc.settings.bodyLimitBytes,
    // Submissions are large arrays of small objects; guard against prototype pollution anyway.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    ajv: { customOptions: { allErrors: false, coerceTypes: 'array', removeAdditional: false } },
    requestTimeout: 120_000,
    // plugins/request-log.ts writes one line per request instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
  });
  // The API speaks JSON only; anything else is 415 rather than a string the schemas reject.
  app.removeContentTypeParser('text/plain');
  // Every JSON body is checked for nesting before it is parsed (http/json-depth.ts): a deep one
  // overflowed JSON.parse's stack and answered 500.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.length === 0) return done(Object.assign(new Error('empty JSON body'), { statusCode: 400, code: 'FST_ERR_CTP_EMPTY_JSON_BODY' }), undefined);
    if (jsonTooDeep(text)) return done(new ProblemError('BODY_TOO_DEEP'), undefined);
    try {
      done(null, secureJson.parse(text, undefined, JSON_PARSE_OPTIONS));
    } catch (e) {
      done(Object.assign(e as Error, { statusCode: 400 }), undefined);
    }
  });
  for (const s of sharedSchemas) app.addSchema(s);
  // Before any route (/docs included): @fastify/rate-limit attaches itself to routes as they are added.
  await app.register(rateLimit, { settings: svc.settings.rateLimit });
  await app.register(swagger, {
    openapi: {
      info: { title: 'hocba-gateway', version: '0.1.0', description: 'Provincial gateway for học bạ số: vendor submissions in, signed packets to the Ministry out.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      tags: [
        { name: 'vendor', description: 'For vendors\' school management systems' },
        { name: 'admin', description: 'For the province\'s administrators' },
        { name: 'ops', description: 'Health and readiness' },
        { name: 'public', description: 'For parents and receiving schools: the lookup of a học bạ (no key)' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(services, { services: svc });
  await app.register(requestLog);
  await app.register(problemHandler);
  await app.register(auth);
  await app.register(session, { loginPage: renderLogin });
  await app.register(healthRoutes);
  await app.register(submissionRoutes);
  await app.register(signedRecordRoutes);
  await app.register(soapRoutes);
  await app.register(adminRoutes);
  await app.register(metricsRoutes);
  await app.register(dashboardRoutes);
  await app.register(templateRoutes);
  await app.register(lookupRoutes);
  await app.register(recordPdfRoutes);
  await app.register(withdrawalRoutes);
  return app as unknown as FastifyInstance;
}
