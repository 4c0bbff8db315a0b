import { open, type FileHandle } from 'node:fs/promises';

// Group commit for the SQLite outbox. The connection commits with synchronous=OFF (SQLite writes
// the WAL but does not fsync it), and callers that must not answer before their commit is on disk
// (a 202) await `sync()`: an fsync of the WAL file in libuv's thread pool, shared by every commit
// that finished before it started. The event loop never waits for the disk, and a burst of small
// submissions pays one fsync between them rather than one each.
//
// Why this is as durable as synchronous=FULL for what it covers: fsync flushes the whole WAL file
// (header and frames) of the commits before it; checkpoints run on another connection with
// synchronous=FULL (checkpointer.ts), which syncs the database file before the WAL may be reused.
// A kill -9 loses nothing either way: the page cache survives the process.

export class WalSync {
  readonly #path: string;
  #fd: FileHandle | null = null;
  #running: Promise<void> | null = null;
  #next: Promise<void> | null = null;
  #fsyncs = 0;

  constructor(walPath: string) {
    this.#path = walPath;
  }

  /** Resolves once every commit that returned before this call is on disk. */
  sync(): Promise<void> {
    // A sync already under way may have started before this caller's commit: wait for the next.
    if (this.#next) return this.#next;
    if (!this.#running) return this.#start();
    const next = this.#running.then(
      () => this.#start(),
      () => this.#start(),
    );
    this.#next = next;
    return next;
  }

  #start(): Promise<void> {
    this.#next = null;
    const run = this.#fsync().finally(() => {
      if (this.#running === run) this.#running = null;
    });
    this.#running = run;
    return run;
  }

  async #fsync(): Promise<void> {
    this.#fd ??= await open(this.#path, 'r');
    await this.#fd.sync();
    this.#fsyncs += 1;
  }

  /** The fsync under way, if any: group commit waits for it (sqlite-store.ts insertSubmission). */
  get running(): Promise<void> | null {
    return this.#running;
  }

  /** How many fsyncs have completed (for tests and metrics: group commit makes it far fewer than commits). */
  get fsyncs(): number {
    return this.#fsyncs;
  }

  async close(): Promise<void> {
    await this.#running?.catch(() => undefined);
    await this.#fd?.close();
    this.#fd = null;
  }
}
