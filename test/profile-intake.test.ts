import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { hottest } from '../src/bench/profile-intake.js';

// The profile summary of docs/benchmarks.md: self time per function over every thread's
// profile, start-up (before the mark) and idle left out. A synthetic profile, no timing.

t.test('hottest: self samples after the mark, idle excluded, summed over threads', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hocba-profile-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const frame = (id: number, functionName: string, url = '') => ({ id, callFrame: { functionName, url, lineNumber: 0, columnNumber: 0 } });
  const nodes = [frame(1, '(root)'), frame(2, '(idle)'), frame(3, 'parse', 'node:internal/x'), frame(4, 'load', 'file:///x/node_modules/saxes/lib/saxes.js'), frame(5, '(garbage collector)')];
  // Main thread: starts at 1,000 µs; samples every 100 µs. The first two (load, at 1,100 and
  // 1,200) fall before the mark at 1,250 and are start-up.
  await writeFile(join(dir, 'CPU.1.cpuprofile'), JSON.stringify({ nodes, startTime: 1000, endTime: 1800, samples: [4, 4, 3, 3, 2, 2, 5, 4], timeDeltas: [100, 100, 100, 100, 100, 100, 100, 100] }));
  // A worker thread: two parse samples.
  await writeFile(join(dir, 'CPU.2.cpuprofile'), JSON.stringify({ nodes, startTime: 2000, endTime: 2200, samples: [3, 3], timeDeltas: [100, 100] }));
  const { hottest: top, busyMs } = await hottest(dir, 1250);
  // Busy after the mark: parse ×4, gc ×1, load ×1 = 6 samples of 100 µs.
  t.equal(busyMs, 1);
  t.same(top.map((h) => [h.name, h.where, h.share]), [
    ['parse', 'node:internal/x', 0.667],
    ['(garbage collector)', 'V8', 0.167],
    ['load', 'node_modules/saxes', 0.167],
  ]);
  const all = await hottest(dir, 0, 1);
  t.same(all.hottest.map((h) => h.name), ['parse'], 'without a mark, start-up counts too (load ×3 < parse ×4)');
});
