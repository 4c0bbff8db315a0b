import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pRetry, { AbortError } from 'p-retry';
import type { Logger } from 'pino';
import type { RetrySettings } from '../config/settings.js';
import { buildPacket } from '../packet/build.js';
import type { PacketSigner } from '../signing/signer.js';
import type { Ack, ClaimedRecord, Outcome, Store } from '../storage/store.js';
import { PermanentDeliveryError, TransientDeliveryError, type MinistryTransport, type Receipt } from '../transport/transport.js';
import { nextAttemptAt } from './backoff.js';

// The outbox drain: claim due records, group them into one packet, sign it with the province
// key, send it, and record each record's receipt. A packet that keeps failing for transient
// reasons is retried in process a few times (p-retry), then its records are rescheduled on the
// row (durable backoff) until their attempts run out and they go dead with the reason.

export interface WorkerOptions {
  store: Store;
  transport: MinistryTransport;
  signer: PacketSigner;
  provinceCode: string;
  packetSize: number;
  concurrency: number;
  pollIntervalMs: number;
  leaseMs: number;
  retry: RetrySettings;
  logger: Logger;
  owner?: string;
}

export class DeliveryWorker {
  readonly owner: string;
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];
  private wake: (() => void) | null = null;

  constructor(private readonly o: WorkerOptions) {
    this.owner = o.owner ?? `worker-${process.pid}-${randomUUID().slice(0, 8)}`;
  }

  start(): void {
    for (let i = 0; i < Math.max(1, this.o.concurrency); i++) this.loops.push(this.loop());
  }

  /** Wakes idle loops now instead of at the next poll (called after a submission commits). */
  nudge(): void {
    this.wake?.();
  }

  /** Stops claiming; an in-flight packet finishes (or, if it is waiting to retry, goes back to the queue). */
  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.();
    await Promise.allSettled(this.loops);
    this.loops = [];
  }

  private async idle(): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, this.o.pollIntervalMs);
      function done() {
        clearTimeout(t);
        resolve();
      }
      const prev = this.wake;
      this.wake = () => {
        prev?.();
        done();
      };
    });
    this.wake = null;
  }

  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      let sent = 0;
      try {
        sent = await this.drainOnce();
      } catch (e) {
        this.o.logger.error({ err: e }, 'delivery cycle failed');
        await sleep(this.o.pollIntervalMs * 4).catch(() => undefined);
      }
      if (sent === 0 && !this.abort.signal.aborted) await this.idle();
    }
  }

  /** One claim-sign-send-record cycle; returns how many records it handled. */
  async drainOnce(): Promise<number> {
    const { store, logger } = this.o;
    const claimed = await store.claim(this.owner, this.o.packetSize, Date.now(), this.o.leaseMs);
    if (claimed.length === 0) return 0;
    const packetId = `PKT-${randomUUID()}`;
    const xml = buildPacket({
      packetId,
      provinceCode: this.o.provinceCode,
      createdAt: new Date().toISOString(),
      records: claimed.map((r) => ({ recordKey: r.recordKey, contentHash: r.contentHash, xml: r.recordXml })),
    });
    const signed = await this.o.signer.sign(xml);
    let receipt: Receipt;
    try {
      receipt = await this.sendWithRetries(packetId, signed);
    } catch (e) {
      if (e instanceof AbortError || this.abort.signal.aborted) {
        await store.release(this.owner, claimed.map((r) => r.id), Date.now());
        logger.info({ packetId, records: claimed.length }, 'shutdown: packet returned to the queue');
        return claimed.length;
      }
      await this.recordFailure(claimed, e as Error, packetId);
      return claimed.length;
    }
    await this.recordReceipt(claimed, receipt, packetId);
    return claimed.length;
  }

  private sendWithRetries(packetId: string, signed: string): Promise<Receipt> {
    const r = this.o.retry;
    return pRetry(() => this.o.transport.sendPacket(packetId, signed), {
      retries: Math.max(0, r.inProcessAttempts - 1),
      minTimeout: r.inProcessMinDelayMs,
      maxTimeout: r.inProcessMaxDelayMs,
      randomize: true,
      signal: this.abort.signal,
      shouldRetry: ({ error }) => error instanceof TransientDeliveryError,
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        const code = (error as TransientDeliveryError).code;
        this.o.logger.warn({ packetId, attemptNumber, retriesLeft, code }, 'packet send failed');
        // Honour Retry-After on top of the backoff, but never beyond the in-process cap.
        const wait = (error as TransientDeliveryError).retryAfterMs;
        if (error instanceof TransientDeliveryError && wait && retriesLeft > 0) {
          await sleep(Math.min(wait, r.inProcessMaxDelayMs), undefined, { signal: this.abort.signal });
        }
      },
    });
  }

  private async recordFailure(claimed: ClaimedRecord[], e: Error, packetId: string): Promise<void> {
    const now = Date.now();
    const code = e instanceof TransientDeliveryError || e instanceof PermanentDeliveryError ? e.code : 'GATEWAY_ERROR';
    const reason = `${e.message} (packet ${packetId})`;
    if (e instanceof PermanentDeliveryError) {
      this.o.logger.error({ packetId, code, records: claimed.length }, 'packet rejected by the Ministry');
      await this.o.store.markDead(this.owner, claimed.map((r) => ({ id: r.id, code, reason })), now);
      return;
    }
    const dead: Outcome[] = [];
    const retry: (Outcome & { nextAttemptAt: number })[] = [];
    for (const r of claimed) {
      if (r.attempts + 1 >= r.maxAttempts) dead.push({ id: r.id, code, reason: `retries used up: ${reason}` });
      else retry.push({ id: r.id, code, reason, nextAttemptAt: nextAttemptAt(now, r.attempts + 1, r.baseDelayMs, r.capDelayMs) });
    }
    this.o.logger.warn({ packetId, code, retry: retry.length, dead: dead.length }, 'packet not delivered');
    if (retry.length) await this.o.store.scheduleRetry(this.owner, retry, now);
    if (dead.length) await this.o.store.markDead(this.owner, dead, now);
  }

  private async recordReceipt(claimed: ClaimedRecord[], receipt: Receipt, packetId: string): Promise<void> {
    const now = Date.now();
    const byKey = new Map(receipt.results.map((x) => [x.recordKey, x]));
    const acks: Ack[] = [];
    const dead: Outcome[] = [];
    const missing: (Outcome & { nextAttemptAt: number })[] = [];
    for (const r of claimed) {
      const res = byKey.get(r.recordKey);
      if (!res) {
        missing.push({ id: r.id, code: 'RECEIPT_MISSING', reason: `no receipt for the record in packet ${packetId}`, nextAttemptAt: nextAttemptAt(now, r.attempts + 1, r.baseDelayMs, r.capDelayMs) });
      } else if (res.status === 'accepted' || res.status === 'duplicate') {
        acks.push({ id: r.id, ministryRecordId: res.ministryRecordId ?? null, code: res.status });
      } else {
        dead.push({ id: r.id, code: res.code ?? 'MINISTRY_REJECTED', reason: `Ministry: ${res.message ?? res.code ?? 'rejected'} (packet ${packetId})` });
      }
    }
    await this.o.store.acknowledge(this.owner, packetId, acks, now);
    if (dead.length) await this.o.store.markDead(this.owner, dead, now);
    if (missing.length) await this.o.store.scheduleRetry(this.owner, missing, now);
    this.o.logger.info({ packetId, acknowledged: acks.length, dead: dead.length, missing: missing.length }, 'packet delivered');
  }
}
