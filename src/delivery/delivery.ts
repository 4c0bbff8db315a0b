import type { CircuitSnapshot } from './circuit-breaker.js';

// What the gateway holds of delivery, wherever it runs: in the event loop (worker.ts) or in a
// thread of its own (thread/delivery-thread.ts).

export interface Delivery {
  start(): void;
  /** Wakes idle loops now instead of at the next poll (called after a submission commits). */
  nudge(): void;
  /** Stops claiming; an in-flight packet has delivery.shutdownGraceMs to finish (worker.ts). */
  stop(): Promise<{ forced: boolean } | void>;
  /** The circuit towards the Ministry, for /readyz. */
  readonly circuit: { snapshot(): CircuitSnapshot };
}
