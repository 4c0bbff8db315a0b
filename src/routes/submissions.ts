import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { adapters } from '../adapters/registry.js';
import { ProblemError, requestError } from '../errors/problem.js';
import { accept, priorAnswer, type AcceptOutcome } from '../pipeline/accept.js';
import { sha256, type BatchIntakeOutcome } from '../pipeline/batch-intake.js';
import { BodyUnreadableError } from '../adapters/adapter.js';
import { parseJsonBody, requestHashOf } from '../adapters/json-format.js';
import { idParam, submissionAccepted, submissionHeaders, submissionView } from '../schemas/http.js';
import type { RecordRow } from '../storage/store.js';

// The vendor API: a vendor posts its own native batch; the gateway maps, validates, commits the
// valid records to the outbox and only then answers 202 with each record's outcome. By default
// a batch is handled leniently (RFC 7240): valid records are queued, invalid ones listed. With
// `Prefer: handling=strict` one invalid record rejects the batch and nothing is stored.

function preferValues(prefer: string | string[] | undefined): string[] {
  return (Array.isArray(prefer) ? prefer.join(',') : prefer ?? '').split(/[,;]/).map((p) => p.trim().toLowerCase().replace(/\s*=\s*/, '='));
}

/** The handling the vendor asked for in `Prefer` (RFC 7240), lenient unless it says strict. */
export function preferredHandling(prefer: string | string[] | undefined): 'strict' | 'lenient' | null {
  const values = preferValues(prefer);
  if (values.includes('handling=strict')) return 'strict';
  if (values.includes('handling=lenient')) return 'lenient';
  return null;
}

/** `Prefer: handling=dry-run` (or the bare `dry-run` preference): every record's outcome, nothing stored. */
export function prefersDryRun(prefer: string | string[] | undefined): boolean {
  const values = preferValues(prefer);
  return values.includes('handling=dry-run') || values.includes('dry-run');
}

/** A batch the intake could not turn into records at all, as the problem that answers it. */
export function intakeProblem(outcome: Exclude<BatchIntakeOutcome, { kind: 'ok' }>, vendor: string, maxRecords: number): ProblemError {
  switch (outcome.kind) {
    case 'malformed':
      return new ProblemError('BODY_MALFORMED');
    case 'too-deep':
      return new ProblemError('BODY_TOO_DEEP');
    // As a body schema of { type: 'object' } would have said it.
    case 'not-object':
      return new ProblemError('REQUEST_INVALID', { errors: [requestError('REQUEST_INVALID', 'body', 'must be object')] });
    case 'no-adapter':
      return new ProblemError('FORBIDDEN', { detail: `No adapter for vendor ${vendor}.` });
    case 'unsupported-media-type':
      return new ProblemError('UNSUPPORTED_MEDIA_TYPE', {
        detail: `Vendor ${vendor} sends ${outcome.accepted.join(' or ')}.`,
        detail_vi: `Nhà cung cấp ${vendor} gửi ${outcome.accepted.join(' hoặc ')}.`,
      });
    case 'format':
      return new ProblemError('BATCH_INVALID', { errors: outcome.errors.map((f) => ({ ...requestError(f.code, f.path, f.detail_en), ...(f.source ? { source: f.source } : {}) })) });
    case 'too-many':
      return new ProblemError('BODY_TOO_LARGE', {
        detail: `A batch holds at most ${maxRecords} records; this one has ${outcome.count}. Split it.`,
        detail_vi: `Một lô có tối đa ${maxRecords} hồ sơ; lô này có ${outcome.count}. Hãy chia nhỏ.`,
        status: 413,
      });
  }
}

/** How an HTTP route answers the acceptance step's outcome. */
export function replyAccepted(reply: FastifyReply, outcome: AcceptOutcome, headers: Record<string, string> = {}): FastifyReply {
  switch (outcome.kind) {
    case 'replayed':
      return reply.code(202).headers(headers).header('idempotent-replayed', 'true').send(outcome.response);
    case 'conflict':
      throw new ProblemError('IDEMPOTENCY_KEY_REUSED');
    case 'refused':
      throw new ProblemError(outcome.code, { validationErrors: outcome.response.validationErrors, headers });
    case 'dry-run':
      return reply.code(200).headers(headers).send(outcome.response);
    case 'stored': {
      const { response } = outcome;
      reply.request.logSummary = { submissionId: response.submissionId, vendor: response.vendor, queued: response.queued, held: response.held, rejected: response.rejected };
      return reply.code(202).headers(headers).header('location', `/v1/submissions/${response.submissionId}`).send(response);
    }
  }
}

/** The media types some adapter reads, text or binary: the bodies this route takes. */
function bodyTypes(): { text: string[]; binary: string[] } {
  const text = new Set<string>();
  const binary = new Set<string>();
  for (const a of Object.values(adapters)) for (const f of a.formats) (f.binary ? binary : text).add(f.mediaType);
  return { text: [...text], binary: [...binary] };
}

