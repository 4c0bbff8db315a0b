// A record's life in the outbox, as one frozen list with its allowed transitions.
//
//   received ─▶ queued ─▶ sending ─▶ acknowledged
//      │ │        ▲  │       │ ▲
//      │ ▼        │  │       ▼ │ (lease expired: another worker takes it over)
//      │ rejected │  │     retry ─▶ … ─▶ dead ─▶ (replay) queued
//      ▼          │  ▼                    │
//     held ──────▶ cancelled ◀────────────┘
//      └─▶ superseded ◀── queued, retry, dead (a later version of the record book replaced it)
//
//   acknowledged ─▶ withdrawn (the Ministry acknowledged the record book's withdrawal: a CANCEL)
//
// `received` is where every record starts: the first timeline entry of a record goes from it to
// `queued` (valid, committed), `rejected` (failed validation at the door) or `held` (a signed
// record still missing required signatures). No row rests in it, because a record is stored only
// once its submission commits. A withdrawal (issue 15 item 10) is a row of its own (kind
// 'withdrawal') that goes through the same queue states; once the Ministry acknowledges it, the
// acknowledged version it withdraws becomes `withdrawn`. `rejected` records are kept only so that a vendor can read the
// outcome of each record of a submission; they never enter the queue. A `held` record waits for a
// later signed document of the same record book, which supersedes it.

export const RECORD_STATES = Object.freeze([
  'received',
  'rejected',
  'queued',
  'sending',
  'retry',
  'acknowledged',
  'dead',
  'cancelled',
  'held',
  'superseded',
  'withdrawn',
] as const);
export type RecordState = (typeof RECORD_STATES)[number];

export const TRANSITIONS: Readonly<Record<RecordState, readonly RecordState[]>> = Object.freeze({
  received: ['queued', 'rejected', 'held'],
  rejected: [],
  queued: ['sending', 'cancelled', 'superseded'],
  // sending → sending: the lease of a worker that died expired and another worker claimed it;
  // sending → queued: a worker shutting down gave it back untouched.
  sending: ['acknowledged', 'retry', 'dead', 'queued', 'sending'],
  retry: ['sending', 'cancelled', 'superseded'],
  acknowledged: ['withdrawn'],
  dead: ['queued', 'cancelled', 'superseded'],
  cancelled: [],
  held: ['superseded', 'cancelled'],
  superseded: [],
  withdrawn: [],
});

/** States from which the worker may claim a record (a `sending` one only once its lease has expired). */
export const CLAIMABLE: readonly RecordState[] = Object.freeze(['queued', 'retry']);
/** States an admin may cancel: nothing in flight, nothing already settled. */
export const CANCELLABLE: readonly RecordState[] = Object.freeze(['queued', 'retry', 'dead', 'held']);
export const TERMINAL: readonly RecordState[] = Object.freeze(['rejected', 'acknowledged', 'dead', 'cancelled', 'superseded', 'withdrawn']);

export function isAllowedTransition(from: RecordState | null, to: RecordState): boolean {
  return from === null ? to === 'received' : TRANSITIONS[from].includes(to);
}
