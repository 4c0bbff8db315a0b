import { TaskPool } from '../threads/task-pool.js';
import type { RecordPdfInput } from './record-pdf.js';

// One thread for PDFs, started at the first request for one (most gateways print few): a PDF
// takes 40-70 ms of CPU, which on the event loop would hold up every vendor's requests.

const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './pdf-worker.ts' : './pdf-worker.js', import.meta.url);

export class PdfRenderer {
  #pool: TaskPool<RecordPdfInput, Uint8Array> | null = null;

  async render(input: RecordPdfInput): Promise<Buffer> {
    this.#pool ??= new TaskPool(WORKER_URL, { size: 1, workerData: null });
    const bytes = await this.#pool.run(input);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = null;
    await pool?.close();
  }
}
