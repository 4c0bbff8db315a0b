import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { validationContextFrom } from '../config/validation-context.js';
import { runBatchIntake } from '../pipeline/batch-intake.js';
import { retryPolicyOf } from '../pipeline/submission.js';
import { openStore } from '../storage/open-store.js';
import type { NewRecord } from '../storage/store.js';
import { distinctBatch } from './data.js';
import { benchSettings, scratch } from './gateway-fixture.js';
import { makeRow, type BenchRow } from './report.js';

// (o) Bytes on disk per record in the outbox (issue 16: ≤ 3 KB for a typical secondary record).
// Real vnEdu batches go through the intake step and the store's own insert, then each record is
// claimed and acknowledged as delivery does it, so the rows, the indexes and the timeline are
// those of a delivered record that retention has not yet purged. SQLite: the database file after
// the closing checkpoint. PostgreSQL: every table of the schema with its indexes and TOAST after
// a VACUUM (what autovacuum keeps in steady state). Floor: the packed payloads alone, the least
// an outbox must keep of a record to deliver it.

const BATCH = 500;
const TARGET_BYTES = 3 * 1024;

async function vacuumer(databaseUrl: string) {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  return { run: () => c.query('VACUUM records, record_events, record_payloads').then(() => undefined), close: () => c.end() };
}

async function fill(backend: 'sqlite' | 'postgres', batches: number, dir: string, databaseUrl: string) {
  const s = benchSettings({ dir, databaseUrl, drop: async () => undefined });
  const ctx = validationContextFrom(s);
  const store = await openStore(databaseUrl);
  await store.migrate();
  // PostgreSQL keeps the old version of a row each state change rewrites until VACUUM frees it
  // for reuse; autovacuum does so once a fifth of a table's rows are dead (its default scale
  // factor), every minute at most. This fill takes seconds, so it vacuums at that cadence itself.
  const vacuum = backend === 'postgres' ? await vacuumer(databaseUrl) : null;
  // Names as long as the worker's (host-pid-random) and the packets' (UUIDs): the timeline keeps them.
  const owner = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  let records = 0;
  let payloadBytes = 0;
  let secondary = 0;
  try {
    for (let b = 0; b < batches; b++) {
      const outcome = await runBatchIntake({ vendor: 'vnedu', mediaType: 'application/json', body: JSON.stringify(distinctBatch(b, BATCH, 9000)) }, ctx, BATCH);
      if (outcome.kind !== 'ok') throw new Error(`bench batch refused: ${outcome.kind}`);
      const recs = outcome.result.records as NewRecord[];
      await store.insertSubmission({ id: `size-${b}`, vendor: 'vnedu', idempotencyKey: null, requestHash: `size-${b}`, response: { queued: recs.length }, createdAt: Date.now() }, recs, retryPolicyOf(s));
      for (const r of recs) {
        records += 1;
        payloadBytes += r.payload?.byteLength ?? 0;
        if ((r.grade ?? 0) >= 6) secondary += 1;
      }
      // Delivered as the worker does it: claimed (leased), then acknowledged with a receipt.
      const claimed = await store.claim(owner, BATCH, Date.now(), 60_000);
      if (vacuum && b % 10 === 9) await vacuum.run();
      await store.acknowledge(owner, randomUUID(), claimed.map((c) => ({ id: c.id, ministryRecordId: `M-${c.id}`, code: 'accepted' })), Date.now());
    }
  } finally {
    await store.close();
    await vacuum?.close();
  }
  let bytes: number;
  if (backend === 'sqlite') {
    bytes = (await stat(databaseUrl)).size + (await stat(`${databaseUrl}-wal`).then((x) => x.size, () => 0));
  } else {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    try {
      await c.query('VACUUM');
      const { rows } = await c.query(`SELECT sum(pg_total_relation_size(c.oid))::bigint AS n FROM pg_class c
        JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE ns.nspname = current_schema() AND c.relkind = 'r'`);
      bytes = Number(rows[0].n);
    } finally {
      await c.end();
    }
  }
  return { records, bytes, payloadBytes, secondary };
}

export async function benchOutboxSize(records: number, backends: readonly ('sqlite' | 'postgres')[] = ['sqlite', 'postgres']): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const backend of backends) {
    const s = await scratch(backend);
    try {
      const batches = Math.max(1, Math.round(records / BATCH));
      const r = await fill(backend, batches, s.dir, backend === 'sqlite' ? join(s.dir, 'gateway.db') : s.databaseUrl);
      process.stderr.write(`bench o: ${backend}: ${r.records} records (${Math.round((100 * r.secondary) / r.records)}% secondary), ${(r.bytes / 1e6).toFixed(1)} MB\n`);
      rows.push(
        makeRow({
          section: backend === 'sqlite' ? 'o' : 'o-pg',
          name: `outbox size per delivered record, payload kept (${backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'}; ${r.records.toLocaleString('en')} vnEdu records)`,
          value: r.bytes / r.records,
          unit: 'bytes/record',
          floor: r.payloadBytes / r.records,
          floorIs: 'the packed payloads alone',
          target: TARGET_BYTES,
          better: 'lower',
          boundBy: 'the rows, indexes and timeline besides the payload',
        }),
      );
    } finally {
      await s.drop();
    }
  }
  return rows;
}
