import type { FastifyInstance } from 'fastify';
import { actorOf, audit, auditView } from '../admin/audit.js';
import { createAdmin, createVendorKey, credentialView, CredentialError, parseDuration, parseExpiry, revokeCredential, rotateCredential } from '../admin/credentials.js';
import { overview, progress } from '../admin/progress.js';
import { cancelRecords, QueryError, replayRecords, searchRecords, toRecordFilter, type BulkRequest, type RecordQuery } from '../admin/records.js';
import { ProblemError } from '../errors/problem.js';
import { adminRecordView, cancelBody, idParam, listRecordsQuery, replayBody, timelineEvent } from '../schemas/http.js';
import type { AdminRole, RecordRow } from '../storage/store.js';
import { recordToView } from './submissions.js';

// What the province's staff use: find records, follow progress, replay and cancel, manage keys,
// read the audit log. Roles: viewer reads; operator also replays and cancels; admin also manages
// credentials and reloads keys. Every action is audited (via 'api', or 'page' from the dashboard's
// session). Replay keeps each record's key and content hash, so the Ministry counts a record it
// already had as a duplicate, not a new one.

const problem = { $ref: 'Problem#' } as const;
const errors = { 400: problem, 401: problem, 403: problem };

export function adminRecordToView(r: RecordRow) {
  return {
    ...recordToView(r),
    schoolId: r.schoolId ?? null,
    vendor: r.vendor ?? null,
    learnerId: r.learnerId ?? null,
    grade: r.grade ?? null,
    className: r.className ?? null,
    createdAt: new Date(r.createdAt).toISOString(),
  };
}

function badQuery(e: unknown): never {
  if (e instanceof QueryError || e instanceof CredentialError) throw new ProblemError(e instanceof CredentialError ? 'CREDENTIAL_INVALID' : 'REQUEST_INVALID', { detail: e.message });
  throw e;
}

const credentialSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    vendor: { type: ['string', 'null'] },
    name: { type: ['string', 'null'] },
    role: { type: ['string', 'null'] },
    schools: { type: ['array', 'null'], items: { type: 'string' } },
    createdAt: { type: ['string', 'null'] },
    expiresAt: { type: ['string', 'null'] },
    revokedAt: { type: ['string', 'null'] },
    graceUntil: { type: ['string', 'null'] },
    replacedBy: { type: ['string', 'null'] },
  },
} as const;

const bulkResponse = (verb: 'replayed' | 'cancelled') => ({
  type: 'object',
  properties: { dryRun: { type: 'boolean' }, matched: { type: 'integer' }, [verb]: { type: 'integer' }, first: { type: 'array', items: adminRecordView } },
});

