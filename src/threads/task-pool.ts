import { Worker, type ResourceLimits } from 'node:worker_threads';
import { workerExecArgv } from './worker-exec-argv.js';

// Worker threads that each answer one task at a time, shared by the intake threads and the
// simulator's packet readers. The protocol, for the worker script: post `{ ready: true }` once
// set up, then answer each `{ id, task }` with `{ id, result }`, or `{ id, error, detail? }` where
// `detail` is plain data the caller turns back into its own error (see TaskFailed).

/** A task the worker could not do: its message, and whatever plain data it sent with it. */
export class TaskFailed extends Error {
  constructor(
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = 'TaskFailed';
  }
}

interface Pending<R> {
  resolve: (r: R) => void;
  reject: (e: Error) => void;
}

export interface TaskPoolOptions {
  size: number;
  workerData: unknown;
  resourceLimits?: ResourceLimits;
}

export class TaskPool<T, R> {
  readonly #slots: { worker: Worker; busy: number }[] = [];
  readonly #pending = new Map<number, Pending<R>>();
  readonly #ready: Promise<void>;
  #next = 0;

  constructor(script: URL, options: TaskPoolOptions) {
    const readies: Promise<void>[] = [];
    for (let i = 0; i < options.size; i++) {
      const worker = new Worker(script, { workerData: options.workerData, execArgv: workerExecArgv(), ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}) });
      worker.unref();
      const slot = { worker, busy: 0 };
      readies.push(new Promise((resolve, reject) => (worker.once('error', reject), worker.once('message', () => resolve()))));
      worker.on('message', (m: { id?: number; result?: R; error?: string; detail?: unknown }) => {
        if (m.id === undefined) return;
        slot.busy -= 1;
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        if (m.error !== undefined) p?.reject(new TaskFailed(m.error, m.detail));
        else p?.resolve(m.result!);
      });
      worker.on('error', (e) => {
        for (const p of this.#pending.values()) p.reject(e);
        this.#pending.clear();
      });
      this.#slots.push(slot);
    }
    this.#ready = Promise.all(readies).then(() => undefined);
    this.#ready.catch(() => undefined);
  }

  /** Runs `task` on the least busy thread: a long task must not queue short ones behind it. */
  async run(task: T): Promise<R> {
    await this.#ready;
    const slot = this.#slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.#next++;
    slot.busy += 1;
    const done = new Promise<R>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    slot.worker.postMessage({ id, task });
    return done;
  }

  async close(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
