import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { makeRow, renderMarkdown, type BenchReport } from '../src/bench/report.js';

// docs/benchmarks.md is what `npm run bench -- --update-docs` rendered from docs/benchmarks.json:
// the page cannot drift from the figures the command measured. No timing is asserted here.

const docs = join(import.meta.dirname, '..', 'docs');

t.test('docs/benchmarks.md is the rendering of docs/benchmarks.json', async (t) => {
  const report = JSON.parse(readFileSync(join(docs, 'benchmarks.json'), 'utf8')) as BenchReport;
  t.equal(readFileSync(join(docs, 'benchmarks.md'), 'utf8'), renderMarkdown(report));
  for (const section of ['a', 'a-pg', 'b', 'c', 'c-pg', 'c-gw', 'd', 'd-gw', 'e', 'o', 'o-pg', 'q', 'q-pg', 'year']) t.ok(report.rows.some((r) => r.section === section), `the run has section ${section}`);
  for (const r of report.rows) {
    t.ok(Number.isFinite(r.value) && Number.isFinite(r.floor) && r.floor > 0, `${r.name}: a value and a measured floor`);
    if (r.met === false) t.match(r.note, /missed: .* the target; bound by /, `${r.name}: a miss says by how much and what bounds it`);
  }
});

t.test('rows: the ratio is the share of the floor reached, whichever way is better', async (t) => {
  const rate = makeRow({ section: 'x', name: 'r', value: 500, unit: 'records/s', floor: 2000, floorIs: 'raw', target: 1000, boundBy: 'the disk' });
  t.match(rate, { ratio: 0.25, met: false, note: 'missed: 50% under the target; bound by the disk' });
  const latency = makeRow({ section: 'x', name: 'l', value: 20, unit: 'ms', floor: 5, floorIs: 'idle route', better: 'lower', target: 25 });
  t.match(latency, { ratio: 0.25, met: true });
  t.notOk(latency.note);
  t.match(makeRow({ section: 'x', name: 'l', value: 30, unit: 'ms', floor: 5, floorIs: 'idle', better: 'lower', target: 25 }).note, /20% over the target/);
});
