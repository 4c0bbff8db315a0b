import type { FastifyInstance } from 'fastify';
import { uuidv7 } from '../ids/uuid-v7.js';
import { ProblemError } from '../errors/problem.js';
import { accept, priorAnswer } from '../pipeline/accept.js';
import { sha256 } from '../pipeline/batch-intake.js';
import { overBytes } from '../signing/xml-prescan.js';
import type { IntakeResult } from '../pipeline/intake.js';
import type { SignedRecordOutcome } from '../record-signatures/check-record.js';
import type { SignatureReport } from '../record-signatures/verify-document.js';
import { signedRecordsAccepted, submissionHeaders } from '../schemas/http.js';
import { toValidationErrors } from '../validation/validate.js';
import { preferredHandling, prefersDryRun, replyAccepted } from './submissions.js';

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
    ...(s.timeStamp ? { timeStamp: s.timeStamp } : {}),
    ...(s.signer ? { signer: { commonName: s.signer.commonName, subject: s.signer.subject, issuer: s.signer.issuer, serialNumber: s.signer.serialNumber } } : {}),
    ...(s.note ? { note: s.note } : {}),
  };
}

/** Verified documents as the acceptance step takes them: one outcome and one row each. */
export function signedIntakeResult(checked: SignedRecordOutcome[], docs: string[]): IntakeResult {
  const result: IntakeResult = { outcomes: [], records: [], validationErrors: [] };
  const seen = new Set<string>();
  checked.forEach((o, index) => {
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
    result.validationErrors.push(...errors);
    const signatures = o.signatures.map(compact);
    const accepted = status !== 'rejected';
    result.records.push({
      id,
      index,
      recordKey: o.recordKey ?? null,
      contentHash: accepted ? o.contentHash! : null,
      version: accepted ? (o.version ?? null) : null,
      recordXml: accepted ? o.recordXml! : null,
      state: status,
      ...(o.holdCode ? { holdCode: o.holdCode } : {}),
      // A record held for its personal ID keeps the reason, as one held by the JSON path does.
      errors: errors.length && (status === 'rejected' || o.holdCode === 'PERSONAL_ID_PENDING') ? errors : null,
      signatures,
      signedXml: accepted ? docs[index] : null,
      ...o.facets,
    });
    result.outcomes.push({
      index,
      recordId: id,
      ...(o.recordKey ? { recordKey: o.recordKey } : {}),
      status,
      ...(errors.length ? { errors } : {}),
      signatures,
      ...(o.missing.length ? { missingSignatures: o.missing } : {}),
    });
  });
  return result;
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
      const principal = request.principal!;
      const vendor = principal.vendor!;
      const single = typeof request.body === 'string';
      const docs = single ? [request.body as string] : (request.body as { documents: string[] }).documents;
      if (docs.length > settings.signedRecords.maxDocumentsPerRequest) {
        throw new ProblemError('BODY_TOO_LARGE', { detail: `At most ${settings.signedRecords.maxDocumentsPerRequest} documents per request; split them.`, status: 413 });
      }
      // Bytes are counted here, before a document is handed to a verification thread: one
      // document too large refuses the request (the threads bound the rest of each on its own).
      const maxBytes = settings.signedRecords.maxDocumentBytes;
      for (const [index, doc] of docs.entries()) {
        const bytes = overBytes(doc, maxBytes);
        if (bytes !== null) {
          const which = single ? 'The document' : `Document ${index}`;
          throw new ProblemError('DOCUMENT_TOO_LARGE', {
            detail: `${which} has ${bytes} bytes or more; at most ${maxBytes} are accepted (signedRecords.maxDocumentBytes).`,
            detail_vi: `${single ? 'Văn bản' : `Văn bản số ${index}`} có từ ${bytes} byte trở lên; tối đa ${maxBytes} byte (signedRecords.maxDocumentBytes).`,
          });
        }
      }
      const dryRun = prefersDryRun(request.headers.prefer);
      const handling = preferredHandling(request.headers.prefer);
      const idempotencyKey = dryRun ? null : ((request.headers['idempotency-key'] as string | undefined) ?? null);
      const requestHash = sha256(single ? (request.body as string) : JSON.stringify(request.body));
      const prior = await priorAnswer(store, vendor, idempotencyKey, requestHash);
      if (prior) return replyAccepted(reply, prior);

      const checked: SignedRecordOutcome[] = await verifier.check(docs);
      const result = signedIntakeResult(checked, docs);
      const outcome = await accept(
        { store, settings, nudge: app.services.nudgeDelivery, observe: app.services.observeIntake },
        { principal: { vendor, schools: principal.schools }, idempotencyKey, requestHash, handling, dryRun, result, signed: true },
      );
      if (outcome.kind === 'refused' && single && outcome.response.validationErrors[0]) {
        // One document: answer with what failed it.
        const first = outcome.response.validationErrors[0];
        throw new ProblemError(first.code, { validationErrors: outcome.response.validationErrors, detail: first.message_en, detail_vi: first.message_vi });
      }
      return replyAccepted(reply, outcome);
    },
  );
}
