import { Worker } from 'node:worker_threads';
import { workerExecArgv } from '../threads/worker-exec-argv.js';
import { loadRecordValidator, PacketRefused, readPacket, type ReadPacket, type RecordValidator } from './packet-check.js';

// Where the simulator reads packets: on its event loop, or in worker threads, as a Ministry
// would spread the checking over its cores. Only reading is spread; de-duplication against the
// records held (admitPacket) stays on the event loop, one packet at a time.

export interface PacketReader {
  read(body: string, rejectRecordKeys?: readonly string[]): Promise<ReadPacket>;
  close(): Promise<void>;
}

const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './check-worker.ts' : './check-worker.js', import.meta.url);

class InThreadReader implements PacketReader {
  constructor(
    private readonly provinceCertPem: string,
    private readonly validateRecord: RecordValidator | undefined,
  ) {}
  async read(body: string, rejectRecordKeys?: readonly string[]): Promise<ReadPacket> {
    return readPacket(body, { provinceCertPem: this.provinceCertPem, validateRecord: this.validateRecord, rejectRecordKeys });
  }
  async close(): Promise<void> {}
}

interface Pending {
  resolve: (p: ReadPacket) => void;
  reject: (e: Error) => void;
}

class WorkerReader implements PacketReader {
  readonly #slots: { worker: Worker; busy: number }[] = [];
  readonly #pending = new Map<number, Pending>();
  readonly #ready: Promise<void>;
  #next = 0;

  constructor(workers: number, provinceCertPem: string) {
    const readies: Promise<void>[] = [];
    for (let i = 0; i < workers; i++) {
      // A packet's DOM is a few hundred thousand short-lived nodes: a young generation that holds
      // one spares promoting them to the old one (a tenth of the reading time, measured).
      const worker = new Worker(WORKER_URL, { workerData: { provinceCertPem }, execArgv: workerExecArgv(), resourceLimits: { maxYoungGenerationSizeMb: 192 } });
      worker.unref();
      const slot = { worker, busy: 0 };
      readies.push(new Promise((resolve, reject) => (worker.once('error', reject), worker.once('message', () => resolve()))));
      worker.on('message', (m: { id?: number; packet?: ReadPacket; refused?: { status: number; code: string; message: string }; error?: string }) => {
        if (m.id === undefined) return;
        slot.busy -= 1;
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        if (m.packet) p?.resolve(m.packet);
        else if (m.refused) p?.reject(new PacketRefused(m.refused.status, m.refused.code, m.refused.message));
        else p?.reject(new Error(m.error ?? 'packet check failed'));
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

  async read(body: string, rejectRecordKeys?: readonly string[]): Promise<ReadPacket> {
    await this.#ready;
    const slot = this.#slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.#next++;
    slot.busy += 1;
    const done = new Promise<ReadPacket>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    slot.worker.postMessage({ id, body, rejectRecordKeys: rejectRecordKeys ? [...rejectRecordKeys] : undefined });
    return done;
  }

  async close(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}

export function createPacketReader(workers: number, provinceCertPem: string): PacketReader {
  return workers > 0 ? new WorkerReader(workers, provinceCertPem) : new InThreadReader(provinceCertPem, loadRecordValidator());
}
