import type { VendorAdapter } from '../adapter.js';
import { jsonBatchFormat } from '../json-format.js';
import { mapVneduStudent, splitVneduBatch } from './map.js';
import { sampleVneduBatch } from './sample.js';

export type { VneduBatch, VneduContext, VneduPrimarySubject, VneduSecondarySubject, VneduStudent } from './format.js';
export { sampleVneduBatch, type SampleOptions } from './sample.js';

/** Schools of the demo list whose samples are vnEdu's (config/schools.json); the first is the samples' default. */
const SAMPLE_SCHOOLS = ['01009876', '01001234', '01002345', '01003456'] as const;

/** VNPT vnEdu: native JSON export of học bạ, grades 1-12 (README.md beside this file). */
export const vneduAdapter: VendorAdapter = {
  vendor: 'vnedu',
  title: 'VNPT vnEdu',
  formats: [
    jsonBatchFormat({
      itemsField: 'DanhSachHocSinh',
      split: splitVneduBatch,
      docs: {
        summary: 'vnEdu JSON batch: one school and year (MaSoGD, MaTruong, NamHoc), its students in DanhSachHocSinh (src/adapters/vnedu/README.md)',
        schema: {
          type: 'object',
          required: ['MaSoGD', 'MaTruong', 'NamHoc', 'DanhSachHocSinh'],
          properties: {
            MaSoGD: { type: 'string', description: 'province code' },
            MaTruong: { type: 'string', description: 'Ministry school ID' },
            TenTruong: { type: 'string' },
            NamHoc: { type: 'string', examples: ['2024-2025'] },
            HieuTruong: { type: 'string', description: 'principal' },
            DanhSachHocSinh: { type: 'array', minItems: 1, items: { type: 'object', description: 'one student (field table: src/adapters/vnedu/README.md)' } },
          },
        },
        // Made once when the route that documents it is registered, not when an intake thread loads the adapter.
        get example() {
          return sampleVneduBatch(1, 1);
        },
      },
    }),
  ],
  map: mapVneduStudent,
  sampleSchools: SAMPLE_SCHOOLS,
  sample: ({ records, seed, grade }) => ({
    mediaType: 'application/json',
    body: JSON.stringify(sampleVneduBatch(records, seed, grade === undefined ? {} : { schoolId: grade <= 5 ? '01001234' : grade <= 9 ? '01002345' : '01003456', grade }), null, 2) + '\n',
  }),
};
