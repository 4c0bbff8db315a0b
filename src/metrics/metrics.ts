import { statfs } from 'node:fs/promises';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { certificateExpiryDays } from '../admin/progress.js';
import { RECORD_STATES } from '../delivery/states.js';
import type { AcceptOutcome } from '../pipeline/accept.js';
import type { Services } from '../plugins/services.js';

// Prometheus metrics (GET /metrics, behind metrics.token or on metrics.port). One registry per
// gateway, so that tests may run several in a process. Counters are counted where things happen:
// intake once after the acceptance step (accept.ts `observe`), packets as the delivery worker
// (or its thread) reports each attempt. Gauges are read when scraped, from counts cached
// `metrics.cacheMs` (a count by state costs about 0.2 s at 2 million rows on SQLite, so a
// scrape every few seconds must not pay it each time).

const CIRCUIT_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

export interface GatewayMetrics {
  registry: Registry;
  observeIntake(vendor: string, outcome: AcceptOutcome): void;
  observeSend(seconds: number, outcome: string): void;
}

type Parts = Pick<Services, 'store' | 'signer' | 'circuit' | 'settings'>;

export function createMetrics(parts: () => Parts, cacheMs: number): GatewayMetrics {
  const registry = new Registry();
  const intake = new Counter({ name: 'hocba_intake_records_total', help: 'Records taken in, by vendor and outcome (queued, held, rejected)', labelNames: ['vendor', 'outcome'], registers: [registry] });
  const rejections = new Counter({ name: 'hocba_rejections_total', help: 'Rejected records by error code (each code once per record)', labelNames: ['code'], registers: [registry] });
  const binding = () => parts().settings.ministry.binding;
  const delivery = new Histogram({
    name: 'hocba_delivery_seconds',
    help: 'Time of each attempt to send a packet to the Ministry, by binding and outcome (delivered, refused, failed)',
    labelNames: ['binding', 'outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });

  let cached: { at: number; value: Promise<{ totals: Record<string, number>; oldest: number | null }> } | null = null;
  const counts = () => {
    const now = Date.now();
    if (!cached || now - cached.at > cacheMs) {
      const { store } = parts();
      const value = Promise.all([store.countByState(), store.oldestQueuedAt()]).then(([totals, oldest]) => ({ totals, oldest }));
      value.catch(() => (cached = null));
      cached = { at: now, value };
    }
    return cached.value;
  };

  new Gauge({
    name: 'hocba_records',
    help: 'Records in the outbox by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const { totals } = await counts();
      for (const s of RECORD_STATES) if (s !== 'received') this.set({ state: s }, totals[s] ?? 0);
    },
  });
  new Gauge({
    name: 'hocba_queue_oldest_age_seconds',
    help: 'Age of the oldest record waiting to be delivered (queued, retry, sending); 0 when none waits',
    registers: [registry],
    async collect() {
      const { oldest } = await counts();
      this.set(oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
    },
  });
  new Gauge({
    name: 'hocba_circuit_state',
    help: 'The delivery circuit towards the Ministry: 0 closed, 1 half-open, 2 open',
    registers: [registry],
    collect() {
      const snap = parts().circuit?.snapshot();
      this.set(snap ? CIRCUIT_VALUE[snap.state] : 0);
    },
  });
  new Gauge({
    name: 'hocba_signing_certificate_expiry_days',
    help: 'Days until the province signing certificate expires',
    registers: [registry],
    collect() {
      try {
        this.set(certificateExpiryDays(parts().signer.certificatePem()));
      } catch {
        /* no certificate readable: no sample */
      }
    },
  });
  const disk = async () => {
    const s = await statfs(parts().settings.dataDir);
    return { free: s.bavail * s.bsize, total: s.blocks * s.bsize };
  };
  new Gauge({
    name: 'hocba_data_disk_free_bytes',
    help: 'Free bytes (for an unprivileged user) on the file system of the data directory',
    registers: [registry],
    async collect() {
      this.set((await disk()).free);
    },
  });
  new Gauge({
    name: 'hocba_data_disk_free_ratio',
    help: 'Share of the data directory\'s file system that is free (0..1)',
    registers: [registry],
    async collect() {
      const d = await disk();
      this.set(d.total > 0 ? d.free / d.total : 0);
    },
  });

  return {
    registry,
    observeIntake(vendor, outcome) {
      if (outcome.kind !== 'stored' && outcome.kind !== 'refused') return;
      const r = outcome.response;
      // A refused batch stored nothing: each of its records counts as rejected.
      const refused = outcome.kind === 'refused';
      if (!refused && r.queued) intake.inc({ vendor, outcome: 'queued' }, r.queued);
      if (!refused && r.held) intake.inc({ vendor, outcome: 'held' }, r.held);
      const rejected = refused ? r.received : r.rejected;
      if (rejected) intake.inc({ vendor, outcome: 'rejected' }, rejected);
      for (const rec of r.records) {
        if (!rec.errors?.length) continue;
        for (const code of new Set(rec.errors.map((e) => e.code))) rejections.inc({ code });
      }
    },
    observeSend(seconds, outcome) {
      delivery.observe({ binding: binding(), outcome }, seconds);
    },
  };
}
