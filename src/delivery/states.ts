// A record's life in the outbox, as one frozen list with its allowed transitions.
// `rejected` records failed validation at the door and are kept only so that a vendor can read
// the outcome of each record of a submission; they never enter the queue.

export const RECORD_STATES = Object.freeze([
  'rejected',
  'queued',
  'sending',
  'retry',
  'acknowledged',
  'dead',
  'cancelled',
  'held',
  'superseded',
] as const);
export type RecordState = (typeof RECORD_STATES)[number];

export const TRANSITIONS: Readonly<Record<RecordState, readonly RecordState[]>> = Object.freeze({
  rejected: [],
  queued: ['sending', 'cancelled'],
  sending: ['acknowledged', 'retry', 'dead', 'queued', 'sending'],
  retry: ['sending', 'cancelled'],
  acknowledged: [],
  dead: ['queued', 'cancelled'],
  cancelled: [],
  held: ['superseded', 'cancelled'],
  superseded: [],
});

/** States from which the worker may claim a record (a `sending` one only once its lease has expired). */
export const CLAIMABLE: readonly RecordState[] = Object.freeze(['queued', 'retry']);
export const TERMINAL: readonly RecordState[] = Object.freeze(['rejected', 'acknowledged', 'dead', 'cancelled', 'superseded']);
