import { splitVneduBatch } from '../adapters/vnedu/map.js';
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { Pool } from 'undici';
import { getAdapter } from '../adapters/registry.js';
import type { Settings } from '../config/settings.js';
import { validationContextFrom } from '../config/validation-context.js';
import { intake } from '../pipeline/intake.js';
import { runBatchIntake } from '../pipeline/batch-intake.js';
import { retryPolicyOf } from '../pipeline/submission.js';
import { openStore } from '../storage/open-store.js';
import { threadCount } from '../threads/thread-count.js';
import { distinctBatch } from './data.js';
import { benchGateway, benchSettings, scratch } from './gateway-fixture.js';
import { makeRow, type BenchRow } from './report.js';

// (a) Records per second through map + validate + store: vendor batches of 500 records posted
// over HTTP to a gateway with delivery off, four clients at once. Floor, on the same batches:
// JSON.parse of each batch, SHA-256 of each record's canonical XML, and a bare INSERT of the same
// rows (id, key, hash, XML) into a scratch SQLite table, one transaction per 500.

const BATCH = 500;
const CLIENTS = 4;

/** Where a format's batches go and how the answer says how many were queued. */
export interface PostTarget {
  path: string;
  headers: Record<string, string>;
  status: number;
  queuedOf(answer: string): number;
}

const JSON_API: PostTarget = {
  path: '/v1/submissions',
  headers: { 'content-type': 'application/json' },
  status: 202,
  queuedOf: (answer) => (JSON.parse(answer) as { queued: number }).queued,
};

export async function postAll(url: string, key: string, bodies: string[], target: PostTarget = JSON_API): Promise<{ seconds: number; queued: number }> {
  const pool = new Pool(url, { connections: CLIENTS, bodyTimeout: 120_000, headersTimeout: 120_000 });
  const post = async (body: string) => {
    const r = await pool.request({ path: target.path, method: 'POST', headers: { authorization: `Bearer ${key}`, ...target.headers }, body });
    const text = await r.body.text();
    if (r.statusCode !== target.status) throw new Error(`bench batch answered ${r.statusCode}: ${text.slice(0, 300)}`);
    return target.queuedOf(text);
  };
  try {
    let next = 0;
    let queued = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < bodies.length) {
          const n = await post(bodies[next++]!);
          queued += n;
        }
      }),
    );
    return { seconds: (performance.now() - start) / 1000, queued };
  } finally {
    await pool.close();
  }
}

/** A format's raw reading of a body (the floor's parse), and the batch it holds (for the rows). */
export interface FloorReader {
  vendor: string;
  parse(body: string): unknown;
  batch(body: string): { items: unknown[]; context: unknown };
}

const VNEDU_FLOOR: FloorReader = { vendor: 'vnedu', parse: (b) => JSON.parse(b), batch: (b) => splitVneduBatch(JSON.parse(b)) };

/** The raw work of the same batches, in records per second: a bare parse, SHA-256 of each record, a bare INSERT. */
export function floorRate(bodies: string[], dir: string, ctxSource: Parameters<typeof validationContextFrom>[0], reader: FloorReader = VNEDU_FLOOR): number {
  const adapter = getAdapter(reader.vendor)!;
  const ctx = validationContextFrom(ctxSource);
  // The rows to insert are the real ones (same sizes); making them is not part of the floor.
  const prepared = bodies.map((b) => {
    const { items, context } = reader.batch(b);
    return intake(adapter, items, context, ctx).records;
  });
  const db = new Database(join(dir, `floor-${reader.vendor}.db`));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE raw (id TEXT PRIMARY KEY, record_key TEXT, content_hash TEXT, record_xml TEXT)');
  const insert = db.prepare('INSERT INTO raw VALUES (?, ?, ?, ?)');
  const insertBatch = db.transaction((rows: (typeof prepared)[number]) => {
    for (const r of rows) insert.run(r.id, r.recordKey, r.contentHash, r.recordXml);
  });
  let records = 0;
  const start = performance.now();
  for (let i = 0; i < bodies.length; i++) {
    reader.parse(bodies[i]!);
    for (const r of prepared[i]!) createHash('sha256').update(r.recordXml!).digest('hex');
    insertBatch(prepared[i]!);
    records += prepared[i]!.length;
  }
  const seconds = (performance.now() - start) / 1000;
  db.close();
  return records / seconds;
}

