import type { Readable } from 'node:stream';
import { BatchFormatError, type BatchFormat, type SplitBatch, type VendorAdapter } from '../adapter.js';
import { locateC1, mapC1Row } from './map.js';
import { bytesStream, readC1Workbook, type C1Item } from './read.js';
import { SAMPLE_SCHOOLS, sampleSheets, workbookBytes } from './write.js';

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// The Ministry's C1 result templates (TT27 primary, TT22 lower and upper secondary) as schools
// without a vendor SIS fill them by hand in Excel (README.md beside this file). One workbook is
// one school's classes, a sheet per class; each student row is one record.

async function readAll(body: string | Uint8Array): Promise<SplitBatch> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  const items: C1Item[] = [];
  for await (const item of readC1Workbook(bytesStream(bytes))) items.push(item);
  if (items.length === 0) {
    throw new BatchFormatError('the workbook holds no student row', [
      { path: '', code: 'WORKBOOK_HEADER_MISSING', detail_en: 'the workbook holds no student row under its headings', detail_vi: 'tệp Excel không có dòng học sinh nào dưới dòng tiêu đề' },
    ]);
  }
  return { items, context: null };
}

async function* streamChunks(input: Readable, size: number): AsyncIterable<SplitBatch> {
  let items: C1Item[] = [];
  for await (const item of readC1Workbook(input)) {
    items.push(item);
    if (items.length === size) {
      yield { items, context: null };
      items = [];
    }
  }
  if (items.length > 0) yield { items, context: null };
}

const xlsxFormat: BatchFormat = {
  mediaType: XLSX_MEDIA_TYPE,
  name: 'xlsx',
  binary: true,
  docs: {
    summary:
      'C1 workbook (xlsx): a sheet per class, header block (Mã trường, Năm học, Khối, Lớp, Hiệu trưởng, Giáo viên chủ nhiệm), headings (STT, Mã học sinh, …), a row per student; empty templates at GET /v1/templates/{name}.xlsx (src/adapters/c1/README.md)',
    schema: { type: 'string', format: 'binary' },
  },
  read: readAll,
  stream: streamChunks,
};

/** Schools filling the Ministry's C1 Excel templates by hand (no vendor SIS). */
export const c1Adapter: VendorAdapter = {
  vendor: 'c1',
  title: 'Mẫu C1 của Bộ GD&ĐT (Excel)',
  formats: [xlsxFormat],
  map: mapC1Row,
  locate: locateC1,
  sampleSchools: SAMPLE_SCHOOLS,
  sample: async ({ records, seed, grade }) => ({ mediaType: XLSX_MEDIA_TYPE, body: await workbookBytes(sampleSheets(records, seed, grade)) }),
};
