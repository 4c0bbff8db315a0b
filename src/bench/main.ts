import { benchOutboxSize } from './outbox-size.js';
import { benchTwoMillion } from './two-million.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { PG_URL } from './gateway-fixture.js';
import { benchDelivery } from './delivery.js';
import { benchDeliveryGatewaySide } from './delivery-gateway-side.js';
import { benchImportMemory } from './import-memory.js';
import { benchImportXlsx } from './import-xlsx.js';
import { benchIntake } from './intake.js';
import { benchIntakeFormats } from './intake-formats.js';
import { benchLatencyMedian } from './latency.js';
import { profileIntake } from './profile-intake.js';
import { machine, makeRow, renderMarkdown, renderProfiles, renderTable, type BenchReport, type BenchRow, type FormatProfile } from './report.js';
import { benchSigning } from './signing.js';

// `npm run bench`: every figure of the speed issue in one run, each beside its floor, written to
// data/bench/latest.json and printed as a table; `--update-docs` also rewrites
// docs/benchmarks.json and docs/benchmarks.md from it. Tests never time anything; this does.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const YEAR_END_RECORDS = 2_000_000;

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    'update-docs': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    'import-records': { type: 'string' },
    'xlsx-records': { type: 'string' },
    'delivery-records': { type: 'string' },
    'latency-seconds': { type: 'string' },
    'queries-records': { type: 'string' },
    'outbox-records': { type: 'string' },
  },
});
// Sizes. The full run keeps the 2,000,000 records for the queries and stays under 10
// minutes on 2 cores (issue 16 item 5): measured section by section on this machine, a, b, c, d
// took 123, 26, 55 and 105 s, the queries 370 s with their two fills one after the other, and a
// 1,000,000-record import alone 600 s. So the two fills run at once (and build the records'
// indexes after the rows instead of row by row: 171 s for both before that), the intake
// sections post fewer batches (a took 83-109 s with 40), and the import streams
// 50,000 records (its peak RSS is flat in the file's size: 243 MB at 1,000,000 in an earlier
// run, 254 MB at 100,000) and the workbook 10,000 rows;
// `--import-records 1000000` repeats the million. --quick is a tenth of the queries' scale and
// less of the rest; an option given on the command line wins either way.
const SIZES = {
  'import-records': [50_000, 20_000],
  'xlsx-records': [10_000, 5_000],
  'delivery-records': [5_000, 5_000],
  'latency-seconds': [10, 5],
  'queries-records': [2_000_000, 200_000],
  // Not less: a table's and its indexes' first pages are a fixed cost that 10,000 records spread
  // too thinly (PostgreSQL: 3,108 bytes/record at 10,000, 2,794 at 20,000).
  'outbox-records': [20_000, 20_000],
} as const;
const size = (name: keyof typeof SIZES): number => Number(values[name] ?? SIZES[name][values.quick ? 1 : 0]);
const only = values.only ? new Set(values.only.split(',').map((s) => s.trim())) : null;
const want = (section: string) => !only || only.has(section);

// PostgreSQL may not run where the bench does: its rows then say so, and the rest still run.
const pgDown = await postgresUnreachable();
if (pgDown) process.stderr.write(`bench: PostgreSQL unreachable (${pgDown}): its rows are left out\n`);
const withPg = <T>(run: () => Promise<T[]>): Promise<T[]> => (pgDown ? Promise.resolve([]) : run());
const backends = pgDown ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const);

const sections: [string, string, () => Promise<BenchRow[]>][] = [
  ['a', 'intake over HTTP (SQLite, PostgreSQL; then EMIS and SMAS SOAP)', async () => [...(await benchIntake('sqlite', 30)), ...(await withPg(() => benchIntake('postgres', 16))), ...(await benchIntakeFormats(8))]],
  ['b', 'signatures', () => benchSigning()],
  ['c', 'delivery to the simulator (SQLite, PostgreSQL)', async () => {
    const n = size('delivery-records');
    // The simulator checks packets on two threads, as a Ministry spreads them over its cores.
    const sim = ['--workers', '2'];
    return [...(await benchDelivery('sqlite', n, sim)), ...(await withPg(() => benchDelivery('postgres', n, sim))), ...(await benchDeliveryGatewaySide(n))];
  }],
  ['d', 'latency at 500 requests/s (delivering, three times; then with the Ministry unreachable)', async () => {
    const seconds = size('latency-seconds');
    return benchLatencyMedian(seconds, 3);
  }],
  ['e', 'memory of a streaming import', () => benchImportMemory(size('import-records'))],
  ['x', 'a C1 workbook (xlsx) through hocba-gw import', () => benchImportXlsx(size('xlsx-records'))],
  ['o', 'outbox bytes on disk per record (SQLite, PostgreSQL)', () => benchOutboxSize(size('outbox-records'), backends)],
  ['q', 'queries and purge at 2,000,000 records (SQLite, PostgreSQL)', () => benchTwoMillion(size('queries-records'), backends)],
];

