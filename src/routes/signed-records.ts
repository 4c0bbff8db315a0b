import { createHash } from 'node:crypto';
import { uuidv7 } from '../ids/uuid-v7.js';
import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../errors/problem.js';
import type { SignedRecordOutcome } from '../record-signatures/check-record.js';
import type { SignatureReport } from '../record-signatures/verify-document.js';
import { signedRecordsAccepted, submissionHeaders } from '../schemas/http.js';
import type { NewRecord } from '../storage/store.js';
import type { ValidationError } from '../validation/types.js';
import { toValidationErrors } from '../validation/validate.js';

// Records a vendor's SIS has already signed (teacher, principal, school seal): one signed
// document as `application/xml`, or several as JSON `{ "documents": ["<signedHocba …>", …] }`.
// Each document's signatures are verified (worker threads), its content validated, and the
// signature policy decides: queued for the Ministry, held until the missing signatures arrive,
// or rejected with the code of what failed. Contract: specs/ministry-profile/v1/signed-record.md.

const problemResponses = { 400: { $ref: 'Problem#' }, 401: { $ref: 'Problem#' }, 409: { $ref: 'Problem#' }, 413: { $ref: 'Problem#' }, 415: { $ref: 'Problem#' }, 422: { $ref: 'Problem#' } };

/** What is stored and shown of a signature: the verdict and who signed, not the whole chain. */
function compact(s: SignatureReport) {
  return {
    id: s.id,
    role: s.role,
    valid: s.valid,
    ...(s.code ? { code: s.code, detail: s.detail } : {}),
    ...(s.signingTime ? { signingTime: s.signingTime } : {}),
    ...(s.signer ? { signer: { commonName: s.signer.commonName, subject: s.signer.subject, issuer: s.signer.issuer, serialNumber: s.signer.serialNumber } } : {}),
    ...(s.note ? { note: s.note } : {}),
  };
}

export default async function signedRecordRoutes(app: FastifyInstance): Promise<void> {
  const { store, settings, verifier } = app.services;
  // XML bodies only here; the rest of the API stays JSON.
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.post(
    '/v1/signed-records',
    {
      preHandler: app.requireVendor,
      schema: {
        tags: ['vendor'],
        summary: 'Submit học bạ records already signed by teacher, principal and school seal',
        description:
          'One signed document (Content-Type: application/xml) or several (application/json, {"documents": [...]}), in the format of ' +
          'specs/ministry-profile/v1/signed-record.md. 202 once the verified records are committed: queued for the Ministry, or held ' +
          'until the signatures the province requires arrive. Each signature is reported with its signer and verdict.',
        headers: submissionHeaders,
        body: {
          oneOf: [
            { type: 'string', minLength: 1 },
            { type: 'object', required: ['documents'], additionalProperties: false, properties: { documents: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } } } },
          ],
        },
        response: { 202: signedRecordsAccepted, ...problemResponses },
        security: [{ bearer: [] }],
      },
    },
    async (request, reply) => {
      const vendor = request.principal!.vendor!;
      const single = typeof request.body === 'string';
      const docs = single ? [request.body as string] : (request.body as { documents: string[] }).documents;
      if (docs.length > settings.signedRecords.maxDocumentsPerRequest) {
        throw new ProblemError('BODY_TOO_LARGE', { detail: `At most ${settings.signedRecords.maxDocumentsPerRequest} documents per request; split them.`, status: 413 });
      }
      const idempotencyKey = (request.headers['idempotency-key'] as string | undefined) ?? null;
      const requestHash = createHash('sha256').update(single ? (request.body as string) : JSON.stringify(request.body)).digest('hex');
      const replayed = async () => {
        const prior = idempotencyKey ? await store.findSubmissionByIdempotencyKey(vendor, idempotencyKey) : null;
        if (!prior) return null;
        if (prior.requestHash !== requestHash) throw new ProblemError('IDEMPOTENCY_KEY_REUSED');
        return reply.code(202).header('idempotent-replayed', 'true').send(prior.response);
      };
      const prior = await replayed();
      if (prior) return prior;

      const outcomes: SignedRecordOutcome[] = await verifier.check(docs);
      const seen = new Set<string>();
      const records: NewRecord[] = [];
      const validationErrors: ValidationError[] = [];
      const views = outcomes.map((o, index) => {
        const id = uuidv7();
        let status = o.status;
        let fieldErrors = o.errors;
        if (o.recordKey && status !== 'rejected') {
          if (seen.has(o.recordKey)) {
            status = 'rejected';
            fieldErrors = [{ path: '/hocba/student/learnerId', code: 'DUPLICATE_IN_BATCH', detail_en: o.recordKey, detail_vi: o.recordKey }];
          }
          seen.add(o.recordKey);
        }
        const errors = toValidationErrors(index, o.recordKey, fieldErrors);
        validationErrors.push(...errors);
        const signatures = o.signatures.map(compact);
        const accepted = status !== 'rejected';
        records.push({
          id,
          index,
          recordKey: o.recordKey ?? null,
          contentHash: accepted ? o.contentHash! : null,
          version: accepted ? o.version ?? null : null,
          recordXml: accepted ? o.recordXml! : null,
          state: status,
          errors: errors.length && status === 'rejected' ? errors : null,
          signatures,
          signedXml: accepted ? docs[index] : null,
        });
        return {
          index,
          recordId: id,
          ...(o.recordKey ? { recordKey: o.recordKey } : {}),
          status,
          ...(errors.length ? { errors } : {}),
          signatures,
          ...(o.missing.length ? { missingSignatures: o.missing } : {}),
        };
      });
      const count = (s: string) => views.filter((v) => v.status === s).length;
      const queued = count('queued');
      const held = count('held');
      if (queued + held === 0) {
        // One document: answer with what failed it; several: the batch-level code, details per record.
        const code = single && validationErrors[0] ? validationErrors[0].code : 'BATCH_REJECTED';
        throw new ProblemError(code, { validationErrors, ...(single && validationErrors[0] ? { detail: validationErrors[0].message_en, detail_vi: validationErrors[0].message_vi } : {}) });
      }
      const submissionId = uuidv7();
      const response = { submissionId, vendor, received: docs.length, queued, held, rejected: count('rejected'), records: views, validationErrors };
      const r = settings.delivery.retry;
      const now = Date.now();
      try {
        await store.insertSubmission(
          { id: submissionId, vendor, idempotencyKey, requestHash, response, createdAt: now },
          records,
          { maxAttempts: r.maxAttempts, baseDelayMs: r.baseDelayMs, capDelayMs: r.capDelayMs },
        );
      } catch (e) {
        const winner = await replayed();
        if (winner) return winner;
        throw e;
      }
      // A later document for the same record book replaces one still waiting for signatures.
      for (const rec of records) if (rec.recordKey && rec.state !== 'rejected') await store.supersedeHeld(rec.recordKey, vendor, rec.id, now);
      if (queued > 0) app.services.nudgeDelivery();
      request.logSummary = { submissionId, vendor, queued, held, rejected: response.rejected };
      return reply.code(202).header('location', `/v1/submissions/${submissionId}`).send(response);
    },
  );
}
