import type { ResourceLimits, Worker } from 'node:worker_threads';
import { startWorker } from './start-worker.js';

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
  large: boolean;
}

export interface TaskPoolOptions {
  size: number;
  /**
   * Start the threads at the first task instead of at once. The gateway's intake threads are
   * lazy: a gateway that only takes small submissions maps them on its event loop and never needs
   * one (each costs some 0.5-1 s of CPU to start: its modules and the record schema's compiled
   * validator), and the first large batch waits for the start once.
   */
  lazy?: boolean;
  workerData: unknown;
  resourceLimits?: ResourceLimits;
  /**
   * Of `size`, how many threads are spare-time threads: the last ones, told so by `spare: true`
   * in their workerData, and given a task only when every other thread holds more (ties go to the
   * first threads).
   */
  spare?: number;
}

/** The thread that had a task ended before answering it (a crash, an out-of-memory abort). */
export class WorkerDied extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerDied';
  }
}

interface Slot<R> {
  worker: Worker;
  /** The tasks this thread holds: only these fail when it dies. */
  pending: Map<number, Pending<R>>;
  /** How many of them are large (run with `large: true`). */
  large: number;
}

// A thread that dies rejects only the tasks it held, and a new thread takes its slot: before, a
// dead thread rejected every pending task of every thread (on 'error'; on a plain exit nothing
// at all, so its tasks waited for ever) and stayed in the pool, swallowing later tasks.
export class TaskPool<T, R> {
  readonly #slots: Slot<R>[] = [];
  #ready: Promise<void> | null = null;
  readonly #script: URL;
  readonly #options: TaskPoolOptions;
  #next = 0;
  #closing = false;

  constructor(script: URL, options: TaskPoolOptions) {
    this.#script = script;
    this.#options = options;
    if (!options.lazy) this.#started();
  }

  /** The threads, started on the first call; resolves when every one is ready. */
  #started(): Promise<void> {
    if (this.#ready) return this.#ready;
    const readies: Promise<void>[] = [];
    for (let i = 0; i < this.#options.size; i++) {
      const slot: Slot<R> = { worker: null as unknown as Worker, pending: new Map(), large: 0 };
      readies.push(this.#start(slot, i >= this.#options.size - (this.#options.spare ?? 0)));
      this.#slots.push(slot);
    }
    this.#ready = Promise.all(readies).then(() => undefined);
    this.#ready.catch(() => undefined);
    return this.#ready;
  }

  /** Starts a thread in `slot`; resolves when it says it is ready. Tasks posted before that wait in its port. */
  #start(slot: Slot<R>, spare: boolean): Promise<void> {
    const o = this.#options;
    const workerData = spare ? { ...(o.workerData as object), spare: true } : o.workerData;
    const worker = startWorker(this.#script, { workerData, ...(o.resourceLimits ? { resourceLimits: o.resourceLimits } : {}) });
    worker.unref();
    slot.worker = worker;
    const ready = new Promise<void>((resolve, reject) => (worker.once('error', reject), worker.once('exit', (c) => reject(new WorkerDied(`worker stopped with exit code ${c} while starting`))), worker.once('message', () => resolve())));
    worker.on('message', (m: { id?: number; result?: R; error?: string; detail?: unknown }) => {
      if (m.id === undefined) return;
      const p = slot.pending.get(m.id);
      slot.pending.delete(m.id);
      if (p?.large) slot.large -= 1;
      if (m.error !== undefined) p?.reject(new TaskFailed(m.error, m.detail));
      else p?.resolve(m.result!);
    });
    let failure: Error | null = null;
    worker.on('error', (e) => (failure = e));
    worker.on('exit', (code) => {
      if (slot.worker !== worker) return;
      const e = new WorkerDied(`worker thread stopped (exit code ${code})${failure ? `: ${failure.message}` : ''}`);
      for (const p of slot.pending.values()) p.reject(e);
      slot.pending.clear();
      slot.large = 0;
      // A thread that dies at start (a broken script) is not restarted: that would loop.
      if (!this.#closing) ready.then(() => this.#start(slot, spare).catch(() => undefined), () => undefined);
    });
    return ready;
  }

  /** Threads started so far (a lazy pool has none before its first task). */
  get threads(): number {
    return this.#slots.length;
  }

  /** The threads a task may go to: every one, or the spare-time ones left out. */
  #candidates(spare: boolean): Slot<R>[] {
    return spare ? this.#slots : this.#slots.slice(0, this.#slots.length - (this.#options.spare ?? 0));
  }

  /**
   * Whether a small task would find a thread (not a spare-time one) that holds no large task, so
   * that it waits behind small ones at most. A pool not yet started would.
   */
  get freeOfLarge(): boolean {
    return this.#slots.length === 0 || this.#candidates(false).some((s) => s.large === 0);
  }

  /**
   * Runs `task` on the least busy thread: a long task must not queue short ones behind it. Ties go
   * to the first threads, so a spare-time thread gets a task only when every other thread holds
   * more; `spare: false` keeps the task off spare-time threads altogether. A task that is not
   * `large` goes to a thread without a large one when there is one: a batch of 500 records holds
   * a thread for a quarter to half a second, a single record for about a millisecond.
   */
  async run(task: T, { spare = true, large = false }: { spare?: boolean; large?: boolean } = {}): Promise<R> {
    if (this.#closing) throw new WorkerDied('the pool is closed');
    // The slots exist once started (a task posted before its thread is ready waits in its port),
    // and the choice is made now: a task that waited for a tick first could be chosen after a
    // later one (a small submission would not see the large batch sent just before it).
    const ready = this.#started();
    const all = this.#candidates(spare);
    const clear = large ? all : all.filter((s) => s.large === 0);
    const slot = (clear.length > 0 ? clear : all).reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.#next++;
    const done = new Promise<R>((resolve, reject) => slot.pending.set(id, { resolve, reject, large }));
    if (large) slot.large += 1;
    slot.worker.postMessage({ id, task });
    // A thread that cannot start fails its tasks when it exits; its start's error is the clearer
    // one, and the task's own rejection is then nobody's to handle.
    try {
      await ready;
    } catch (e) {
      done.catch(() => undefined);
      throw e;
    }
    return done;
  }

  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
