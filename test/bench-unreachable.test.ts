import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';

// `npm run bench` on a machine without PostgreSQL (issue 16 item 5): the PostgreSQL rows say so,
// the rest still run and are written to data/bench/latest.json, and the command exits 0. The
// shortest section with PostgreSQL rows (o, outbox size) is run, on 2,000 records; nothing is timed here.

const root = join(import.meta.dirname, '..');

t.test('PostgreSQL unreachable: its rows are left out and say why, the others run, exit 0', async (t) => {
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [join(root, 'dist', 'bench', 'main.js'), '--only', 'o', '--outbox-records', '2000'], {
      cwd: root,
      env: { ...process.env, TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' },
      timeout: 200_000,
    }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
  t.equal(code, 0, 'exit 0');
  t.match(stderr, /PostgreSQL unreachable \(ECONNREFUSED\)/, 'says so at the start');
  t.match(stderr, /bench o: /, 'prints progress');
  t.match(stdout, /outbox size per delivered record, payload kept \(SQLite/, 'the SQLite row is measured');
  t.notMatch(stdout, /PostgreSQL; /, 'no PostgreSQL row');
  t.match(stdout, /PostgreSQL unreachable \(ECONNREFUSED\): rows a-pg, c-pg, o-pg and q-pg were not measured/);
  const latest = JSON.parse(readFileSync(join(root, 'data', 'bench', 'latest.json'), 'utf8'));
  t.match(latest.postgres, /unreachable \(ECONNREFUSED\)/, 'latest.json says it too');
  t.ok(latest.rows.some((r: { section: string }) => r.section === 'o'), 'and holds the rows that ran');
});
