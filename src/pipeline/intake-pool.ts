import { Worker } from 'node:worker_threads';
import { validationContextFrom, type ValidationContextSource } from '../config/validation-context.js';
import { workerExecArgv } from '../threads/worker-exec-argv.js';
import type { ValidationContext } from '../validation/context.js';
import { runBatchIntake, type BatchIntakeOutcome } from './batch-intake.js';

// Mapping and validating a batch is the CPU-heavy part of intake (about two thirds of it), so it
// runs in worker threads while the event loop parses requests and commits to the outbox. With no
// workers configured it runs in the calling thread: the same function, no other difference.

export interface BatchIntake {
  run(vendor: string, json: string): Promise<BatchIntakeOutcome>;
  close(): Promise<void>;
}

export interface BatchIntakeOptions {
  /** Worker threads; 0 runs intake in the calling thread. */
  workers: number;
  maxRecords: number;
  validation: ValidationContextSource;
  /** Heap limit of each intake thread; unset: V8's default (which grows lazily, to hundreds of MB). */
  maxHeapMb?: number;
}

// Under the test runner this module is TypeScript; workers inherit its loader through execArgv.
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './intake-worker.ts' : './intake-worker.js', import.meta.url);

class InThreadIntake implements BatchIntake {
  readonly #ctx: ValidationContext;
  constructor(readonly options: BatchIntakeOptions) {
    this.#ctx = validationContextFrom(options.validation);
  }
  async run(vendor: string, json: string): Promise<BatchIntakeOutcome> {
    return runBatchIntake(vendor, json, this.#ctx, this.options.maxRecords);
  }
  async close(): Promise<void> {}
}

interface Pending {
  resolve: (o: BatchIntakeOutcome) => void;
  reject: (e: Error) => void;
}

// A batch of a few records maps in well under a millisecond; handing it to a thread and back
// costs about as much and adds a scheduling hop to its latency, so small ones stay here.
const INLINE_BELOW_BYTES = 32 * 1024;

class WorkerIntake implements BatchIntake {
  readonly #inline: InThreadIntake;
  readonly #workers: { worker: Worker; busy: number }[] = [];
  readonly #ready: Promise<void>;
  readonly #pending = new Map<number, Pending>();
  #next = 0;

  constructor(options: BatchIntakeOptions) {
    this.#inline = new InThreadIntake(options);
    const readies: Promise<void>[] = [];
    for (let i = 0; i < options.workers; i++) {
      const worker = new Worker(WORKER_URL, {
        workerData: { validation: options.validation, maxRecords: options.maxRecords },
        execArgv: workerExecArgv(),
        ...(options.maxHeapMb ? { resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb } } : {}),
      });
      worker.unref();
      const slot = { worker, busy: 0 };
      readies.push(
        new Promise((resolve, reject) => {
          worker.once('error', reject);
          worker.once('message', () => resolve());
        }),
      );
      worker.on('message', (m: { id?: number; outcome?: BatchIntakeOutcome; error?: string }) => {
        if (m.id === undefined) return;
        slot.busy -= 1;
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        if (m.error !== undefined) p?.reject(new Error(m.error));
        else p?.resolve(m.outcome!);
      });
      worker.on('error', (e) => {
        for (const p of this.#pending.values()) p.reject(e);
        this.#pending.clear();
      });
      this.#workers.push(slot);
    }
    this.#ready = Promise.all(readies).then(() => undefined);
    this.#ready.catch(() => undefined);
  }

  async run(vendor: string, json: string): Promise<BatchIntakeOutcome> {
    if (json.length < INLINE_BELOW_BYTES) return this.#inline.run(vendor, json);
    await this.#ready;
    // The least busy thread: a 5,000-record batch must not queue small ones behind it on one thread.
    const slot = this.#workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.#next++;
    slot.busy += 1;
    const done = new Promise<BatchIntakeOutcome>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    slot.worker.postMessage({ id, vendor, json });
    return done;
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.worker.terminate()));
  }
}

export function createBatchIntake(options: BatchIntakeOptions): BatchIntake {
  return options.workers > 0 ? new WorkerIntake(options) : new InThreadIntake(options);
}
