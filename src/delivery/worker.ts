import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import type { RetrySettings } from '../config/settings.js';
import { buildPacket } from '../packet/build.js';
import type { PacketSigner } from '../signing/signer.js';
import type { Ack, ClaimedRecord, Outcome, Store } from '../storage/store.js';
import { PermanentDeliveryError, TransientDeliveryError, type MinistryTransport, type Receipt } from '../transport/transport.js';
import { nextAttemptAt } from './backoff.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { Delivery } from './delivery.js';
import { RateLimiter } from './rate-limiter.js';

// The outbox drain: claim due records, group them into one packet, sign it with the province
// key, send it, and record each record's receipt. A packet that fails for transient reasons is
// retried in process a few times (p-retry), then its records are rescheduled on the row (durable
// backoff) until their attempts or their retry window run out and they go dead with the reason.
// A circuit breaker stops claiming while the Ministry is down; a rate limiter paces packets and
// honours Retry-After for the whole process.
//
// Leases: claimed records are leased for `leaseMs` and the lease is renewed every third of it
// while the packet is in flight, so a lease expires only when its process has died (or lost
// the database), and another replica takes the records over soon after.

export interface WorkerOptions {
  store: Store;
  transport: MinistryTransport;
  /** Only signing is needed here: the key stays with whoever holds the signer (thread/). */
  signer: Pick<PacketSigner, 'sign'>;
  provinceCode: string;
  packetSize: number;
  concurrency: number;
  pollIntervalMs: number;
  leaseMs: number;
  retry: RetrySettings;
  circuit: CircuitBreaker;
  limiter: RateLimiter;
  logger: Logger;
  owner?: string;
  /** How long stop() lets a packet in flight finish before it stops waiting for the answer (delivery.shutdownGraceMs). */
  shutdownGraceMs?: number;
  /** Told of each attempt to send a packet: how long it took and how it ended (metrics). */
  onSend?: (seconds: number, outcome: SendOutcome) => void;
}

/** How one attempt to send a packet ended: a receipt, a refusal (an answer), or no answer. */
export type SendOutcome = 'delivered' | 'refused' | 'failed';

/** The packet could not go within a lease period (the Ministry asked us to hold off): its records go back untouched. */
class NotAttempted extends Error {}

/** Shutdown's grace ran out while a packet was in flight: whether it reached the Ministry is unknown. */
class OutcomeUnknown extends Error {}

/** The code of records whose packet was in flight when shutdown's grace ran out (re-sent; the Ministry counts a duplicate). */
export const OUTCOME_UNKNOWN = 'OUTCOME_UNKNOWN';

/** Codes with which the Ministry refuses a whole packet as unreadable: worth splitting it to find why. */
const MALFORMED_PACKET: ReadonlySet<string> = new Set(['PACKET_MALFORMED']);
/**
 * Receipt codes that say the record's event (NEW or UPDATE) disagrees with what the Ministry
 * holds: retried, with the event chosen again from what the gateway then knows (packet/events.ts).
 */
const EVENT_BEHIND: ReadonlySet<string> = new Set(['EVENT_CONFLICT', 'RECORD_NOT_FOUND']);

/** Another worker holds the records now: nothing more may be sent or recorded for them here. */
class LeaseLost extends Error {}

