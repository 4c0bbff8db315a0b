import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../threads/start-worker.js';
import type { Logger } from 'pino';
import type { Settings } from '../../config/settings.js';
import type { PacketSigner } from '../../signing/signer.js';
import type { CircuitSnapshot } from '../circuit-breaker.js';
import type { Delivery } from '../delivery.js';
import type { DeliveryThreadData, FromThread, ToThread } from './protocol.js';

// Delivery in a thread of its own (delivery.thread, the default). In the event loop, each
// packet meant claiming and reading 200 records, building a packet of a megabyte or so and
// recording 200 outcomes, in slices between the requests; at 500 requests a second those
// slices were what a vendor's request waited behind. Here the event loop only signs (hashing
// and RSA run in libuv's pool) and relays log lines; everything else is the thread's.

// Under the test runner this module is TypeScript; the thread inherits its loader through execArgv.
const THREAD_URL = new URL(import.meta.url.endsWith('.ts') ? './thread-main.ts' : './thread-main.js', import.meta.url);

/** How long to wait before starting a thread that died again: it would most likely die the same way at once. */
const RESTART_DELAY_MS = 1000;

const CLOSED: CircuitSnapshot = { state: 'closed', consecutiveFailures: 0, nextProbeAt: null, lastFailure: null };

export interface DeliveryThreadOptions {
  settings: Settings;
  ministryUrl: string;
  signer: Pick<PacketSigner, 'sign'>;
  logger: Logger;
  /** The thread's script: thread-main by default (tests give one that misbehaves). */
  script?: URL;
  /** Each attempt of the thread to send a packet (metrics). */
  onSend?: (seconds: number, outcome: 'delivered' | 'refused' | 'failed') => void;
}

export class DeliveryThread implements Delivery {
  #thread: Worker | null = null;
  #snapshot: CircuitSnapshot = CLOSED;
  #stopping: Promise<void> | null = null;
  #restart: NodeJS.Timeout | null = null;

  constructor(private readonly o: DeliveryThreadOptions) {}

  readonly circuit = { snapshot: (): CircuitSnapshot => this.#snapshot };

  start(): void {
    const data: DeliveryThreadData = { settings: this.o.settings, ministryUrl: this.o.ministryUrl, logLevel: this.o.logger.level };
    const thread = startWorker(this.o.script ?? THREAD_URL, { workerData: data });
    this.#thread = thread;
    thread.on('message', (m: FromThread) => this.#onMessage(thread, m));
    thread.on('error', (e) => this.o.logger.error({ err: e }, 'delivery thread failed'));
    thread.on('exit', (code) => {
      if (this.#thread !== thread) return;
      this.#thread = null;
      if (this.#stopping) return;
      // Nothing is lost: its claims expire with their lease and are claimed again.
      this.o.logger.error({ code }, `delivery thread stopped; restarting in ${RESTART_DELAY_MS} ms`);
      this.#restart = setTimeout(() => {
        this.#restart = null;
        if (!this.#stopping) this.start();
      }, RESTART_DELAY_MS);
    });
  }

  #post(m: ToThread): void {
    this.#thread?.postMessage(m);
  }

  #onMessage(thread: Worker, m: FromThread): void {
    switch (m.type) {
      case 'sign':
        this.o.signer.sign(m.xml).then(
          (xml) => thread.postMessage({ type: 'signed', id: m.id, xml } satisfies ToThread),
          (e: Error) => thread.postMessage({ type: 'sign-failed', id: m.id, message: e.message } satisfies ToThread),
        );
        break;
      case 'log':
        this.#relay(m.line);
        break;
      case 'circuit':
        this.#snapshot = m.snapshot;
        break;
      case 'sent':
        this.o.onSend?.(m.seconds, m.outcome);
        break;
    }
  }

  /** One line of the thread's pino output, logged again here at its own level. */
  #relay(line: string): void {
    try {
      const { level, msg, ...fields } = JSON.parse(line) as { level: number; msg?: string };
      const label = this.o.logger.levels.labels[level] ?? 'info';
      (this.o.logger as unknown as Record<string, (o: object, msg?: string) => void>)[label]!(fields, msg);
    } catch {
      this.o.logger.warn('delivery thread wrote a log line that is not JSON');
    }
  }

  nudge(): void {
    this.#post({ type: 'nudge' });
  }

  stop(): Promise<void> {
    return (this.#stopping ??= (async () => {
      if (this.#restart) clearTimeout(this.#restart);
      const thread = this.#thread;
      if (!thread) return;
      await new Promise<void>((resolve) => {
        thread.on('message', (m: FromThread) => m.type === 'stopped' && resolve());
        thread.once('exit', () => resolve());
        thread.postMessage({ type: 'stop' } satisfies ToThread);
      });
      await thread.terminate();
    })());
  }
}