/** For /docs: each media type with its schema and example (a vendor's own batch format). */
function bodyContent(): Record<string, { schema: Record<string, unknown> }> {
  const content: Record<string, { schema: Record<string, unknown> }> = {};
  for (const a of Object.values(adapters)) {
    for (const f of a.formats) {
      // The example travels as the schema's `examples` keyword, which @fastify/swagger publishes.
      const schema = {
        ...f.docs.schema,
        description: `${a.title} (${a.vendor}): ${f.docs.summary}`,
        ...(f.docs.example !== undefined ? { examples: [f.docs.example] } : {}),
      };
      const prior = content[f.mediaType];
      // Two vendors, one media type (vnEdu and EMIS both send JSON): either shape, named by the key's vendor.
      content[f.mediaType] = { schema: prior ? { oneOf: [...((prior.schema.oneOf as unknown[]) ?? [prior.schema]), schema] } : schema };
    }
  }
  return content;
}

const problemResponses = { 400: { $ref: 'Problem#' }, 401: { $ref: 'Problem#' }, 409: { $ref: 'Problem#' }, 413: { $ref: 'Problem#' }, 422: { $ref: 'Problem#' } };

export function recordToView(r: RecordRow) {
  return {
    recordId: r.id,
    kind: r.kind,
    submissionId: r.submissionId,
    index: r.index,
    recordKey: r.recordKey,
    contentHash: r.contentHash,
    state: r.state,
    attempts: r.attempts,
    maxAttempts: r.maxAttempts,
    nextAttemptAt: r.state === 'retry' || r.state === 'queued' ? new Date(r.nextAttemptAt).toISOString() : null,
    lastCode: r.lastCode,
    lastReason: r.lastReason,
    ministryRecordId: r.ministryRecordId,
    packetId: r.packetId,
    errors: r.errors as never,
    signatures: r.signatures as never,
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
}

export default async function submissionRoutes(app: FastifyInstance): Promise<void> {
  const { store, settings, intake } = app.services;

  // The body goes as it came, in bytes, to the intake (a thread, for a large batch), which
  // decodes a text format and reads it with the format of the key's vendor for its media type
  // (pipeline/batch-intake.ts): parsing JSON here as well cost the event loop a parse and its
  // garbage for every batch, and decoding it a pass over its bytes (a 500-record vnEdu batch is
  // 1.5 MB, Vietnamese text in a two-byte string). The body the route sees is a stand-in object.
  const rawBodies = new WeakMap<object, { mediaType: string; body: string | Buffer }>();
  const { text, binary } = bodyTypes();
  app.removeContentTypeParser('application/json');
  for (const mediaType of [...text, ...binary]) {
    app.addContentTypeParser(mediaType, { parseAs: 'buffer' }, (request, body, done) => {
      rawBodies.set(request.raw, { mediaType, body: body as Buffer });
      done(null, {});
    });
  }

  /** The Idempotency-Key fingerprint of a body without reading it whole: what its format would compute. */
  const requestHashOfBody = (raw: { mediaType: string; body: string | Buffer }): string =>
    raw.mediaType === 'application/json' ? requestHashOf(parseJsonBody(raw.body.toString())) : sha256(raw.body);

  app.post(
    '/v1/submissions',
    {
      preHandler: app.requireVendor,
      attachValidation: true,
      // Each media type's schema and example go to /docs only: the intake checks the body, not
      // fastify, whose body here is a stand-in object. Validated against the formats' schemas,
      // that stand-in failed every time and fastify built a validation error for each request
      // (about 3% of the event loop at 500 single-record submissions/s, bench d).
      config: { swaggerTransform: ({ schema, url }) => ({ schema: { ...schema, body: { content: bodyContent() } }, url }) },
      schema: {
        tags: ['vendor'],
        summary: 'Submit a batch of records in the vendor\'s native format',
        description:
          'The body is the vendor\'s own batch format, in one of the media types below (src/adapters/<vendor>/README.md); the key says which vendor. ' +
          '202 after the valid records are committed to the outbox; invalid ones are listed with their errors. ' +
          '`Prefer: handling=strict`: one invalid record rejects the batch. `Prefer: handling=dry-run`: 200 with every record\'s outcome, nothing stored. ' +
          'Viettel SMAS also speaks SOAP 1.1: WSDL at [/soap/smas/v1?wsdl](/soap/smas/v1?wsdl).',
        headers: submissionHeaders,
        response: { 202: submissionAccepted, 200: submissionAccepted, ...problemResponses, 415: { $ref: 'Problem#' } },
        security: [{ bearer: [] }],
      },
    },
    async (request, reply) => {
      if (request.validationError && request.validationError.validationContext !== 'body') throw request.validationError;
      const principal = request.principal!;
      const vendor = principal.vendor!;
      const dryRun = prefersDryRun(request.headers.prefer);
      const handling = preferredHandling(request.headers.prefer);
      const applied = [handling ? `handling=${handling}` : null, dryRun ? 'handling=dry-run' : null].filter((x) => x !== null).join(', ');
      const headers: Record<string, string> = applied ? { 'preference-applied': applied } : {};
      if (applied) reply.headers(headers);
      const raw = rawBodies.get(request.raw) ?? { mediaType: 'application/json', body: '' };
      const idempotencyKey = (request.headers['idempotency-key'] as string | undefined) ?? null;
      if (idempotencyKey && !dryRun) {
        // A retry answers what was stored, without mapping and validating the batch again.
        // Not JSON at all throws, which answers BODY_MALFORMED (plugins/problem-handler.ts).
        let hash: string;
        try {
          hash = requestHashOfBody(raw);
        } catch (e) {
          throw new ProblemError(e instanceof BodyUnreadableError && e.kind === 'too-deep' ? 'BODY_TOO_DEEP' : 'BODY_MALFORMED');
        }
        const prior = await priorAnswer(store, vendor, idempotencyKey, hash);
        if (prior) return replyAccepted(reply, prior, headers);
      }
      // Map and validate off the event loop, from the request's own body (cheap to hand over).
      const outcome = await intake.run({ vendor, mediaType: raw.mediaType, body: raw.body });
      if (outcome.kind !== 'ok') throw intakeProblem(outcome, vendor, settings.maxRecordsPerBatch);
      const accepted = await accept(
        { store, settings, nudge: app.services.nudgeDelivery, observe: app.services.observeIntake },
        { principal: { vendor, schools: principal.schools }, idempotencyKey: dryRun ? null : idempotencyKey, requestHash: outcome.requestHash, handling, dryRun, result: outcome.result },
      );
      return replyAccepted(reply, accepted, headers);
    },
  );

  app.get(
    '/v1/submissions',
    {
      preHandler: app.requireVendor,
      schema: {
        tags: ['vendor'],
        summary: 'This vendor\'s own submissions, newest first, with their counts',
        description: 'Pages of `limit` (at most 1000); pass `nextCursor` as `cursor` for the next page (null on the last).',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, cursor: { type: 'string', maxLength: 200 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              submissions: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    submissionId: { type: 'string' },
                    createdAt: { type: 'string' },
                    counts: { type: 'object', properties: { received: { type: 'integer' }, queued: { type: 'integer' }, held: { type: 'integer' }, rejected: { type: 'integer' } } },
                  },
                },
              },
              nextCursor: { type: ['string', 'null'] },
            },
          },
          400: { $ref: 'Problem#' },
          401: { $ref: 'Problem#' },
        },
        security: [{ bearer: [] }],
      },
    },
    async (request) => {
      const q = request.query as { limit: number; cursor?: string };
      const beforeId = q.cursor ? Buffer.from(q.cursor, 'base64url').toString('utf8') : undefined;
      if (beforeId !== undefined && !/^s:/.test(beforeId)) throw new ProblemError('REQUEST_INVALID', { detail: 'cursor is not one this gateway gave' });
      const rows = await store.listSubmissions(request.principal!.vendor!, { beforeId: beforeId?.slice(2), limit: q.limit + 1 });
      const more = rows.length > q.limit;
      const page = more ? rows.slice(0, q.limit) : rows;
      return {
        // Counts as answered at acceptance (the states since: GET /v1/submissions/:id).
        submissions: page.map((s) => {
          const r = s.response as { received?: number; queued?: number; held?: number; rejected?: number };
          return { submissionId: s.id, createdAt: new Date(s.createdAt).toISOString(), counts: { received: r.received ?? 0, queued: r.queued ?? 0, held: r.held ?? 0, rejected: r.rejected ?? 0 } };
        }),
        nextCursor: more ? Buffer.from(`s:${page[page.length - 1].id}`, 'utf8').toString('base64url') : null,
      };
    },
  );

  app.get(
    '/v1/submissions/:id',
    {
      preHandler: app.requireVendor,
      schema: {
        tags: ['vendor'],
        summary: 'Each record of a submission and its state, through to acknowledged',
        params: idParam,
        response: { 200: submissionView, 401: { $ref: 'Problem#' }, 404: { $ref: 'Problem#' } },
        security: [{ bearer: [] }],
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const sub = await store.getSubmission(id);
      // A vendor sees only its own submissions; another's is as good as absent.
      if (!sub || sub.vendor !== request.principal!.vendor) throw new ProblemError('NOT_FOUND', { detail: `No submission ${id}.` });
      const rows = await store.listRecords({ submissionId: id, limit: 100000 });
      const counts: Record<string, number> = {};
      for (const r of rows) counts[r.state] = (counts[r.state] ?? 0) + 1;
      return { submissionId: sub.id, vendor: sub.vendor, createdAt: new Date(sub.createdAt).toISOString(), counts, records: rows.map(recordToView) };
    },
  );
}
