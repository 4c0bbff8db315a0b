import { uuidv7 } from '../ids/uuid-v7.js';
import type { FastifyInstance } from 'fastify';
import { ProblemError, requestError } from '../errors/problem.js';
import { requestHashOf } from '../pipeline/batch-intake.js';
import { retryPolicyOf, submissionResponse } from '../pipeline/submission.js';
import { applyVersionRule, queuedKeys } from '../pipeline/versions.js';
import { idParam, submissionAccepted, submissionHeaders, submissionView } from '../schemas/http.js';
import type { RecordRow } from '../storage/store.js';

// The vendor API: a vendor posts its own native batch; the gateway maps, validates, commits the
// valid records to the outbox and only then answers 202 with each record's outcome. By default
// a batch is handled leniently (RFC 7240): valid records are queued, invalid ones listed. With
// `Prefer: handling=strict` one invalid record rejects the batch and nothing is stored.

/** The handling the vendor asked for in `Prefer` (RFC 7240), lenient unless it says strict. */
export function preferredHandling(prefer: string | string[] | undefined): 'strict' | 'lenient' | null {
  const values = (Array.isArray(prefer) ? prefer.join(',') : prefer ?? '').split(/[,;]/).map((p) => p.trim().toLowerCase().replace(/\s*=\s*/, '='));
  if (values.includes('handling=strict')) return 'strict';
  if (values.includes('handling=lenient')) return 'lenient';
  return null;
}

const problemResponses = { 400: { $ref: 'Problem#' }, 401: { $ref: 'Problem#' }, 409: { $ref: 'Problem#' }, 413: { $ref: 'Problem#' }, 422: { $ref: 'Problem#' } };

export function recordToView(r: RecordRow) {
  return {
    recordId: r.id,
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

  // The batch's JSON text goes as it is to the intake (a thread, for a large batch), which parses
  // and checks it (pipeline/batch-intake.ts): parsing it here as well cost the event loop a
  // parse and its garbage for every batch. The body the route sees is only a stand-in object.
  const rawBodies = new WeakMap<object, string>();
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    rawBodies.set(request.raw, body as string);
    done(null, {});
  });

  app.post(
    '/v1/submissions',
    {
      preHandler: app.requireVendor,
      schema: {
        tags: ['vendor'],
        summary: 'Submit a batch of records in the vendor\'s native format',
        description: 'The body is the vendor\'s own batch format (see src/adapters/<vendor>/README.md). 202 after the valid records are committed to the outbox; invalid ones are listed with their errors.',
        headers: submissionHeaders,
        body: { type: 'object' },
        response: { 202: submissionAccepted, 200: submissionAccepted, ...problemResponses },
        security: [{ bearer: [] }],
      },
    },
    async (request, reply) => {
      const vendor = request.principal!.vendor!;
      const handling = preferredHandling(request.headers.prefer);
      if (handling) reply.header('preference-applied', `handling=${handling}`);
      const idempotencyKey = (request.headers['idempotency-key'] as string | undefined) ?? null;
      if (idempotencyKey) {
        // A retry answers what was stored, without mapping and validating the batch again.
        const prior = await store.findSubmissionByIdempotencyKey(vendor, idempotencyKey);
        if (prior) {
          // Not JSON at all throws SyntaxError, which answers BODY_MALFORMED (plugins/problem-handler.ts).
          if (prior.requestHash !== requestHashOf(JSON.parse(rawBodies.get(request.raw) ?? ''))) throw new ProblemError('IDEMPOTENCY_KEY_REUSED');
          return reply.code(202).header('idempotent-replayed', 'true').send(prior.response);
        }
      }
      // Map and validate off the event loop, from the request's own text (cheap to hand over).
      const outcome = await intake.run(vendor, rawBodies.get(request.raw) ?? '');
      if (outcome.kind === 'malformed') throw new ProblemError('BODY_MALFORMED');
      // As the route's body schema ({ type: 'object' }) would have said it.
      if (outcome.kind === 'not-object') throw new ProblemError('REQUEST_INVALID', { errors: [requestError('REQUEST_INVALID', 'body', 'must be object')] });
      const { requestHash } = outcome;
      if (outcome.kind === 'no-adapter') throw new ProblemError('FORBIDDEN', { detail: `No adapter for vendor ${vendor}.` });
      if (outcome.kind === 'format') throw new ProblemError('BATCH_INVALID', { errors: outcome.errors.map((f) => requestError(f.code, f.path, f.detail_en)) });
      if (outcome.kind === 'too-many') {
        throw new ProblemError('BODY_TOO_LARGE', { detail: `A batch holds at most ${settings.maxRecordsPerBatch} records; split it.`, status: 413 });
      }
      const { result } = outcome;
      applyVersionRule(result, await store.latestVersions(queuedKeys(result)));
      const submissionId = uuidv7();
      const response = submissionResponse(submissionId, vendor, result);
      const { queued } = response;
      const headers = handling ? { 'preference-applied': `handling=${handling}` } : undefined;
      if (handling === 'strict' && queued < result.outcomes.length) {
        throw new ProblemError('BATCH_REJECTED_STRICT', { validationErrors: result.validationErrors, headers });
      }
      if (queued === 0) throw new ProblemError('BATCH_REJECTED', { validationErrors: result.validationErrors, headers });
      try {
        await store.insertSubmission({ id: submissionId, vendor, idempotencyKey, requestHash, response, createdAt: Date.now() }, result.records, retryPolicyOf(settings));
      } catch (e) {
        // Two concurrent requests with one Idempotency-Key: the loser answers what the winner stored.
        const prior = idempotencyKey ? await store.findSubmissionByIdempotencyKey(vendor, idempotencyKey) : null;
        if (!prior) throw e;
        if (prior.requestHash !== requestHash) throw new ProblemError('IDEMPOTENCY_KEY_REUSED');
        return reply.code(202).header('idempotent-replayed', 'true').send(prior.response);
      }
      app.services.nudgeDelivery();
      request.logSummary = { submissionId, vendor, queued, rejected: response.rejected };
      return reply.code(202).header('location', `/v1/submissions/${submissionId}`).send(response);
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
