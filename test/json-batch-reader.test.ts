import t from 'tap';
import { BatchStreamError, JsonBatchReader } from '../src/import/json-batch-reader.js';

// The streaming reader must see exactly what JSON.parse sees, however the text is cut into chunks.

function read(text: string, cut: number): { header: Record<string, unknown> | null; items: unknown[] } {
  const out = { header: null as Record<string, unknown> | null, items: [] as unknown[] };
  const reader = new JsonBatchReader('DanhSachHocSinh', { header: (h) => (out.header = h), item: (json) => out.items.push(JSON.parse(json)) });
  for (let i = 0; i < text.length; i += cut) reader.push(text.slice(i, i + cut));
  reader.end();
  return out;
}

const batch = {
  MaSoGD: '01',
  MaTruong: 'T\u00f4 \\"x\\"',
  So: 12.5,
  Co: true,
  Khong: null,
  Mang: [1, [2, { a: '}' }]],
  DanhSachHocSinh: [
    { HoTen: 'Nguy\u1ec5n V\u0103n A', Ghi: 'ngo\u1eb7c } v\u00e0 ] v\u00e0 \\" v\u00e0 \\\\', Diem: [8, 9.5], O: {} },
    { HoTen: 'Tr\u1ea7n "B"', Ghi: '[{', Diem: [], O: { x: [{}] } },
    42,
    'text',
  ],
};

t.test('every chunking of compact and indented text gives the header and the items JSON.parse gives', async (t) => {
  for (const text of [JSON.stringify(batch), JSON.stringify(batch, null, 2)]) {
    for (const cut of [1, 2, 3, 7, 64, 100000]) {
      const { header, items } = read(text, cut);
      const { DanhSachHocSinh, ...rest } = batch;
      t.same(header, rest, `header, chunks of ${cut}`);
      t.same(items, DanhSachHocSinh, `items, chunks of ${cut}`);
    }
  }
});

t.test('an empty items array, and header fields after the array are still read', async (t) => {
  t.same(read('{"A":1,"DanhSachHocSinh":[ ],"B":2}', 1).items, []);
});

t.test('malformed or cut-short batches fail with where', async (t) => {
  const cases: [string, RegExp][] = [
    ['[1,2]', /a batch is a JSON object/],
    ['{"A":1,"DanhSachHocSinh":[{"x":1}', /ends before its closing brace/],
    ['{"A":1}', /has no "DanhSachHocSinh" array/],
    ['{"DanhSachHocSinh":{"x":1}}', /must be an array/],
    ['{"DanhSachHocSinh":[1] "x"}', /expected ',' or '}'/],
    ['{"DanhSachHocSinh":[1 2]}', /expected ',' or '\]'/],
    ['{"A":1}{"B":2}', /text after the end/],
    ['{"A":tru,"DanhSachHocSinh":[]}', /not JSON/],
    ['{"DanhSachHocSinh":[],"DanhSachHocSinh":[]}', /appears twice/],
  ];
  for (const [text, message] of cases) {
    t.throws(() => read(text, 3), message, text);
    t.throws(() => read(text, 3), BatchStreamError);
  }
});
