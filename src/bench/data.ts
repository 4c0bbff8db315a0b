import type { VneduBatch } from '../adapters/vnedu/format.js';
import { sampleBlock } from '../adapters/vnedu/sample-stream.js';

// Synthetic vnEdu batches for the benchmark: batch `b` is block `b` of a large sample, so every
// record in a run has a record key of its own and the version rule sees new records, as at a
// real year end.

export function distinctBatch(b: number, size: 500, seed = 1000): VneduBatch {
  return sampleBlock(b, size, seed);
}

/** One-student batches for the latency test, each a different student. */
export function singleRecordBodies(count: number, seed = 5000): string[] {
  const out: string[] = [];
  for (let b = 0; out.length < count; b++) {
    const batch = distinctBatch(b, 500, seed);
    for (const s of batch.DanhSachHocSinh) {
      if (out.length === count) break;
      out.push(JSON.stringify({ ...batch, DanhSachHocSinh: [s] }));
    }
  }
  return out;
}