export default async function adminRoutes(app: FastifyInstance): Promise<void> {
  const { store, settings } = app.services;
  const viewer = { preHandler: app.requireRole('viewer') };
  const operator = { preHandler: app.requireRole('operator') };
  const admin = { preHandler: app.requireRole('admin') };
  const security = [{ bearer: [] }];

  app.get('/admin/v1/me', {
    ...viewer,
    schema: { tags: ['admin'], summary: 'Who is signed in', response: { 200: { type: 'object', properties: { id: { type: 'string' }, name: { type: ['string', 'null'] }, role: { type: ['string', 'null'] } } } }, security },
  }, async (request) => {
    const p = request.principal!;
    return { id: p.id, name: p.name, role: p.role };
  });

  app.get('/admin/v1/records', {
    ...viewer,
    schema: {
      tags: ['admin'],
      summary: 'Find records: by school, vendor, student ID, record key, class, grade, state, code and time range',
      description: 'Newest first (by record id). Pages of `limit` (at most 1000); pass `nextCursor` as `cursor` for the next page; `nextCursor` is null on the last page. There is no cap on how far one may page.',
      querystring: listRecordsQuery,
      response: { 200: { type: 'object', properties: { records: { type: 'array', items: adminRecordView }, nextCursor: { type: ['string', 'null'] } } }, ...errors },
      security,
    },
  }, async (request) => {
    const q = request.query as RecordQuery & { limit: number; cursor?: string };
    try {
      const page = await searchRecords(store, toRecordFilter(q), q.limit ?? 100, q.cursor);
      return { records: page.records.map(adminRecordToView), nextCursor: page.nextCursor };
    } catch (e) {
      badQuery(e);
    }
  });

  app.get('/admin/v1/records/:id', {
    ...viewer,
    schema: {
      tags: ['admin'],
      summary: 'One record with its attempt timeline',
      params: idParam,
      response: {
        200: { type: 'object', properties: { record: adminRecordView, timeline: { type: 'array', items: timelineEvent } } },
        404: problem,
      },
      security,
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const r = await store.getRecord(id);
    if (!r) throw new ProblemError('NOT_FOUND', { detail: `No record ${id}.` });
    const timeline = (await store.recordEvents(id)).map((e) => ({ at: new Date(e.at).toISOString(), from: e.fromState, to: e.toState, code: e.code, reason: e.reason }));
    return { record: adminRecordToView(r), timeline };
  });

  app.get('/admin/v1/overview', {
    ...viewer,
    schema: {
      tags: ['admin'],
      summary: 'Totals by state, queue depth, oldest queued age, the delivery circuit, the signing certificate',
      response: {
        200: {
          type: 'object',
          properties: {
            totals: { type: 'object', additionalProperties: { type: 'integer' } },
            queueDepth: { type: 'integer' },
            oldestQueuedAgeSeconds: { type: ['integer', 'null'] },
            circuit: { type: ['object', 'null'], properties: { state: { type: 'string' }, nextProbeAt: { type: ['string', 'null'] }, consecutiveFailures: { type: 'integer' } } },
            signer: { type: 'object', properties: { certificateExpiryDays: { type: ['integer', 'null'] } } },
          },
        },
      },
      security,
    },
  }, async () => overview(app.services));

  app.get('/admin/v1/progress', {
    ...viewer,
    schema: {
      tags: ['admin'],
      summary: 'Progress per school, vendor or grade, furthest behind first',
      description:
        'Per group: counts by state; received = every record stored (rejected included); valid = received less rejected; ' +
        'signaturesComplete = valid records not waiting for signatures (valid less those held for signatures and superseded: signed records carrying every ' +
        'required signature, and unsigned records, which the province signs in its packets); heldForPersonalId = held until the student\'s ' +
        'personal ID is issued (PERSONAL_ID_PENDING); acknowledged = receipts from the Ministry; ' +
        'dead; shareSignaturesComplete and shareAcknowledged = those over valid (0 without valid records); oldestQueuedAgeSeconds = age ' +
        'of the oldest record still waiting (queued, retry or sending). Sorted by lowest shareAcknowledged, then most dead.',
      querystring: { type: 'object', additionalProperties: false, properties: { groupBy: { type: 'string', enum: ['school', 'vendor', 'grade'], default: 'school' } } },
      response: {
        200: {
          type: 'object',
          properties: {
            groupBy: { type: 'string' },
            groups: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  key: { type: ['string', 'null'] },
                  name: { type: ['string', 'null'] },
                  received: { type: 'integer' },
                  valid: { type: 'integer' },
                  signaturesComplete: { type: 'integer' },
                  heldForPersonalId: { type: 'integer' },
                  acknowledged: { type: 'integer' },
                  dead: { type: 'integer' },
                  queueDepth: { type: 'integer' },
                  counts: { type: 'object', additionalProperties: { type: 'integer' } },
                  shareSignaturesComplete: { type: 'number' },
                  shareAcknowledged: { type: 'number' },
                  oldestQueuedAgeSeconds: { type: ['integer', 'null'] },
                },
              },
            },
          },
        },
        ...errors,
      },
      security,
    },
  }, async (request) => progress(app.services, (request.query as { groupBy: 'school' | 'vendor' | 'grade' }).groupBy));

  app.post('/admin/v1/replay', {
    ...operator,
    schema: {
      tags: ['admin'],
      summary: 'Re-queue dead records by id or by filter (operator); dryRun previews',
      body: replayBody,
      response: { 200: bulkResponse('replayed'), ...errors },
      security,
    },
  }, async (request) => {
    try {
      const r = await replayRecords(store, actorOf(request), request.body as BulkRequest);
      if (r.done > 0) app.services.nudgeDelivery();
      request.logSummary = { replayed: r.done, dryRun: r.dryRun };
      return { dryRun: r.dryRun, matched: r.matched, replayed: r.done, first: r.first.map(adminRecordToView) };
    } catch (e) {
      badQuery(e);
    }
  });

  app.post('/admin/v1/cancel', {
    ...operator,
    schema: {
      tags: ['admin'],
      summary: 'Withdraw queued, retry, dead or held records by id or by filter (operator); they are never sent; dryRun previews',
      body: cancelBody,
      response: { 200: bulkResponse('cancelled'), ...errors },
      security,
    },
  }, async (request) => {
    try {
      const r = await cancelRecords(store, actorOf(request), request.body as BulkRequest);
      request.logSummary = { cancelled: r.done, dryRun: r.dryRun };
      return { dryRun: r.dryRun, matched: r.matched, cancelled: r.done, first: r.first.map(adminRecordToView) };
    } catch (e) {
      badQuery(e);
    }
  });

  app.post('/admin/v1/keys/reload', {
    ...admin,
    schema: {
      tags: ['admin'],
      summary: 'Re-read the signing key, its certificate and the trust files (rotation) without a restart (admin)',
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
            trust: { type: 'object', properties: { anchors: { type: 'integer' }, crls: { type: 'integer' }, timeStampAnchors: { type: 'integer' }, warnings: { type: 'array', items: { type: 'string' } } } },
          },
        },
        409: problem,
      },
      security,
    },
  }, async (request) => {
    try {
      const r = await app.services.reloadKeys();
      await audit(store, actorOf(request), { action: 'keys.reload', target: { serialNumber: r.signer.certificate.serialNumber }, count: null });
      return r;
    } catch (e) {
      // Messages name files and causes (signers and trust loaders never put key material in them).
      request.log.warn({ reason: (e as Error).message }, 'keys reload failed');
      await audit(store, actorOf(request), { action: 'keys.reload', target: { failed: (e as Error).message }, count: null });
      throw new ProblemError('KEYS_RELOAD_FAILED', { detail: `${(e as Error).message}. The previous key and trust files stay in use.` });
    }
  });

  app.get('/admin/v1/credentials', {
    ...admin,
    schema: {
      tags: ['admin'],
      summary: 'Vendor keys and admin accounts (never a key) (admin)',
      querystring: { type: 'object', additionalProperties: false, properties: { kind: { type: 'string', enum: ['vendor', 'admin'] } } },
      response: { 200: { type: 'object', properties: { credentials: { type: 'array', items: credentialSchema } } } },
      security,
    },
  }, async (request) => ({ credentials: (await store.listCredentials((request.query as { kind?: 'vendor' | 'admin' }).kind)).map(credentialView) }));

  app.post('/admin/v1/credentials', {
    ...admin,
    schema: {
      tags: ['admin'],
      summary: 'Make a vendor key (or, with kind admin, an admin account); the key is in this answer only (admin)',
      description: 'Vendor keys name their schools (Ministry school IDs on the province\'s school list); anySchool: true makes a key for every school of the province instead. The acceptance step refuses records of other schools (SCHOOL_NOT_AUTHORISED).',
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          kind: { type: 'string', enum: ['vendor', 'admin'], default: 'vendor' },
          vendor: { type: 'string', maxLength: 64 },
          schools: { type: 'array', items: { type: 'string', maxLength: 32 }, maxItems: 10000 },
          anySchool: { type: 'boolean' },
          name: { type: 'string', maxLength: 200 },
          role: { type: 'string', enum: ['viewer', 'operator', 'admin'] },
          expiresAt: { type: 'string', maxLength: 40 },
        },
      },
      response: { 201: { type: 'object', properties: { ...credentialSchema.properties, key: { type: 'string' } } }, ...errors },
      security,
    },
  }, async (request, reply) => {
    const b = request.body as { kind: 'vendor' | 'admin'; vendor?: string; schools?: string[]; anySchool?: boolean; name?: string; role?: AdminRole; expiresAt?: string };
    try {
      const expiresAt = b.expiresAt ? parseExpiry(b.expiresAt, Date.now()) : null;
      const actor = actorOf(request);
      const made =
        b.kind === 'admin'
          ? await createAdmin(store, actor, { name: b.name ?? '', role: b.role ?? 'viewer', expiresAt })
          : await createVendorKey(store, settings, actor, { vendor: b.vendor ?? '', schools: b.schools, anySchool: b.anySchool, name: b.name ?? null, expiresAt });
      return reply.code(201).send({ ...credentialView(made.credential), key: made.key });
    } catch (e) {
      badQuery(e);
    }
  });

  app.post('/admin/v1/credentials/:id/revoke', {
    ...admin,
    schema: {
      tags: ['admin'],
      summary: 'Revoke a key or an admin account: it stops working at once (admin)',
      params: idParam,
      body: { type: ['object', 'null'], additionalProperties: false, properties: { reason: { type: 'string', maxLength: 500 } } },
      response: { 200: credentialSchema, 404: problem, ...errors },
      security,
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const reason = (request.body as { reason?: string } | null)?.reason ?? null;
    const cred = await revokeCredential(store, actorOf(request), id, reason);
    if (!cred) throw new ProblemError('NOT_FOUND', { detail: `No credential ${id}.` });
    return credentialView(cred);
  });

  app.post('/admin/v1/credentials/:id/rotate', {
    ...admin,
    schema: {
      tags: ['admin'],
      summary: 'A new key for a credential; the old one keeps working until the grace ends (default 7d) (admin)',
      params: idParam,
      body: {
        type: ['object', 'null'],
        additionalProperties: false,
        properties: { grace: { type: 'string', maxLength: 20, description: 'e.g. 7d, 12h, 0s' }, graceSeconds: { type: 'integer', minimum: 0, maximum: 31536000 } },
      },
      response: { 200: { type: 'object', properties: { ...credentialSchema.properties, key: { type: 'string' } } }, 404: problem, ...errors },
      security,
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const b = (request.body as { grace?: string; graceSeconds?: number } | null) ?? {};
    try {
      const graceMs = b.graceSeconds !== undefined ? b.graceSeconds * 1000 : parseDuration(b.grace ?? '7d');
      const made = await rotateCredential(store, actorOf(request), id, graceMs);
      if (!made) throw new ProblemError('NOT_FOUND', { detail: `No credential ${id}.` });
      const old = await store.getCredential(id);
      return { ...credentialView(made.credential), key: made.key, graceUntil: old?.graceUntil != null ? new Date(old.graceUntil).toISOString() : null };
    } catch (e) {
      badQuery(e);
    }
  });

  app.get('/admin/v1/audit', {
    ...viewer,
    schema: {
      tags: ['admin'],
      summary: 'The audit log, newest first: who did what, to which records, how many, why, from where',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          action: { type: 'string', maxLength: 64 },
          actor: { type: 'string', maxLength: 200, description: 'actor id' },
          from: { type: 'string', maxLength: 40 },
          to: { type: 'string', maxLength: 40 },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          cursor: { type: 'string', maxLength: 40 },
        },
      },
      response: {
        200: {
          type: 'object',
          properties: {
            entries: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  id: { type: 'string' },
                  at: { type: 'string' },
                  actorId: { type: ['string', 'null'] },
                  actorName: { type: ['string', 'null'] },
                  role: { type: ['string', 'null'] },
                  action: { type: 'string' },
                  target: {},
                  count: { type: ['integer', 'null'] },
                  reason: { type: ['string', 'null'] },
                  source: { type: ['string', 'null'] },
                  via: { type: 'string' },
                },
              },
            },
            nextCursor: { type: ['string', 'null'] },
          },
        },
        ...errors,
      },
      security,
    },
  }, async (request) => {
    const q = request.query as { action?: string; actor?: string; from?: string; to?: string; limit: number; cursor?: string };
    const time = (v: string | undefined, what: string) => {
      if (!v) return undefined;
      const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
      if (!Number.isFinite(t)) throw new ProblemError('REQUEST_INVALID', { detail: `${what} is not a time` });
      return t;
    };
    const beforeId = q.cursor ? Number(q.cursor) : undefined;
    if (beforeId !== undefined && !Number.isInteger(beforeId)) throw new ProblemError('REQUEST_INVALID', { detail: 'cursor is not one this gateway gave' });
    const rows = await store.listAudit({ action: q.action, actorId: q.actor, from: time(q.from, 'from'), to: time(q.to, 'to'), beforeId, limit: q.limit + 1 });
    const more = rows.length > q.limit;
    const entries = (more ? rows.slice(0, q.limit) : rows).map(auditView);
    return { entries, nextCursor: more ? entries[entries.length - 1].id : null };
  });
}

