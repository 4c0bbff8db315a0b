import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { BatchFormatError } from '../src/adapters/adapter.js';
import { LIMITS, bytesStream, readC1Workbook } from '../src/adapters/c1/read.js';

// What a hostile workbook may cost: each limit of the C1 reader refuses with
// WORKBOOK_LIMIT_EXCEEDED (or WORKBOOK_UNREADABLE), never a crash, a hang or a heap blown.

const WRITER = join(import.meta.dirname, 'fixtures', 'c1', 'write-workbook.py');
const PYTHON = '/usr/bin/python3';
const dir = mkdtempSync(join(tmpdir(), 'c1-limits-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const header: [number, number, unknown][] = [[1, 1, 'Mã trường: 01006001'], [2, 1, 'Năm học: 2024-2025'], [3, 1, 'Khối: 5'], [5, 1, 'STT'], [5, 2, 'Mã học sinh'], [5, 3, 'Họ và tên']];

function inline(name: string, cells: [number, number, unknown][]): Buffer {
  const path = join(dir, name);
  execFileSync(PYTHON, [WRITER], { input: JSON.stringify({ writer: 'inline', path, sheets: [{ name: 'Lớp 5A', cells, merges: [] }] }) });
  return readFileSync(path);
}

async function refusal(body: Buffer): Promise<BatchFormatError> {
  try {
    for await (const _ of readC1Workbook(bytesStream(body))) void _;
  } catch (e) {
    if (e instanceof BatchFormatError) return e;
    throw e;
  }
  throw new Error('the workbook was read');
}

t.test('a text longer than a cell may hold is refused at its cell', async (t) => {
  const e = await refusal(inline('long.xlsx', [...header, [6, 1, 1], [6, 2, '010060010000001'], [6, 3, 'x'.repeat(LIMITS.cellChars + 1)]]));
  t.equal(e.errors[0]!.code, 'WORKBOOK_LIMIT_EXCEEDED');
  t.match(e.errors[0]!.source, { sheet: 'Lớp 5A', row: 6, cell: 'C6' });
  t.match(e.errors[0]!.detail_vi, /ký tự/);
});

t.test('a cell beyond the last column the reader builds is refused before exceljs builds it', async (t) => {
  const e = await refusal(inline('wide.xlsx', [...header, [6, 1, 1], [6, 16384, 'x']]));
  t.equal(e.errors[0]!.code, 'WORKBOOK_LIMIT_EXCEEDED');
  t.match(e.message, /beyond column ZZ/);
});

t.test('a zip bomb is refused once it inflates past the ratio', async (t) => {
  const path = join(dir, 'bomb.xlsx');
  // 64 MB of one repeated element: about 1,000 times smaller compressed.
  execFileSync(PYTHON, ['-c', `
import zipfile
z = zipfile.ZipFile(${JSON.stringify(path)}, 'w', zipfile.ZIP_DEFLATED)
z.writestr('xl/worksheets/sheet1.xml', '<worksheet><sheetData>' + '<row/>' * (64 * 2**20 // 6) + '</sheetData></worksheet>')
z.close()`]);
  const body = readFileSync(path);
  t.ok(body.length < 1_000_000, `the bomb is ${body.length} bytes`);
  const e = await refusal(body);
  t.equal(e.errors[0]!.code, 'WORKBOOK_LIMIT_EXCEEDED');
  t.match(e.message, /zip bomb/);
});

t.test('bytes that are not a workbook are WORKBOOK_UNREADABLE', async (t) => {
  const e = await refusal(Buffer.from('PK\u0003\u0004 and then nothing of a zip'));
  t.equal(e.errors[0]!.code, 'WORKBOOK_UNREADABLE');
  const empty = await refusal(Buffer.alloc(0)).catch((x) => x);
  t.ok(empty instanceof BatchFormatError || empty instanceof Error, 'an empty body ends (read or refused), it does not hang');
});
