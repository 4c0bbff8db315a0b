import type { VneduBatch } from './format.js';
import { sampleVneduBatch } from './sample.js';

// Synthetic batches too large to hold in memory (a year-end file of a million students), written
// as JSON text piece by piece: the header, then the students in blocks of 500, each block sampled
// with its own seed and its learner IDs numbered on from the block before, so every student of
// the file has a record key of its own. Within a block personal IDs are distinct, as in any sample.

export const BLOCK = 500;

/** Block `b` of a large sample: 500 students (fewer for the last), learner IDs from b × 500 + 1. */
export function sampleBlock(b: number, size: number, seed: number): VneduBatch {
  const batch = sampleVneduBatch(size, seed + b);
  batch.DanhSachHocSinh.forEach((s, j) => {
    s.MaHocSinh = `${batch.MaTruong}${String(b * BLOCK + j + 1).padStart(7, '0')}`;
  });
  return batch;
}

/** The text of a batch of `count` students, in pieces of about one block each. */
export function* sampleBatchText(count: number, seed: number): Generator<string> {
  const blocks = Math.ceil(count / BLOCK);
  for (let b = 0; b < blocks; b++) {
    const batch = sampleBlock(b, Math.min(BLOCK, count - b * BLOCK), seed);
    const students = batch.DanhSachHocSinh.map((s) => JSON.stringify(s)).join(',\n');
    if (b === 0) {
      const { DanhSachHocSinh: _, ...header } = batch;
      yield `${JSON.stringify(header).slice(0, -1)},"DanhSachHocSinh":[\n${students}`;
    } else yield `,\n${students}`;
  }
  yield '\n]}\n';
}
