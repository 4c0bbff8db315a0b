import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../errors/problem.js';
import type { RecordState } from '../delivery/states.js';
import { cancelBody, idParam, listRecordsQuery, recordView, replayBody, timelineEvent } from '../schemas/http.js';
import { recordToView } from './submissions.js';

// What admins use to see what failed and to replay it. Replay keeps each record's key and
// content hash, so the Ministry counts a record it already had as a duplicate, not a new one.

export default async function adminRoutes(app: FastifyInstance): Promise<void> {
  const { store } = app.services;
  const common = { preHandler: app.requireAdmin };

  app.get('/admin/v1/records', {
    ...common,
    schema: {
      tags: ['admin'],
      summary: 'Records by state (for example the dead ones), newest change first',
      querystring: listRecordsQuery,
      response: { 200: { type: 'object', properties: { records: { type: 'array', items: recordView } } } },
      security: [{ bearer: [] }],
    },
  }, async (request) => {
    const q = request.query as { state?: RecordState; submissionId?: string; code?: string; limit?: number };
    return { records: (await store.listRecords(q)).map(recordToView) };
  });

  app.get('/admin/v1/records/:id', {
    ...common,
    schema: {
      tags: ['admin'],
      summary: 'One record with its attempt timeline',
      params: idParam,
      response: {
        200: { type: 'object', properties: { record: recordView, timeline: { type: 'array', items: timelineEvent } } },
        404: { $ref: 'Problem#' },
      },
      security: [{ bearer: [] }],
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const r = await store.getRecord(id);
    if (!r) throw new ProblemError('NOT_FOUND', { detail: `No record ${id}.` });
    const timeline = (await store.recordEvents(id)).map((e) => ({ at: new Date(e.at).toISOString(), from: e.fromState, to: e.toState, code: e.code, reason: e.reason }));
    return { record: recordToView(r), timeline };
  });

  app.post('/admin/v1/keys/reload', {
    ...common,
    schema: {
      tags: ['admin'],
      summary: 'Re-read the signing key, its certificate and the trust files (rotation) without a restart',
      description: 'The same as sending SIGHUP to the process. Requests in flight finish with the old pair; if anything fails to load, the old pair stays in use and the answer is 409.',
      response: {
        200: {
          type: 'object',
          properties: {
            signer: {
              type: 'object',
              properties: {
                name: { type: 'string' },
                certificate: {
                  type: 'object',
                  properties: { subject: { type: 'string' }, issuer: { type: 'string' }, serialNumber: { type: 'string' }, notBefore: { type: 'string' }, notAfter: { type: 'string' }, sha256: { type: 'string' } },
                },
              },
            },
            trust: { type: 'object', properties: { anchors: { type: 'integer' }, crls: { type: 'integer' }, warnings: { type: 'array', items: { type: 'string' } } } },
          },
        },
        409: { $ref: 'Problem#' },
      },
      security: [{ bearer: [] }],
    },
  }, async (request) => {
    try {
      return await app.services.reloadKeys();
    } catch (e) {
      // Messages name files and causes (signers and trust loaders never put key material in them).
      request.log.warn({ reason: (e as Error).message }, 'keys reload failed');
      throw new ProblemError('KEYS_RELOAD_FAILED', { detail: `${(e as Error).message}. The previous key and trust files stay in use.` });
    }
  });

  app.post('/admin/v1/replay', {
    ...common,
    schema: {
      tags: ['admin'],
      summary: 'Re-queue dead records by id or by filter',
      body: replayBody,
      response: { 200: { type: 'object', properties: { replayed: { type: 'integer' } } }, 400: { $ref: 'Problem#' } },
      security: [{ bearer: [] }],
    },
  }, async (request) => {
    const body = request.body as { ids?: string[]; filter?: { submissionId?: string; code?: string; limit?: number }; reason?: string };
    const reason = `replayed by admin${body.reason ? ': ' + body.reason : ''}`;
    const replayed = await store.replay({ ids: body.ids, filter: body.filter }, reason, Date.now());
    if (replayed > 0) app.services.nudgeDelivery();
    request.logSummary = { replayed };
    return { replayed };
  });

  app.post('/admin/v1/cancel', {
    ...common,
    schema: {
      tags: ['admin'],
      summary: 'Withdraw queued, retry or dead records; they are never sent',
      body: cancelBody,
      response: { 200: { type: 'object', properties: { cancelled: { type: 'integer' } } }, 400: { $ref: 'Problem#' } },
      security: [{ bearer: [] }],
    },
  }, async (request) => {
    const body = request.body as { ids: string[]; reason?: string };
    const cancelled = await store.cancel(body.ids, `cancelled by admin${body.reason ? ': ' + body.reason : ''}`, Date.now());
    request.logSummary = { cancelled };
    return { cancelled };
  });
}
