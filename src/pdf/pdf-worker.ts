import { parentPort } from 'node:worker_threads';
import { renderRecordPdf, type RecordPdfInput } from './record-pdf.js';

// The PDF thread: lays out one học bạ at a time (40-70 ms each, measured), off the event loop
// that answers vendors. threads/task-pool.ts protocol; the PDF's bytes are transferred, not copied.

parentPort!.postMessage({ ready: true });
parentPort!.on('message', ({ id, task }: { id: number; task: RecordPdfInput }) => {
  renderRecordPdf(task).then(
    (pdf) => {
      const bytes = new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength).slice();
      parentPort!.postMessage({ id, result: bytes }, [bytes.buffer]);
    },
    (e: unknown) => parentPort!.postMessage({ id, error: (e as Error).message }),
  );
});
