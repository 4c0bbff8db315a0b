import { CANCELLABLE, RECORD_STATES, type RecordState } from '../delivery/states.js';
import type { RecordFilter, RecordRow, Store } from '../storage/store.js';
import { audit, type Actor } from './audit.js';

// Finding records and acting on many at once: one set of functions for the API, the dashboard
// and the CLI. Replay and cancel take ids or the same filter as the search; a dry run counts
// and shows the first 20 without changing anything; every run that is not a dry run is audited.

/**
 * The search's query names (GET /admin/v1/records, and the filter of replay and cancel): the
 * store's filter, with the time range also as ISO times (or epoch ms).
 */
export type RecordQuery = Pick<RecordFilter, 'school' | 'vendor' | 'learnerId' | 'recordKey' | 'className' | 'grade' | 'state' | 'code' | 'submissionId' | 'timeField'> & {
  from?: string | number;
  to?: string | number;
};

export class QueryError extends Error {}

function time(v: string | number | undefined, what: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const t = typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(t)) throw new QueryError(`${what} is not a time: ${JSON.stringify(v)}`);
  return t;
}

export function toRecordFilter(q: RecordQuery): RecordFilter {
  if (q.state !== undefined && !RECORD_STATES.includes(q.state)) throw new QueryError(`unknown state ${JSON.stringify(q.state)}`);
  const f: RecordFilter = {
    state: q.state,
    submissionId: q.submissionId,
    code: q.code,
    school: q.school,
    vendor: q.vendor,
    learnerId: q.learnerId,
    recordKey: q.recordKey,
    className: q.className,
    grade: q.grade,
    from: time(q.from, 'from'),
    to: time(q.to, 'to'),
    timeField: q.timeField,
  };
  for (const k of Object.keys(f) as (keyof RecordFilter)[]) if (f[k] === undefined) delete f[k];
  return f;
}

/** Opaque paging cursor: the last id of a page. */
export const encodeCursor = (id: string) => Buffer.from(`r:${id}`, 'utf8').toString('base64url');
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith('r:') || text.length > 80) throw new QueryError('cursor is not one this gateway gave');
  return text.slice(2);
}

export async function searchRecords(store: Store, filter: RecordFilter, limit: number, cursor?: string): Promise<{ records: RecordRow[]; nextCursor: string | null }> {
  const rows = await store.listRecords({ ...filter, beforeId: decodeCursor(cursor), limit: limit + 1 });
  const more = rows.length > limit;
  const records = more ? rows.slice(0, limit) : rows;
  return { records, nextCursor: more ? encodeCursor(records[records.length - 1].id) : null };
}

export interface BulkRequest {
  ids?: string[];
  filter?: RecordQuery & { limit?: number };
  reason?: string;
  dryRun?: boolean;
  limit?: number;
}

export interface BulkResult {
  dryRun: boolean;
  matched: number;
  done: number;
  first: RecordRow[];
}

const FIRST = 20;
// Ids are gathered a page at a time; a run acts on at most this many (more: run it again).
const PAGE = 1000;
export const MAX_BULK = 100_000;

async function select(store: Store, req: BulkRequest, states: readonly RecordState[]): Promise<{ matched: number; ids: string[]; first: RecordRow[] }> {
  const limit = Math.min(req.limit ?? req.filter?.limit ?? MAX_BULK, MAX_BULK);
  if (req.ids) {
    const rows = (await Promise.all(req.ids.slice(0, limit).map((id) => store.getRecord(id)))).filter((r): r is RecordRow => !!r && states.includes(r.state));
    return { matched: rows.length, ids: rows.map((r) => r.id), first: rows.slice(0, FIRST) };
  }
  const base = toRecordFilter(req.filter ?? {});
  const filter: RecordFilter = { ...base, states: base.state ? states.filter((s) => s === base.state) : states };
  delete filter.state;
  const matched = await store.countRecords(filter);
  const ids: string[] = [];
  const first: RecordRow[] = [];
  let beforeId: string | undefined;
  while (ids.length < Math.min(matched, limit)) {
    const page = await store.listRecords({ ...filter, beforeId, limit: Math.min(PAGE, limit - ids.length) });
    if (page.length === 0) break;
    for (const r of page) {
      ids.push(r.id);
      if (first.length < FIRST) first.push(r);
    }
    beforeId = page[page.length - 1].id;
  }
  return { matched, ids, first };
}

export async function replayRecords(store: Store, actor: Actor, req: BulkRequest, now = Date.now()): Promise<BulkResult> {
  const { matched, ids, first } = await select(store, req, ['dead']);
  if (req.dryRun) return { dryRun: true, matched, done: 0, first };
  const reason = `replayed by ${actor.name ?? actor.id ?? 'admin'}${req.reason ? ': ' + req.reason : ''}`;
  const done = ids.length ? await store.replay({ ids }, reason, now) : 0;
  await audit(store, actor, { action: 'replay', target: req.ids ? { ids: req.ids } : { filter: req.filter ?? {}, limit: req.limit ?? null }, count: done, reason: req.reason ?? null }, now);
  return { dryRun: false, matched, done, first };
}

export async function cancelRecords(store: Store, actor: Actor, req: BulkRequest, now = Date.now()): Promise<BulkResult> {
  const { matched, ids, first } = await select(store, req, CANCELLABLE);
  if (req.dryRun) return { dryRun: true, matched, done: 0, first };
  const reason = `cancelled by ${actor.name ?? actor.id ?? 'admin'}${req.reason ? ': ' + req.reason : ''}`;
  let done = 0;
  for (let i = 0; i < ids.length; i += 10_000) done += await store.cancel(ids.slice(i, i + 10_000), reason, now);
  await audit(store, actor, { action: 'cancel', target: req.ids ? { ids: req.ids } : { filter: req.filter ?? {}, limit: req.limit ?? null }, count: done, reason: req.reason ?? null }, now);
  return { dryRun: false, matched, done, first };
}
