import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Settings } from '../config/settings.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import type { AcceptOutcome } from '../pipeline/accept.js';
import type { BatchIntake } from '../pipeline/intake-pool.js';
import type { CircuitSnapshot } from '../delivery/circuit-breaker.js';
import type { SignedRecordVerifier } from '../record-signatures/verify-pool.js';
import type { CertificateSummary, PacketSigner } from '../signing/signer.js';
import type { Store } from '../storage/store.js';
import type { MinistryTransport } from '../transport/transport.js';

// The long-lived parts the routes use, made once in gateway.ts and handed to the app, so that
// tests can build an app around any store, signer or transport.

export interface Services {
  settings: Settings;
  store: Store;
  signer: PacketSigner;
  transport: MinistryTransport;
  /** The delivery circuit towards the Ministry, for /readyz (absent when no worker runs here). */
  circuit?: { snapshot(): CircuitSnapshot };
  /** Tells the delivery worker that new records are queued (no-op when no worker runs here). */
  nudgeDelivery(): void;
  /** Maps and validates vendor batches (worker threads). */
  intake: BatchIntake;
  /** Verifies signed học bạ documents (worker threads). */
  verifier: SignedRecordVerifier;
  /** Re-reads the signing key, its certificate and the trust files (admin route, SIGHUP). */
  reloadKeys(): Promise<KeysReloaded>;
  /** Prometheus metrics (GET /metrics); absent: none kept. */
  metrics?: GatewayMetrics;
  /** Sees the outcome of every acceptance step (metrics). */
  observeIntake?(vendor: string, outcome: AcceptOutcome): void;
}

export interface KeysReloaded {
  signer: { name: string; certificate: CertificateSummary };
  /** timeStampAnchors: roots of the RFC 3161 time-stamp authorities trusted (0: time-stamps refused). */
  trust: { anchors: number; crls: number; timeStampAnchors: number; warnings: string[] };
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

async function services(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  app.decorate('services', opts.services);
}

export default fp(services, { name: 'services' });
