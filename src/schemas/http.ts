// The HTTP API's schemas, in one place: Fastify validates requests with them and
// @fastify/swagger publishes them at /docs/json.

import { RECORD_STATES } from '../delivery/states.js';

const localized = {
  path: { type: 'string' },
  code: { type: 'string' },
  message_en: { type: 'string' },
  message_vi: { type: 'string' },
} as const;

export const validationError = {
  $id: 'ValidationError',
  type: 'object',
  properties: {
    index: { type: 'integer' },
    recordKey: { type: 'string' },
    ...localized,
    source: {
      type: 'object',
      description: 'Where in the vendor\'s document (workbooks: sheet, row, A1 cell and column heading)',
      properties: { sheet: { type: 'string' }, row: { type: 'integer' }, cell: { type: 'string' }, field: { type: 'string' } },
    },
  },
} as const;

export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 Problem Details, with a stable code and messages in English and Vietnamese.',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string' },
    detail: { type: 'string' },
    detail_vi: { type: 'string' },
    instance: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: localized } },
    validationErrors: { type: 'array', items: { $ref: 'ValidationError#' } },
  },
} as const;

/** One signature of a signed record, as stored and shown (record-signatures/). */
export const signatureView = {
  type: 'object',
  properties: {
    id: { type: ['string', 'null'] },
    role: { type: ['string', 'null'], enum: ['teacher', 'principal', 'seal', null] },
    valid: { type: 'boolean' },
    code: { type: 'string' },
    detail: { type: 'string' },
    signingTime: { type: 'string' },
    /** A verified RFC 3161 time-stamp: when a trusted authority saw the signature (its certificate was checked then), and the authority. */
    timeStamp: { type: 'object', properties: { time: { type: 'string' }, authority: { type: 'string' } } },
    signer: {
      type: 'object',
      properties: { commonName: { type: ['string', 'null'] }, subject: { type: 'string' }, issuer: { type: 'string' }, serialNumber: { type: 'string' } },
    },
    note: { type: 'string' },
  },
} as const;

const recordOutcome = {
  type: 'object',
  properties: {
    index: { type: 'integer' },
    recordId: { type: 'string' },
    recordKey: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'rejected', 'held'] },
    errors: { type: 'array', items: { $ref: 'ValidationError#' } },
    signatures: { type: 'array', items: signatureView },
    missingSignatures: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const submissionAccepted = {
  type: 'object',
  properties: {
    submissionId: { type: ['string', 'null'], description: 'null in a dry run: nothing was stored' },
    vendor: { type: 'string' },
    dryRun: { type: 'boolean' },
    received: { type: 'integer' },
    queued: { type: 'integer' },
    held: { type: 'integer' },
    rejected: { type: 'integer' },
    records: { type: 'array', items: recordOutcome },
    validationErrors: { type: 'array', items: { $ref: 'ValidationError#' } },
  },
} as const;

export const signedRecordsAccepted = submissionAccepted;

const recordState = { type: 'string', enum: [...RECORD_STATES] } as const;

export const recordView = {
  type: 'object',
  properties: {
    recordId: { type: 'string' },
    kind: { type: 'string', enum: ['record', 'withdrawal'], description: 'A version of a record book, or the withdrawal of one (sent as a CANCEL)' },
    submissionId: { type: 'string' },
    index: { type: 'integer' },
    recordKey: { type: ['string', 'null'] },
    contentHash: { type: ['string', 'null'] },
    state: recordState,
    attempts: { type: 'integer' },
    maxAttempts: { type: 'integer' },
    nextAttemptAt: { type: ['string', 'null'] },
    lastCode: { type: ['string', 'null'] },
    lastReason: { type: ['string', 'null'] },
    ministryRecordId: { type: ['string', 'null'] },
    packetId: { type: ['string', 'null'] },
    errors: { type: ['array', 'null'], items: { $ref: 'ValidationError#' } },
    signatures: { type: ['array', 'null'], items: signatureView },
    updatedAt: { type: 'string' },
  },
} as const;

export const submissionView = {
  type: 'object',
  properties: {
    submissionId: { type: 'string' },
    vendor: { type: 'string' },
    createdAt: { type: 'string' },
    counts: { type: 'object', additionalProperties: { type: 'integer' } },
    records: { type: 'array', items: recordView },
  },
} as const;

export const timelineEvent = {
  type: 'object',
  properties: {
    at: { type: 'string' },
    from: { type: ['string', 'null'] },
    to: { type: 'string' },
    code: { type: ['string', 'null'] },
    reason: { type: ['string', 'null'] },
  },
} as const;

/** The search's filters (GET /admin/v1/records), also the `filter` of replay and cancel. */
const recordQueryProperties = {
  school: { type: 'string', maxLength: 32, description: 'Ministry school ID' },
  vendor: { type: 'string', maxLength: 64 },
  learnerId: { type: 'string', maxLength: 64, description: 'Student ID' },
  recordKey: { type: 'string', maxLength: 200 },
  className: { type: 'string', maxLength: 64 },
  grade: { type: 'integer', minimum: 1, maximum: 12 },
  state: recordState,
  code: { type: 'string', maxLength: 64, description: 'Last code (e.g. a Ministry refusal code, REPLAY, CANCELLED)' },
  submissionId: { type: 'string', maxLength: 64 },
  from: { type: 'string', maxLength: 40, description: 'ISO time (or epoch ms): on or after, on timeField' },
  to: { type: 'string', maxLength: 40, description: 'ISO time (or epoch ms): on or before, on timeField' },
  timeField: { type: 'string', enum: ['updatedAt', 'createdAt'], default: 'updatedAt' },
} as const;

export const replayBody = {
  type: 'object',
  additionalProperties: false,
  description: 'Which records: by id, or by the search\'s filter. Replay takes dead ones only; cancel queued, retry, dead or held ones. dryRun: how many and the first 20, nothing changed. limit: at most this many (100,000 a run).',
  properties: {
    ids: { type: 'array', items: { type: 'string', maxLength: 64 }, minItems: 1, maxItems: 10000 },
    filter: {
      type: 'object',
      additionalProperties: false,
      properties: { ...recordQueryProperties, limit: { type: 'integer', minimum: 1, maximum: 100000 } },
    },
    reason: { type: 'string', maxLength: 500 },
    dryRun: { type: 'boolean', default: false },
    limit: { type: 'integer', minimum: 1, maximum: 100000 },
  },
  oneOf: [{ required: ['ids'] }, { required: ['filter'] }],
} as const;

export const cancelBody = replayBody;

export const listRecordsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...recordQueryProperties,
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    cursor: { type: 'string', maxLength: 200, description: 'nextCursor of the previous page' },
  },
} as const;

/** A record in the admin's search: the vendor's view plus what it is about. */
export const adminRecordView = {
  type: 'object',
  properties: {
    ...recordView.properties,
    schoolId: { type: ['string', 'null'] },
    vendor: { type: ['string', 'null'] },
    learnerId: { type: ['string', 'null'] },
    grade: { type: ['integer', 'null'] },
    className: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
  },
} as const;

export const idParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 64 } },
} as const;

export const submissionHeaders = {
  type: 'object',
  properties: {
    'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 },
    prefer: {
      type: 'string',
      maxLength: 200,
      description: 'RFC 7240. `handling=strict`: if any record is invalid, nothing is stored and the answer is 422 BATCH_REJECTED_STRICT with every error. Default (or `handling=lenient`): valid records are queued, invalid ones listed. Answered with Preference-Applied.',
    },
  },
} as const;

export const sharedSchemas = [validationError, problemSchema];
