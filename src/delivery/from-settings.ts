import type { Logger } from 'pino';
import type { Settings } from '../config/settings.js';
import type { PacketSigner } from '../signing/signer.js';
import type { Store } from '../storage/store.js';
import type { MinistryTransport } from '../transport/transport.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { RateLimiter } from './rate-limiter.js';
import { DeliveryWorker, type SendOutcome } from './worker.js';

// The delivery worker as the settings describe it, with its circuit breaker: built the same way
// in the gateway's event loop (delivery.thread false) and in the delivery thread (thread/).

export interface DeliveryParts {
  store: Store;
  transport: MinistryTransport;
  signer: Pick<PacketSigner, 'sign'>;
  logger: Logger;
  /** Told of each change of the circuit's state, after it is logged. */
  onCircuitChange?: () => void;
  /** Each attempt to send a packet (metrics: hocba_delivery_seconds). */
  onSend?: (seconds: number, outcome: SendOutcome) => void;
}

export function deliveryWorkerFromSettings(settings: Settings, parts: DeliveryParts): DeliveryWorker {
  const d = settings.delivery;
  const circuitLog = parts.logger.child({ component: 'circuit' });
  const circuit = new CircuitBreaker(d.circuit, (from, to, why) => {
    (to === 'open' ? circuitLog.warn.bind(circuitLog) : circuitLog.info.bind(circuitLog))({ from, to, why }, `Ministry circuit ${to}`);
    parts.onCircuitChange?.();
  });
  return new DeliveryWorker({
    store: parts.store,
    transport: parts.transport,
    signer: parts.signer,
    provinceCode: settings.provinceCode,
    packetSize: d.packetSize,
    concurrency: d.concurrency,
    pollIntervalMs: d.pollIntervalMs,
    leaseMs: d.leaseMs,
    retry: d.retry,
    circuit,
    limiter: new RateLimiter(d.packetsPerSecond),
    logger: parts.logger.child({ component: 'delivery' }),
    onSend: parts.onSend,
    shutdownGraceMs: d.shutdownGraceMs,
  });
}
