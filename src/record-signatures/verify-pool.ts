import type { Worker } from 'node:worker_threads';
import { startWorker } from '../threads/start-worker.js';
import { checkSignedRecord, type SignedRecordOutcome } from './check-record.js';
import { validationContextFrom, type ValidationContextSource } from '../config/validation-context.js';
import type { ValidationContext } from '../validation/context.js';
import type { XmlLimits } from '../signing/xml-prescan.js';
import type { SignaturePolicy } from './policy.js';
import { TrustStore, type TrustMaterial } from './trust-store.js';

// Signature verification off the event loop: a small pool of worker threads (2 on this 2-core
// machine), each with its own trust store and certificate cache. A batch is cut into chunks
// spread over the workers. With no workers configured it verifies in the calling thread (the CLI).
// Reloading trust material builds a new pool and retires the old one once its work is done, so
// no request is dropped.

// Under the test runner this module is TypeScript; workers inherit its loader through execArgv.
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './verify-worker.ts' : './verify-worker.js', import.meta.url);
const CHUNK = 25;

interface Pending {
  resolve: (outcomes: SignedRecordOutcome[]) => void;
  reject: (e: Error) => void;
}

class Pool {
  readonly #workers: Worker[] = [];
  readonly #ready: Promise<void>;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #turn = 0;
  #inFlight = 0;
  #idle: (() => void) | null = null;

  constructor(size: number, trust: TrustMaterial, policy: SignaturePolicy, validation: ValidationContextSource, limits: XmlLimits | undefined) {
    const readies: Promise<void>[] = [];
    for (let i = 0; i < size; i++) {
      const w = startWorker(WORKER_URL, { workerData: { trust, policy, validation, limits } });
      w.unref();
      readies.push(
        new Promise((resolve, reject) => {
          w.once('error', reject);
          w.once('message', () => resolve());
        }),
      );
      w.on('message', (m: { id?: number; outcomes?: SignedRecordOutcome[]; error?: string }) => {
        if (m.id === undefined) return;
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        if (m.error) p?.reject(new Error(m.error));
        else p?.resolve(m.outcomes!);
      });
      w.on('error', (e) => this.#failAll(e));
      this.#workers.push(w);
    }
    this.#ready = Promise.all(readies).then(() => undefined);
    this.#ready.catch(() => undefined);
  }

  #failAll(e: Error): void {
    for (const p of this.#pending.values()) p.reject(e);
    this.#pending.clear();
  }

  async check(docs: string[], now: Date): Promise<SignedRecordOutcome[]> {
    await this.#ready;
    this.#inFlight += 1;
    try {
      const chunks: Promise<SignedRecordOutcome[]>[] = [];
      for (let i = 0; i < docs.length; i += CHUNK) {
        const id = this.#next++;
        const worker = this.#workers[this.#turn++ % this.#workers.length];
        chunks.push(new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject })));
        worker.postMessage({ id, docs: docs.slice(i, i + CHUNK), now: now.getTime() });
      }
      return (await Promise.all(chunks)).flat();
    } finally {
      this.#inFlight -= 1;
      if (this.#inFlight === 0) this.#idle?.();
    }
  }

  async close(): Promise<void> {
    if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}

export interface VerifierOptions {
  trust: TrustMaterial;
  policy: SignaturePolicy;
  /** Worker threads; 0 verifies in the calling thread. */
  workers: number;
  /** Where the record content is validated from (the same settings as vendor batches). */
  validation: ValidationContextSource;
  /** Bounds on each document, checked before it is parsed; the defaults of xml-prescan.ts when absent. */
  limits?: XmlLimits;
}

export class SignedRecordVerifier {
  #pool: Pool | null = null;
  #local: TrustStore | null = null;
  #options: VerifierOptions;
  #store: TrustStore;
  readonly #ctx: ValidationContext;

  private constructor(options: VerifierOptions, store: TrustStore) {
    this.#options = options;
    this.#store = store;
    this.#ctx = validationContextFrom(options.validation);
  }

  /** Builds the trust store here first, so bad trust files fail at start-up with a clear message. */
  static async create(options: VerifierOptions): Promise<SignedRecordVerifier> {
    return new SignedRecordVerifier(options, await TrustStore.create(options.trust));
  }

  get trustStore(): TrustStore {
    return this.#store;
  }

  get policy(): SignaturePolicy {
    return this.#options.policy;
  }

  async check(docs: string[], now = new Date()): Promise<SignedRecordOutcome[]> {
    if (this.#options.workers <= 0) {
      this.#local ??= this.#store;
      return docs.map((d) => checkSignedRecord(d, this.#local!, this.#options.policy, this.#ctx, now, this.#options.limits));
    }
    // Workers start on first use: a gateway that never receives a signed record never starts them.
    this.#pool ??= new Pool(this.#options.workers, this.#options.trust, this.#options.policy, this.#options.validation, this.#options.limits);
    return this.#pool.check(docs, now);
  }

  /** New trust material (rotated anchors, fresh CRLs): checks it, then swaps pools. */
  async reload(trust: TrustMaterial): Promise<void> {
    const store = await TrustStore.create(trust);
    const old = this.#pool;
    this.#options = { ...this.#options, trust };
    this.#store = store;
    this.#local = null;
    this.#pool = null;
    await old?.close();
  }

  async close(): Promise<void> {
    await this.#pool?.close();
    this.#pool = null;
  }
}
