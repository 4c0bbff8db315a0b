import { TaskFailed, TaskPool } from '../threads/task-pool.js';
import { loadRecordValidator, PacketRefused, readPacket, type ReadPacket, type RecordFaults, type RecordValidator } from './packet-check.js';

// Where the simulator reads packets: on its event loop, or in worker threads, as a Ministry
// would spread the checking over its cores. Only reading is spread; de-duplication against the
// records held (admitPacket) stays on the event loop, one packet at a time.

export interface PacketReader {
  read(body: string, faults?: RecordFaults): Promise<ReadPacket>;
  close(): Promise<void>;
}

const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './check-worker.ts' : './check-worker.js', import.meta.url);

class InThreadReader implements PacketReader {
  constructor(
    private readonly provinceCertPem: string,
    private readonly validateRecord: RecordValidator | undefined,
  ) {}
  async read(body: string, faults: RecordFaults = {}): Promise<ReadPacket> {
    return readPacket(body, { provinceCertPem: this.provinceCertPem, validateRecord: this.validateRecord, ...faults });
  }
  async close(): Promise<void> {}
}

type ReadTask = { body: string; rejectRecordKeys?: string[]; malformedRecordKeys?: string[] };

class WorkerReader implements PacketReader {
  readonly #pool: TaskPool<ReadTask, ReadPacket>;

  constructor(workers: number, provinceCertPem: string) {
    // A packet's tree (packet-dom.ts) is tens of thousands of short-lived nodes: a young
    // generation that holds one spares promoting them to the old one (measured with xmldom's
    // larger DOM, where it saved a tenth of the reading time).
    this.#pool = new TaskPool(WORKER_URL, { size: workers, workerData: { provinceCertPem }, resourceLimits: { maxYoungGenerationSizeMb: 192 } });
  }

  async read(body: string, faults: RecordFaults = {}): Promise<ReadPacket> {
    try {
      return await this.#pool.run({
        body,
        rejectRecordKeys: faults.rejectRecordKeys ? [...faults.rejectRecordKeys] : undefined,
        malformedRecordKeys: faults.malformedRecordKeys ? [...faults.malformedRecordKeys] : undefined,
      });
    } catch (e) {
      const refused = e instanceof TaskFailed ? (e.detail as { status: number; code: string } | undefined) : undefined;
      if (refused) throw new PacketRefused(refused.status, refused.code, (e as Error).message);
      throw e;
    }
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}

export function createPacketReader(workers: number, provinceCertPem: string): PacketReader {
  return workers > 0 ? new WorkerReader(workers, provinceCertPem) : new InThreadReader(provinceCertPem, loadRecordValidator());
}
