import { validationContextFrom, type ValidationContextSource } from '../config/validation-context.js';
import { EventLoopLoad, type LoopLoad } from '../threads/loop-load.js';
import { TaskPool } from '../threads/task-pool.js';
import type { ValidationContext } from '../validation/context.js';
import { runBatchIntake, type BatchIntakeOutcome, type EnvelopeIntakeOutcome, type EnvelopeTask, type IntakeTask } from './batch-intake.js';

// Mapping and validating a batch is the CPU-heavy part of intake (about two thirds of it), so it
// runs in worker threads while the event loop parses requests and commits to the outbox. With no
// workers configured it runs in the calling thread: the same function, no other difference.
// Under a bulk load the intake thread is the bottleneck and the event loop's core is a fifth to
// a half idle; a spare-time thread at niceness 10 maps on that idle time (bench a on 2 cores, 4
// clients of 500-record batches, alternated: 3,511 and 3,612 records/s without it, 4,147 and
// 4,161 with it; two intake threads at normal priority gave about as much as the spare one).

export interface BatchIntake {
  run(task: IntakeTask): Promise<BatchIntakeOutcome>;
  run(task: EnvelopeTask): Promise<EnvelopeIntakeOutcome>;
  close(): Promise<void>;
}

type AnyTask = IntakeTask | EnvelopeTask;
type AnyOutcome = BatchIntakeOutcome | EnvelopeIntakeOutcome;

export interface BatchIntakeOptions {
  /** Worker threads; 0 runs intake in the calling thread. */
  workers: number;
  /**
   * Spare-time threads beside `workers` (with workers > 0), at niceness 10: they take a large
   * batch only when every worker holds one, and run mostly on time nothing else wants.
   */
  spareWorkers?: number;
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
  run(task: IntakeTask): Promise<BatchIntakeOutcome>;
  run(task: EnvelopeTask): Promise<EnvelopeIntakeOutcome>;
  run(task: AnyTask): Promise<AnyOutcome>;
  run(task: AnyTask): Promise<AnyOutcome> {
    return runBatchIntake(task, this.#ctx, this.options.maxRecords);
  }
  async close(): Promise<void> {}
}

// A batch of a few records maps in well under a millisecond; handing it to a thread and back
// costs about as much and adds a scheduling hop to its latency, so small ones stay here while
// the event loop has time for them. Once the loop is busier than LOOP_BUSY, they go to a thread
// as well: the loop is then what every request waits for (bench d, 500 single-record
// submissions/s with delivery on: the loop ran 85-90% busy, a third of it mapping, validating and
// packing records, and p99 grew to hundreds of milliseconds as requests queued behind it).
const INLINE_BELOW_BYTES = 32 * 1024;
const LOOP_BUSY = 0.5;

class WorkerIntake implements BatchIntake {
  readonly #inline: InThreadIntake;
  readonly #pool: TaskPool<AnyTask, AnyOutcome>;
  readonly #loop: LoopLoad;

  constructor(options: BatchIntakeOptions, loop: LoopLoad = new EventLoopLoad()) {
    this.#loop = loop;
    this.#inline = new InThreadIntake(options);
    this.#pool = new TaskPool(WORKER_URL, {
      size: options.workers + (options.spareWorkers ?? 0),
      spare: options.spareWorkers ?? 0,
      // Started by the first batch that needs a thread: small submissions map here (below).
      lazy: true,
      workerData: { validation: options.validation, maxRecords: options.maxRecords },
      ...(options.maxHeapMb ? { resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb } } : {}),
    });
  }

  run(task: IntakeTask): Promise<BatchIntakeOutcome>;
  run(task: EnvelopeTask): Promise<EnvelopeIntakeOutcome>;
  async run(task: AnyTask): Promise<AnyOutcome> {
    const size = 'envelope' in task ? (typeof task.envelope === 'string' ? task.envelope.length : task.envelope.byteLength) : 'body' in task ? (typeof task.body === 'string' ? task.body.length : task.body.byteLength) : task.batch.items.length * 2048;
    const small = size < INLINE_BELOW_BYTES;
    // A small submission is waited for by one request: it never waits for a spare core, nor behind
    // a large batch (a quarter to half a second of a thread): when every thread holds one, it
    // maps here, busy loop or not. Single vnEdu submissions at 100/s while SMAS envelopes of 500
    // pupils arrived back to back: p99 733-764 ms when they queued behind the batches, 293 ms
    // mapped here (the rest is the batches' inserts and the loop's share of 2 cores).
    if (small && (!this.#loop.busierThan(LOOP_BUSY) || !this.#pool.freeOfLarge)) return this.#inline.run(task);
    return this.#pool.run(task, { spare: !small, large: !small });
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}

/** `loop`: how busy the event loop is (tests pass their own). */
export function createBatchIntake(options: BatchIntakeOptions, loop?: LoopLoad): BatchIntake {
  return options.workers > 0 ? new WorkerIntake(options, loop) : new InThreadIntake(options);
}
