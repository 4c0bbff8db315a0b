import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { actorOf } from '../admin/audit.js';
import { ProblemError } from '../errors/problem.js';
import { roleAllows } from '../plugins/auth.js';
import { withdrawRecordBook } from '../pipeline/withdraw.js';

// POST /v1/records/{id}/withdrawal (issue 15 item 10): the vendor of the record book, or a province
// operator, withdraws it. 202 when a CANCEL is queued for the Ministry (the version it holds reads
// `withdrawn` once its receipt comes back); 200 when nothing had reached the Ministry and the
// versions waiting to be sent were cancelled here.

const IN_FLIGHT_RETRY_AFTER_SECONDS = 5;

const answer = {
  type: 'object',
  required: ['state', 'recordKey', 'cancelled'],
  properties: {
    state: { type: 'string', enum: ['queued', 'cancelled'], description: 'queued: a CANCEL waits to be sent; cancelled: nothing had reached the Ministry' },
    recordKey: { type: 'string' },
    withdrawalId: { type: ['string', 'null'], description: 'The withdrawal\'s own record id (GET /v1/records/{id}); null when nothing is sent' },
    withdrawnVersion: { type: 'integer', description: 'The version the Ministry holds and the CANCEL withdraws' },
    version: { type: 'integer', description: 'The withdrawal\'s version: a later submission of the book needs a higher one' },
    cancelled: { type: 'integer', description: 'Versions that waited to be sent (or were dead or held) and are cancelled' },
  },
} as const;

export default async function withdrawalRoutes(app: FastifyInstance): Promise<void> {
  const params = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;
  const body = {
    type: 'object',
    required: ['reason'],
    additionalProperties: false,
    properties: { reason: { type: 'string', minLength: 3, maxLength: 500, description: 'Why, sent to the Ministry with the withdrawal' } },
  } as const;
  const response = { 200: answer, 202: answer, 403: { $ref: 'Problem#' }, 404: { $ref: 'Problem#' }, 409: { $ref: 'Problem#' } };

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const { id } = request.params as { id: string };
    const { reason } = request.body as { reason: string };
    const principal = request.principal!;
    if (principal.kind === 'admin' && !roleAllows(principal.role, 'operator')) throw new ProblemError('ROLE_FORBIDDEN');
    const svc = app.services;
    const outcome = await withdrawRecordBook(
      { store: svc.store, settings: svc.settings, nudge: () => svc.nudgeDelivery() },
      { recordId: id, reason, vendor: principal.kind === 'vendor' ? principal.vendor : null, actor: actorOf(request) },
    );
    switch (outcome.kind) {
      case 'not-found':
        throw new ProblemError('NOT_FOUND', { detail: `No record ${id} for this key.`, detail_vi: `Không có hồ sơ ${id} đối với khóa này.` });
      case 'in-flight':
        throw new ProblemError('RECORD_IN_FLIGHT', { headers: { 'retry-after': String(IN_FLIGHT_RETRY_AFTER_SECONDS) } });
      case 'pending':
        throw new ProblemError('WITHDRAWAL_PENDING', {
          detail: `The withdrawal ${outcome.withdrawalId} of this record book already waits to be sent to the Ministry.`,
          detail_vi: `Yêu cầu rút ${outcome.withdrawalId} của học bạ này đang chờ gửi lên Bộ.`,
        });
      case 'nothing':
        throw new ProblemError('NOTHING_TO_WITHDRAW');
      case 'cancelled':
        request.logSummary = { withdrawal: 'cancelled', cancelled: outcome.cancelled };
        return reply.code(200).send({ state: 'cancelled', recordKey: outcome.recordKey, withdrawalId: null, cancelled: outcome.cancelled });
      case 'queued':
        request.logSummary = { withdrawal: outcome.withdrawalId, cancelled: outcome.cancelled };
        return reply.code(202).send({
          state: 'queued',
          recordKey: outcome.recordKey,
          withdrawalId: outcome.withdrawalId,
          withdrawnVersion: outcome.withdrawnVersion,
          version: outcome.version,
          cancelled: outcome.cancelled,
        });
    }
  };

  app.post('/v1/records/:id/withdrawal', {
    preHandler: app.requirePrincipal,
    schema: {
      tags: ['vendor', 'admin'],
      summary: 'Withdraw a record book from the Ministry (its vendor, or an operator): a CANCEL event, delivered as records are',
      security: [{ bearer: [] }],
      params,
      body,
      response,
    },
  }, handler);

  // The same for the dashboard, whose session cookie is scoped to /admin (and carries the CSRF token).
  app.post('/admin/v1/records/:id/withdrawal', {
    preHandler: app.requireRole('operator'),
    schema: {
      tags: ['admin'],
      summary: 'Withdraw a record book from the Ministry (operator): as POST /v1/records/{id}/withdrawal',
      security: [{ bearer: [] }],
      params,
      body,
      response,
    },
  }, handler);
}
