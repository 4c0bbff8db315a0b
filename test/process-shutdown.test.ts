import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';

// `hocba-gw start` as a real process: it prints where it listens and the demo keys once, and
// Ctrl-C (SIGINT) stops it cleanly with nothing left half-sent.

const root = join(import.meta.dirname, '..');

function startProcess(dataDir: string) {
  const child = spawn(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'start'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', SIMULATOR_PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += String(d);
      const m = /listening on (http:\/\/\S+) /.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, ready, exited, output: () => out };
}

t.test('the gateway process starts, takes a batch and stops cleanly on SIGINT', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hocba-proc-'));
  const p = startProcess(dataDir);
  t.teardown(() => p.child.kill('SIGKILL'));
  const url = await p.ready;
  const creds = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8'));
  t.match(p.output(), creds.vendors.vnedu, 'the demo vendor key is printed on first start');

  const batch = readFileSync(join(root, 'examples', 'vnedu', 'batch-grades-1-5.json'), 'utf8');
  const res = await fetch(`${url}/v1/submissions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${creds.vendors.vnedu}`, 'content-type': 'application/json' },
    body: batch,
  });
  t.equal(res.status, 202);
  p.child.kill('SIGINT');
  t.equal(await p.exited, 0, 'exit code 0 after SIGINT');

  const db = new Database(join(dataDir, 'gateway.db'), { readonly: true });
  const states = db.prepare('SELECT state, count(*) AS n FROM records GROUP BY state').all() as { state: string; n: number }[];
  db.close();
  const total = states.reduce((a, s) => a + s.n, 0);
  t.equal(total, JSON.parse(batch).DanhSachHocSinh.length, 'every accepted record is still there');
  t.notOk(states.some((s) => s.state === 'sending'), 'nothing is left in flight');

  // A second start reuses the keys and prints none.
  const again = startProcess(dataDir);
  t.teardown(() => again.child.kill('SIGKILL'));
  await again.ready;
  t.notMatch(again.output(), creds.vendors.vnedu, 'keys are printed only once');
  again.child.kill('SIGTERM');
  t.equal(await again.exited, 0);
});