export class DeliveryWorker implements Delivery {
  readonly owner: string;
  private readonly abort = new AbortController();
  /** Aborted when shutdown's grace runs out: waits for the Ministry's answer end there. */
  private readonly hardStop = new AbortController();
  private loops: Promise<void>[] = [];
  /** One waker per loop that is sleeping (each its own, so that no wake is lost when another loop wakes first). */
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly o: WorkerOptions) {
    this.owner = o.owner ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    if (!(o.leaseMs >= 1000)) throw new Error(`delivery.leaseMs must be at least 1000 ms, not ${o.leaseMs}`);
  }

  /**
   * Renews the lease on `ids` every third of its length until stopped. If the records turn out
   * to be someone else's (this process stalled past its lease), `lost` is aborted.
   */
  private holdLease(ids: string[]): { lost: AbortSignal; stop(): void } {
    const lost = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const renew = async () => {
      try {
        const held = await this.o.store.renewLease(this.owner, ids, Date.now(), this.o.leaseMs);
        if (held < ids.length) {
          this.o.logger.error({ records: ids.length, held }, 'lease lost: another worker took over these records');
          lost.abort(new LeaseLost('lease lost'));
          return;
        }
      } catch (e) {
        this.o.logger.warn({ err: e }, 'lease renewal failed; retrying');
      }
      if (!stopped) timer = setTimeout(renew, this.o.leaseMs / 3);
    };
    timer = setTimeout(renew, this.o.leaseMs / 3);
    return {
      lost: lost.signal,
      stop() {
        stopped = true;
        clearTimeout(timer);
      },
    };
  }

  get circuit(): CircuitBreaker {
    return this.o.circuit;
  }

  start(): void {
    for (let i = 0; i < Math.max(1, this.o.concurrency); i++) this.loops.push(this.loop());
  }

  /** Wakes idle loops now instead of at the next poll (called after a submission commits). */
  nudge(): void {
    for (const wake of [...this.sleepers]) wake();
  }

  /**
   * Stops claiming. A packet in flight has `shutdownGraceMs` to get its answer; one still
   * waiting then, or waiting to retry, is left to be re-sent: back to the queue if nothing of it
   * was sent, due at once with OUTCOME_UNKNOWN if it was (the Ministry counts the re-send as a
   * duplicate). Resolves `forced: true` when the grace ran out, so that the transport's sockets
   * can be destroyed rather than waited for.
   */
  async stop(): Promise<{ forced: boolean }> {
    this.abort.abort();
    this.nudge();
    const settled = Promise.allSettled(this.loops);
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace'>((resolve) => (timer = setTimeout(() => resolve('grace'), this.o.shutdownGraceMs ?? 5000)));
    const first = await Promise.race([settled.then(() => 'done' as const), graceOver]);
    clearTimeout(timer);
    if (first === 'grace') {
      this.hardStop.abort(new OutcomeUnknown('shutdown grace over'));
      await settled;
    }
    this.loops = [];
    return { forced: first === 'grace' };
  }

  /** Sleeps until `ms` have passed or nudge() or stop() wakes every sleeping loop. */
  private idle(ms = this.o.pollIntervalMs): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private async loop(): Promise<void> {
    const { circuit, limiter, transport } = this.o;
    while (!this.abort.signal.aborted) {
      // Nothing is claimed while the circuit is open or the Ministry asked us to hold off.
      const held = limiter.heldFor(Date.now());
      if (held > 0) {
        await this.idle(held);
        continue;
      }
      const permit = circuit.permit(Date.now());
      if (permit.kind === 'wait') {
        await this.idle(permit.ms);
        continue;
      }
      const probing = permit.kind === 'probe';
      if (probing && !(await transport.probe())) {
        circuit.onFailure(Date.now(), 'health probe failed');
        continue;
      }
      let handled = 0;
      try {
        handled = await this.drainOnce(probing);
        if (probing && handled === 0) circuit.probeSucceeded(); // healthy, and nothing to send
      } catch (e) {
        this.o.logger.error({ err: e }, 'delivery cycle failed');
        await sleep(this.o.pollIntervalMs * 4, undefined, { signal: this.abort.signal }).catch(() => undefined);
      } finally {
        if (probing) circuit.probeEnded(); // a probe that neither succeeded nor failed: let another loop try
      }
      if (handled === 0 && !this.abort.signal.aborted) await this.idle();
    }
  }

  /** One claim-sign-send-record cycle; returns how many records it handled. */
  async drainOnce(probing = false): Promise<number> {
    const claimedAt = Date.now();
    const all = await this.o.store.claim(this.owner, this.o.packetSize, claimedAt, this.o.leaseMs);
    if (all.length === 0) return 0;
    // One row per record key in a packet: the receipt answers per key, and the Ministry applies
    // a book's events in order (a withdrawal, then a new version). The others go back unsent,
    // their attempt with them, due again after this packet has had its lease to settle (so that
    // another delivery loop does not send them beside it).
    const keys = new Set<string>();
    const claimed: ClaimedRecord[] = [];
    const later: string[] = [];
    for (const r of all) {
      if (keys.has(r.recordKey)) later.push(r.id);
      else (keys.add(r.recordKey), claimed.push(r));
    }
    if (later.length) await this.o.store.release(this.owner, later, Date.now(), claimedAt + this.o.leaseMs);
    const lease = this.holdLease(claimed.map((r) => r.id));
    try {
      await this.deliverGroup(claimed, claimedAt, probing, lease.lost);
      return claimed.length;
    } finally {
      lease.stop();
    }
  }

  /**
   * Builds, signs and sends one packet of `group` and records what became of each record. A
   * packet the Ministry refuses whole as malformed is split in two and each half sent again, so
   * that one record it cannot read fails alone instead of taking every record of the packet,
   * from every vendor, with it: log2(200) ≈ 8 rounds find it in a full packet.
   */
  private async deliverGroup(group: ClaimedRecord[], since: number, probing: boolean, lost: AbortSignal): Promise<void> {
    const { store, logger } = this.o;
    const packetId = `PKT-${randomUUID()}`;
    const xml = buildPacket({
      packetId,
      provinceCode: this.o.provinceCode,
      createdAt: new Date().toISOString(),
      // The record key and content hash stored at acceptance: a re-send after a crash or a
      // replay is the same record to the Ministry, which counts it once.
      // The event was decided at the claim: NEW or UPDATE by what the Ministry acknowledged, CANCEL for a withdrawal.
      records: group.map((r) => ({ recordKey: r.recordKey, contentHash: r.contentHash, xml: r.recordXml, event: r.event })),
    });
    const signed = await this.o.signer.sign(xml);
    let receipt: Receipt;
    const failures: Error[] = [];
    const sent = { started: false };
    // Waiting for a slot (a Retry-After hold) longer than one lease period is not worth
    // holding the records for: they go back and wait in the queue instead.
    const latestStart = since + this.o.leaseMs;
    const signal = AbortSignal.any([this.abort.signal, lost]);
    try {
      receipt = await this.send(packetId, signed, latestStart, probing, failures, signal, sent);
    } catch (e) {
      if (lost.aborted) return; // the new owner records the outcome
      // Cut short after a real attempt failed: that failure is the outcome.
      if (e instanceof NotAttempted && failures.length > 0) e = failures[failures.length - 1];
      if (this.abort.signal.aborted && sent.started) {
        // Shutdown cut the wait for an answer (or for the next try) short after the packet went out.
        const now = Date.now();
        const reason = `shutdown while packet ${packetId} was in flight: it may have reached the Ministry, which counts the re-send as a duplicate`;
        await store.scheduleRetry(this.owner, group.map((r) => ({ id: r.id, code: OUTCOME_UNKNOWN, reason, nextAttemptAt: now })), now);
        logger.warn({ packetId, records: group.length }, 'packet outcome unknown at shutdown; its records are re-sent');
        return;
      }
      if (e instanceof NotAttempted || this.abort.signal.aborted) {
        await store.release(this.owner, group.map((r) => r.id), Date.now());
        logger.info({ packetId, records: group.length, why: (e as Error).message }, 'packet returned to the queue unsent');
        return;
      }
      if (e instanceof PermanentDeliveryError && MALFORMED_PACKET.has(e.code) && group.length > 1) {
        const half = Math.ceil(group.length / 2);
        logger.warn({ packetId, code: e.code, records: group.length }, 'packet refused as malformed: sent again in halves to find the record(s) it chokes on');
        await this.deliverGroup(group.slice(0, half), Date.now(), probing, lost);
        await this.deliverGroup(group.slice(half), Date.now(), probing, lost);
        return;
      }
      await this.recordFailure(group, e as Error, packetId);
      return;
    }
    await this.recordReceipt(group, receipt, packetId);
  }

  private send(packetId: string, signed: string, latestStart: number, probing: boolean, failures: Error[], signal: AbortSignal, sent: { started: boolean }): Promise<Receipt> {
    const { retry: r, circuit, limiter, transport, logger } = this.o;
    return pRetry(
      async () => {
        if (!(await limiter.take(latestStart, signal))) throw new NotAttempted('the Ministry asked us to hold off for longer than a lease');
        const started = performance.now();
        const took = () => (performance.now() - started) / 1000;
        try {
          sent.started = true;
          const receipt = await untilAborted(transport.sendPacket(packetId, signed), this.hardStop.signal);
          this.o.onSend?.(took(), 'delivered');
          circuit.onSuccess();
          return receipt;
        } catch (e) {
          this.o.onSend?.(took(), e instanceof PermanentDeliveryError ? 'refused' : 'failed');
          // A refusal is an answer: the Ministry is up.
          if (e instanceof PermanentDeliveryError) circuit.onSuccess();
          throw e;
        }
      },
      {
        // A half-open probe is one attempt: it tests the Ministry, it does not insist.
        retries: probing ? 0 : Math.max(0, r.inProcessAttempts - 1),
        minTimeout: r.inProcessMinDelayMs,
        maxTimeout: r.inProcessMaxDelayMs,
        randomize: r.jitter > 0,
        signal,
        shouldRetry: ({ error }) =>
          error instanceof TransientDeliveryError &&
          circuit.state === 'closed' &&
          !((error.retryAfterMs ?? 0) > r.inProcessMaxDelayMs),
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          if (error instanceof NotAttempted) throw error;
          failures.push(error);
          if (!(error instanceof TransientDeliveryError)) return;
          circuit.onFailure(Date.now(), `${error.code}: ${error.message}`);
          logger.warn({ packetId, attemptNumber, retriesLeft, code: error.code, circuit: circuit.state }, 'packet send failed');
          const wait = error.retryAfterMs;
          if (wait) {
            limiter.holdUntil(Date.now() + wait);
            // Honour Retry-After before the next in-process attempt when it is short enough.
            if (retriesLeft > 0 && wait <= r.inProcessMaxDelayMs) {
              await sleep(wait, undefined, { signal });
            }
          }
        },
      },
    );
  }

  /** Durable retry or dead, for each record of a packet that was not delivered. */
  private classify(r: ClaimedRecord, now: number, code: string, reason: string, notBefore = 0): { dead?: Outcome; retry?: Outcome & { nextAttemptAt: number } } {
    const j = this.o.retry.jitter;
    // r.attempts counts this attempt: it was counted when the record was claimed.
    const next = Math.max(notBefore, nextAttemptAt(now, r.attempts, r.baseDelayMs, r.capDelayMs, j));
    if (r.attempts >= r.maxAttempts) return { dead: { id: r.id, code, reason: `retries used up: ${reason}` } };
    if (r.totalTimeMs !== null && next > r.windowStartedAt + r.totalTimeMs) {
      return { dead: { id: r.id, code, reason: `retry window of ${Math.round(r.totalTimeMs / 1000)} s used up: ${reason}` } };
    }
    return { retry: { id: r.id, code, reason, nextAttemptAt: next } };
  }

  private async settle(dead: Outcome[], retry: (Outcome & { nextAttemptAt: number })[], now: number): Promise<void> {
    if (retry.length) await this.o.store.scheduleRetry(this.owner, retry, now);
    if (dead.length) await this.o.store.markDead(this.owner, dead, now);
  }

  private async recordFailure(claimed: ClaimedRecord[], e: Error, packetId: string): Promise<void> {
    const now = Date.now();
    const code = e instanceof TransientDeliveryError || e instanceof PermanentDeliveryError ? e.code : 'GATEWAY_ERROR';
    const reason = `${e.message} (packet ${packetId})`;
    if (e instanceof PermanentDeliveryError) {
      this.o.logger.error({ packetId, code, records: claimed.length }, 'packet rejected by the Ministry');
      // Alone in its packet and still refused as malformed: this record is what the Ministry cannot read.
      const why = claimed.length === 1 && MALFORMED_PACKET.has(code) ? `the Ministry refuses any packet that holds this record: ${reason}` : reason;
      await this.o.store.markDead(this.owner, claimed.map((r) => ({ id: r.id, code, reason: why })), now);
      return;
    }
    const notBefore = e instanceof TransientDeliveryError && e.retryAfterMs ? now + e.retryAfterMs : 0;
    const dead: Outcome[] = [];
    const retry: (Outcome & { nextAttemptAt: number })[] = [];
    for (const r of claimed) {
      const c = this.classify(r, now, code, reason, notBefore);
      if (c.dead) dead.push(c.dead);
      if (c.retry) retry.push(c.retry);
    }
    this.o.logger.warn({ packetId, code, retry: retry.length, dead: dead.length }, 'packet not delivered');
    await this.settle(dead, retry, now);
  }

  private async recordReceipt(claimed: ClaimedRecord[], receipt: Receipt, packetId: string): Promise<void> {
    const now = Date.now();
    const byKey = new Map(receipt.results.map((x) => [x.recordKey, x]));
    const acks: Ack[] = [];
    const dead: Outcome[] = [];
    const retry: (Outcome & { nextAttemptAt: number })[] = [];
    for (const r of claimed) {
      const res = byKey.get(r.recordKey);
      if (!res) {
        const c = this.classify(r, now, 'RECEIPT_MISSING', `no receipt for the record in packet ${packetId}`);
        if (c.dead) dead.push(c.dead);
        if (c.retry) retry.push(c.retry);
      } else if (res.status === 'accepted' || res.status === 'duplicate') {
        acks.push({ id: r.id, ministryRecordId: res.ministryRecordId ?? null, code: res.status, withdrawal: r.event === 'CANCEL' });
      } else if (res.code && EVENT_BEHIND.has(res.code)) {
        // The event was chosen from what this gateway knew when it claimed the record; another
        // version of the book was settled since (its receipt lost, or sent beside it). Chosen
        // again at the next claim.
        const c = this.classify(r, now, res.code, `Ministry: ${res.message ?? res.code} (packet ${packetId}); the event is chosen again at the next attempt`);
        if (c.dead) dead.push(c.dead);
        if (c.retry) retry.push(c.retry);
      } else {
        // The Ministry's own code and words, so that admins can act on them.
        dead.push({ id: r.id, code: res.code ?? 'MINISTRY_REJECTED', reason: `Ministry: ${res.message ?? res.code ?? 'rejected'} (packet ${packetId})` });
      }
    }
    await this.o.store.acknowledge(this.owner, packetId, acks, now);
    await this.settle(dead, retry, now);
    this.o.logger.info({ packetId, acknowledged: acks.length, dead: dead.length, missing: retry.length }, 'packet delivered');
  }
}

/** `p`, or the abort's reason once `signal` aborts (the call itself goes on until its transport is closed). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}
