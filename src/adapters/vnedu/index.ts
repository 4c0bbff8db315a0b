import type { VendorAdapter } from '../adapter.js';
import { mapVneduStudent, splitVneduBatch } from './map.js';
import { sampleVneduBatch } from './sample.js';

export type { VneduBatch, VneduContext, VneduStudent, VneduSubjectResult } from './format.js';

/** VNPT vnEdu: native JSON export of primary học bạ (README.md beside this file). */
export const vneduAdapter: VendorAdapter = {
  vendor: 'vnedu',
  split: splitVneduBatch,
  map: mapVneduStudent,
  sample: (count, seed) => sampleVneduBatch(count, seed),
};
