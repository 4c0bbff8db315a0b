import type { VendorAdapter } from '../adapter.js';
import { mapVneduStudent, splitVneduBatch } from './map.js';
import { sampleVneduBatch } from './sample.js';

export type { VneduBatch, VneduContext, VneduPrimarySubject, VneduSecondarySubject, VneduStudent } from './format.js';
export { sampleVneduBatch, type SampleOptions } from './sample.js';

/** VNPT vnEdu: native JSON export of học bạ, grades 1-12 (README.md beside this file). */
export const vneduAdapter: VendorAdapter = {
  vendor: 'vnedu',
  itemsField: 'DanhSachHocSinh',
  split: splitVneduBatch,
  map: mapVneduStudent,
  sample: (count, seed) => sampleVneduBatch(count, seed),
};
