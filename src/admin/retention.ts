import type { Store } from '../storage/store.js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { audit, type Actor } from './audit.js';

// Retention: a record's payload (its canonical XML and, for signed records, the signed document)
// is kept `retention.payloadDays` after the Ministry acknowledged it, then cleared; its hashes,
// receipt (Ministry record id, packet) and timeline stay, which is what a later dispute needs.
// Purging runs in small batches with the event loop let through between them, so that intake is
// never held up, from a timer in the gateway and from `hocba-gw purge`. Then the store gives the
// space back (SQLite: incremental vacuum; PostgreSQL: autovacuum reuses it).

export interface RetentionSettings {
  /** Days after acknowledgement a payload is kept; 0 or null: kept for ever. */
  payloadDays: number | null;
  /** Records cleared per statement. */
  batchSize: number;
  /** How often the gateway purges in the background (ms); 0: never (only the CLI). */
  intervalMs: number;
}

export const DEFAULT_RETENTION: RetentionSettings = { payloadDays: 90, batchSize: 500, intervalMs: 600_000 };


export interface PurgeResult {
  dryRun: boolean;
  /** Acknowledged before this time (ISO). */
  before: string;
  purged: number;
}

export async function purgePayloads(
  store: Store,
  retention: RetentionSettings,
  opts: { dryRun?: boolean; actor?: Actor | null; now?: number; isStopped?: () => boolean } = {},
): Promise<PurgeResult> {
  const now = opts.now ?? Date.now();
  if (!retention.payloadDays || retention.payloadDays <= 0) return { dryRun: !!opts.dryRun, before: new Date(0).toISOString(), purged: 0 };
  const before = now - retention.payloadDays * 86_400_000;
  let purged = 0;
  if (opts.dryRun) {
    purged = await store.countPurgeable(before);
  } else {
    for (;;) {
      if (opts.isStopped?.()) break;
      const batch = await store.purgePayloads(before, retention.batchSize);
      purged += batch.purged;
      if (batch.walked < retention.batchSize) break;
      await yieldToEventLoop();
    }
    if (purged > 0) await store.reclaimSpace();
  }
  // The background purge audits only when it did something; the CLI always (a dry run too).
  if (opts.actor && (purged > 0 || opts.actor.via === 'cli')) {
    await audit(store, opts.actor, { action: 'purge', target: { acknowledgedBefore: new Date(before).toISOString(), dryRun: !!opts.dryRun }, count: purged }, now);
  }
  return { dryRun: !!opts.dryRun, before: new Date(before).toISOString(), purged };
}

/** The gateway's background purge: one run per interval, never two at once; stop() waits for a run to end. */
export function startRetentionTimer(store: Store, retention: RetentionSettings, log: (msg: string, fields: Record<string, unknown>) => void): { stop(): Promise<void> } {
  if (!retention.intervalMs || !retention.payloadDays) return { stop: async () => undefined };
  let stopped = false;
  let running: Promise<void> | null = null;
  const actor: Actor = { id: 'gateway', name: 'background purge', role: null, via: 'api', source: 'gateway' };
  const run = () => {
    if (running || stopped) return;
    running = purgePayloads(store, retention, { actor, isStopped: () => stopped })
      .then((r) => (r.purged > 0 ? log('payloads purged', { purged: r.purged, before: r.before }) : undefined))
      .catch((e: Error) => log('purge failed', { reason: e.message }))
      .finally(() => (running = null));
  };
  const timer = setInterval(run, retention.intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