/**
 * What bounds (a), measured on the same batches in this process: one thread's CPU time per
 * record to map and validate a batch (pipeline/batch-intake.ts, as an intake thread runs it) and
 * to store it in a SQLite outbox of its own (the store the gateway uses, indexes and all).
 */
async function boundMicros(bodies: string[], dir: string, settings: Settings): Promise<{ intakeUs: number; storeUs: number }> {
  const ctx = validationContextFrom(settings);
  const results = [];
  let start = performance.now();
  for (const body of bodies) {
    const outcome = await runBatchIntake({ vendor: 'vnedu', mediaType: 'application/json', body }, ctx, BATCH);
    if (outcome.kind !== 'ok') throw new Error(`bench batch refused in process: ${outcome.kind}`);
    results.push(outcome.result);
  }
  const records = results.reduce((n, r) => n + r.records.length, 0);
  const intakeUs = ((performance.now() - start) * 1000) / records;
  const store = await openStore(join(dir, 'bound.db'));
  try {
    await store.migrate();
    start = performance.now();
    for (let i = 0; i < results.length; i++) {
      await store.insertSubmission(
        { id: `bound-${i}`, vendor: 'vnedu', idempotencyKey: null, requestHash: `bound-${i}`, response: {}, createdAt: Date.now() },
        results[i]!.records,
        retryPolicyOf(settings),
      );
    }
    return { intakeUs, storeUs: ((performance.now() - start) * 1000) / records };
  } finally {
    await store.close();
  }
}

export async function benchIntake(backend: 'sqlite' | 'postgres', batches: number): Promise<BenchRow[]> {
  const s = await scratch(backend);
  try {
    const bodies = Array.from({ length: batches + 2 }, (_, b) => JSON.stringify(distinctBatch(b, BATCH)));
    const settings = benchSettings(s);
    const gw = await benchGateway(settings, false);
    let result: { seconds: number; queued: number };
    try {
      const key = gw.demoCredentials!.vendors.vnedu!;
      await postAll(gw.url, key, bodies.slice(0, 2)); // warm-up: JIT, worker threads, caches
      result = await postAll(gw.url, key, bodies.slice(2));
    } finally {
      await gw.close();
    }
    if (result.queued !== batches * BATCH) throw new Error(`expected ${batches * BATCH} records queued, got ${result.queued}`);
    const floor = floorRate(bodies.slice(2), s.dir, settings);
    const bound = backend === 'sqlite' ? await boundMicros(bodies.slice(2), s.dir, settings) : undefined;
    return [
      makeRow({
        section: backend === 'sqlite' ? 'a' : 'a-pg',
        name: `intake: map + validate + store, 500-record vnEdu batches over HTTP, ${CLIENTS} clients (${backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`,
        value: result.queued / result.seconds,
        unit: 'records/s',
        floor,
        floorIs: 'JSON.parse + SHA-256 + bare batched SQLite INSERT',
        target: backend === 'sqlite' ? 10_000 : undefined,
        boundBy:
          bound &&
          `CPU: mapping and validating (${Math.round(bound.intakeUs)} µs/record, on ${threadCount(settings.intakeWorkers, 'intakeWorkers')} worker thread(s) and ${settings.intakeSpareWorkers} spare-time one(s)) and the outbox insert with its indexes and timeline row (${Math.round(bound.storeUs)} µs/record, on the event loop), measured in this run, share ${availableParallelism()} cores`,
      }),
    ];
  } finally {
    await s.drop();
  }
}
