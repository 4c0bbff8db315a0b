import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { CLI, peakRss } from './child-processes.js';
import { scratch } from './gateway-fixture.js';
import { makeRow, type BenchRow } from './report.js';

// (e) Peak memory of `hocba-gw import` streaming a year-end file of 1,000,000 students into the
// SQLite outbox, as an operator runs it (the command and the heap-capped process it starts):
// the resident set of the whole process tree, sampled every 100 ms. Floor: the peak of a bare
// Node process reading the same file and discarding it. The import's own rate is a second row,
// beside the rate at which that bare process reads the file.

export async function benchImportMemory(records: number): Promise<BenchRow[]> {
  const s = await scratch('sqlite');
  try {
    const file = join(s.dir, 'year-end.json');
    const sample = spawn(process.execPath, [CLI, 'sample', '--vendor', 'vnedu', '--records', String(records), '--seed', '20250531'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const out = createWriteStream(file);
    sample.stdout.pipe(out);
    const [sampleCode] = (await once(sample, 'exit')) as [number | null];
    if (!out.writableFinished) await once(out, 'finish');
    if (sampleCode !== 0) throw new Error(`sample exited ${sampleCode}`);

    const run = await peakRss([CLI, 'import', '--vendor', 'vnedu', file], { DATA_DIR: s.dir, DATABASE_URL: join(s.dir, 'gateway.db'), LOG_LEVEL: 'warn' });
    if (run.code !== 0) throw new Error(`import exited ${run.code}: ${run.stderr}`);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!) as { records: number; queued: number; seconds: number };
    if (summary.queued !== records) throw new Error(`import queued ${summary.queued} of ${records}: ${run.stdout}`);

    const floor = await peakRss(['-e', `require('fs').createReadStream(${JSON.stringify(file)}, { highWaterMark: 1 << 20 }).on('data', () => {})`], {});
    const mb = (b: number) => b / 2 ** 20;
    return [
      makeRow({
        section: 'e',
        name: `peak RSS streaming a ${records.toLocaleString('en-US')}-record vnEdu file through hocba-gw import (SQLite)`,
        value: mb(run.peak),
        unit: 'MB',
        floor: mb(floor.peak),
        floorIs: 'a bare Node process reading the same file',
        better: 'lower',
        target: 300,
        boundBy: 'V8 heap (capped at 192 MB) and SQLite page cache',
      }),
      makeRow({
        section: 'e',
        name: 'import rate of the same run (map + validate + store, one thread)',
        value: summary.records / summary.seconds,
        unit: 'records/s',
        floor: records / floor.seconds,
        floorIs: 'reading the same file (a bare Node process)',
      }),
    ];
  } finally {
    await s.drop();
  }
}
