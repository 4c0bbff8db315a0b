import { join } from 'node:path';
import { CLI, peakRss } from './child-processes.js';
import { scratch } from './gateway-fixture.js';
import { makeRow, type BenchRow } from './report.js';

// (x) A C1 workbook (xlsx, a sheet per class, made by `hocba-gw sample --vendor c1`) imported
// with `hocba-gw import --vendor c1 --format xlsx` into the SQLite outbox, as an operator runs
// it: rows/s and the peak resident set of the process tree. Floor: exceljs's bare streaming
// read of the same file (every row of every sheet, nothing else), in a process of its own.
// Measured (100,000 rows, 2,685 class sheets, 76 MB; the 2-core machine at a load average of
// about 15): the import 226 rows/s, 443 s, peak 281 MB; exceljs's bare read 515 rows/s, 194 s,
// peak 206 MB. The reader is the bound: exceljs builds a Row and a Cell object per cell, and a
// secondary row has about 150 filled cells. Files written by exceljs or Excel put the workbook
// part after the sheets, so the sheets are spooled to a temporary directory first (about 1 GB of
// XML for this file, removed as each sheet is read).

const BARE_READ = `
const ExcelJS = require('exceljs');
(async () => {
  const r = new ExcelJS.stream.xlsx.WorkbookReader(require('fs').createReadStream(process.argv[1]), { sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', worksheets: 'emit' });
  let rows = 0;
  for await (const ws of r) for await (const _ of ws) rows++;
  console.log(rows);
})();`;

export async function benchImportXlsx(records: number): Promise<BenchRow[]> {
  const s = await scratch('sqlite');
  try {
    const file = join(s.dir, 'c1.xlsx');
    const made = await peakRss([CLI, 'sample', '--vendor', 'c1', '--records', String(records), '--seed', '20250531', '--out', file]);
    if (made.code !== 0) throw new Error(`sample exited ${made.code}: ${made.stderr}`);
    const imp = await peakRss([CLI, 'import', '--vendor', 'c1', '--format', 'xlsx', file], { DATA_DIR: s.dir, DATABASE_URL: join(s.dir, 'gateway.db'), LOG_LEVEL: 'warn' });
    if (imp.code !== 0) throw new Error(`import exited ${imp.code}: ${imp.stderr}`);
    const summary = JSON.parse(imp.stdout.trim().split('\n').pop()!) as { records: number; queued: number; seconds: number };
    if (summary.queued !== records) throw new Error(`import queued ${summary.queued} of ${records}: ${imp.stdout}`);
    // exceljs resolves from the gateway's own node_modules.
    const bare = await peakRss(['-e', BARE_READ, file], { NODE_PATH: join(CLI, '..', '..', '..', 'node_modules') });
    if (bare.code !== 0) throw new Error(`bare read exited ${bare.code}: ${bare.stderr}`);
    const mb = (b: number) => b / 2 ** 20;
    return [
      makeRow({
        section: 'x',
        name: `hocba-gw import of a ${records.toLocaleString('en-US')}-row C1 workbook (xlsx, a sheet per class; map + validate + store, SQLite)`,
        value: summary.records / summary.seconds,
        unit: 'rows/s',
        floor: records / bare.seconds,
        floorIs: "exceljs's bare streaming read of the same file",
        target: 5000,
        boundBy: "exceljs's streaming worksheet reader (a Row and a Cell object per cell)",
      }),
      makeRow({
        section: 'x',
        name: 'peak RSS of the same import',
        value: mb(imp.peak),
        unit: 'MB',
        floor: mb(bare.peak),
        floorIs: "exceljs's bare streaming read of the same file",
        better: 'lower',
        target: 300,
        boundBy: 'V8 heap (capped at 192 MB) and SQLite page cache',
      }),
    ];
  } finally {
    await s.drop();
  }
}
