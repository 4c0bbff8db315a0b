import { Pool } from 'undici';

// An open-loop load at a steady rate: request i leaves at start + i / rate, whatever happened to
// the ones before it, and its latency runs from that planned time to its answer, so a server (or a
// driver) that falls behind shows it in the figures (no coordinated omission). autocannon's rate
// limit is a budget per connection per second instead: each second opens with every connection
// sending back to back until its budget is spent, a burst of `connections` requests in flight at
// once, then silence. Both are reported (latency.ts); this one is the steady arrival.

export interface PacedLoadOptions {
  url: string;
  path: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** The body of the next request (POST). */
  body?: () => string;
  rate: number;
  seconds: number;
  /** Enough sockets that the pool never holds a request back at this rate. */
  connections?: number;
}

export interface PacedLoadResult {
  p50: number;
  p99: number;
  count: number;
  failed: number;
}

/** The q-quantile (0 < q ≤ 1) of sorted values: the smallest value with at least q of them at or below it. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export async function pacedLoad(o: PacedLoadOptions): Promise<PacedLoadResult> {
  const pool = new Pool(o.url, { connections: o.connections ?? 64, headersTimeout: 60_000, bodyTimeout: 60_000 });
  const total = Math.round(o.rate * o.seconds);
  const interval = 1000 / o.rate;
  const latencies: number[] = [];
  const inFlight: Promise<void>[] = [];
  let failed = 0;
  const fire = (planned: number) =>
    pool
      .request({ path: o.path, method: o.method, headers: o.headers, body: o.body?.() })
      .then(async (r) => {
        await r.body.dump();
        if (r.statusCode >= 300) failed += 1;
        latencies.push(performance.now() - planned);
      })
      .catch(() => {
        failed += 1;
      });
  try {
    const start = performance.now();
    let sent = 0;
    await new Promise<void>((done) => {
      const tick = () => {
        const now = performance.now();
        while (sent < total && start + sent * interval <= now) {
          inFlight.push(fire(start + sent * interval));
          sent += 1;
        }
        if (sent >= total) return done();
        setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
      };
      tick();
    });
    await Promise.all(inFlight);
  } finally {
    await pool.close();
  }
  latencies.sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 10) / 10;
  return { p50: round(quantile(latencies, 0.5)), p99: round(quantile(latencies, 0.99)), count: latencies.length, failed };
}