const started = performance.now();
const rows: BenchRow[] = [];
for (const [id, title, run] of sections) {
  if (!want(id)) continue;
  process.stderr.write(`bench ${id}: ${title} …\n`);
  const t0 = performance.now();
  // A line every 20 s, so that a long section shows it is alive (sections print their own steps too).
  const ticker = setInterval(() => process.stderr.write(`bench ${id}: ${Math.round((performance.now() - t0) / 1000)} s …\n`), 20_000);
  try {
    rows.push(...(await run()));
  } catch (e) {
    // One section failing (PostgreSQL down, say) is reported, and the others still run.
    process.stderr.write(`bench ${id} failed: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  } finally {
    clearInterval(ticker);
  }
  process.stderr.write(`bench ${id}: ${Math.round((performance.now() - t0) / 1000)} s\n`);
}

// What the year end takes: 2,000,000 records through the slower of intake and delivery.
const intakeRow = rows.find((r) => r.section === 'a');
const deliveryRow = rows.find((r) => r.section === 'c');
if (intakeRow && deliveryRow) {
  const slower = Math.min(intakeRow.value, deliveryRow.value);
  const floorRate = Math.min(intakeRow.floor, deliveryRow.floor);
  rows.push(
    makeRow({
      section: 'year',
      name: `Hà Nội year end: ${YEAR_END_RECORDS.toLocaleString('en-US')} records through the slower of (a) and (c)`,
      value: YEAR_END_RECORDS / slower / 60,
      unit: 'minutes',
      floor: YEAR_END_RECORDS / floorRate / 60,
      floorIs: 'the same at the floors of (a) and (c)',
      better: 'lower',
      target: 15,
      boundBy: slower === deliveryRow.value ? 'delivery (c)' : 'intake (a)',
    }),
  );
}

// (p) Where intake time goes: only when asked for (`--only p`), since profiling slows what it
// samples; the docs keep the last profiles measured.
let profiles: FormatProfile[] | undefined;
if (only?.has('p')) {
  const t0 = performance.now();
  try {
    profiles = await profileIntake(20, 10_000);
    process.stdout.write('\n' + renderProfiles(profiles));
  } catch (e) {
    process.stderr.write(`bench p failed: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  }
  process.stderr.write(`bench p: ${Math.round((performance.now() - t0) / 1000)} s\n`);
}

const report: BenchReport = { machine: machine(), seconds: (performance.now() - started) / 1000, rows, profiles, ...(pgDown ? { postgres: `unreachable (${pgDown}): no PostgreSQL rows` } : {}) };
const latest = join(ROOT, 'data', 'bench', 'latest.json');
mkdirSync(dirname(latest), { recursive: true });
writeFileSync(latest, JSON.stringify(pgDown ? { postgres: report.postgres, rows } : rows, null, 2) + '\n');
process.stdout.write('\n' + renderTable(rows));
if (pgDown) process.stdout.write(`\nPostgreSQL unreachable (${pgDown}): rows a-pg, c-pg, o-pg and q-pg were not measured.\n`);
process.stdout.write(`\n${report.machine.cpu}, ${report.machine.cores} cores, Node ${report.machine.node}; ${Math.round(report.seconds)} s; written to ${latest}\n`);

if (values['update-docs']) {
  if (only) {
    // The docs show a whole run; a partial one replaces only its own sections.
    const previous = JSON.parse(readFileSync(join(ROOT, 'docs', 'benchmarks.json'), 'utf8')) as BenchReport;
    const sectionsRun = new Set(rows.map((r) => r.section.split('-')[0]));
    const order = ['a', 'b', 'c', 'd', 'e', 'x', 'o', 'q', 'year'];
    const rank = (r: BenchRow) => order.indexOf(r.section.split('-')[0]!);
    // Stable: rows keep their order within a section, sections the order of a whole run.
    report.rows = [...previous.rows.filter((r) => !sectionsRun.has(r.section.split('-')[0]!)), ...rows].sort((x, y) => rank(x) - rank(y));
    report.seconds = previous.seconds;
    // The header still names the whole run's machine; the sections run again say where they ran.
    const again = [...sectionsRun];
    // A run of the profiles alone (--only p) measures no rows: it names no section.
    report.remeasured = [
      ...(previous.remeasured ?? []).map((r) => ({ ...r, sections: r.sections.filter((x) => !sectionsRun.has(x)) })).filter((r) => r.sections.length > 0),
      ...(again.length > 0 ? [{ sections: again, machine: report.machine }] : []),
    ];
    report.machine = previous.machine;
  }
  report.profiles ??= (JSON.parse(readFileSync(join(ROOT, 'docs', 'benchmarks.json'), 'utf8')) as BenchReport).profiles;
  writeFileSync(join(ROOT, 'docs', 'benchmarks.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(ROOT, 'docs', 'benchmarks.md'), renderMarkdown(report));
  process.stdout.write('docs/benchmarks.json and docs/benchmarks.md updated\n');
}

/** Why PostgreSQL cannot be used for the bench, or null when it answers (3 s at most). */
async function postgresUnreachable(): Promise<string | null> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return null;
  } catch (e) {
    return (e as { code?: string }).code ?? (e as Error).message;
  } finally {
    await c.end().catch(() => undefined);
  }
}
