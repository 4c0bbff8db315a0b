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

t.test('SIGTERM with a packet hung at the Ministry: the process ends after delivery.shutdownGraceMs, and the packet is "outcome unknown", re-sent later', async (t) => {
  const { ensureDemoPki } = await import('../src/pki/demo.js');
  const { startSimulator } = await import('../src/simulator/server.js');
  const { loadSettings } = await import('../src/config/settings.js');
  const { writeFileSync } = await import('node:fs');
  const dataDir = mkdtempSync(join(tmpdir(), 'hocba-proc-hung-'));
  const pki = await ensureDemoPki(join(dataDir, 'pki'), { provinceCode: '01' });
  const defaults = loadSettings({});
  // A Ministry that takes every packet call and never answers it.
  const sim = await startSimulator({
    host: '127.0.0.1', port: 0, provinceCertPem: readFileSync(pki.provinceCert, 'utf8'), faults: { hangRate: 1 },
    clients: [{ clientId: defaults.ministry.clientId, clientSecret: defaults.ministry.clientSecret }],
  });
  t.teardown(() => sim.close());
  // Without the grace, SIGTERM would wait for the call's own timeout: ten minutes here.
  const config = join(dataDir, 'config.json');
  writeFileSync(config, JSON.stringify({ ministry: { timeoutMs: 600_000 }, delivery: { shutdownGraceMs: 500, retry: { inProcessAttempts: 1 } } }));
  const child = spawn(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'start'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', MINISTRY_URL: sim.url, CONFIG_FILE: config, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /listening on (http:\/\/\S+) /.exec(out);
      if (m) (clearInterval(timer), resolve(m[1]!));
    }, 50);
    child.on('exit', (code) => (clearInterval(timer), reject(new Error(`exited early with ${code}: ${out}`))));
  });
  const creds = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8'));
  const batch = readFileSync(join(root, 'examples', 'vnedu', 'batch-grades-1-5.json'), 'utf8');
  const res = await fetch(`${url}/v1/submissions`, { method: 'POST', headers: { authorization: `Bearer ${creds.vendors.vnedu}`, 'content-type': 'application/json' }, body: batch });
  t.equal(res.status, 202);
  // Wait until a packet is out and hanging: its records are in 'sending'.
  const db = new Database(join(dataDir, 'gateway.db'), { readonly: true });
  const sending = () => (db.prepare("SELECT count(*) AS n FROM records WHERE state = 'sending'").get() as { n: number }).n;
  while (sending() === 0) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300)); // the call is past its connection and waiting
  child.kill('SIGTERM');
  // The timer does not hold the test's process open once the child has exited (it did, for 50 s).
  const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running after 60 s'), 60_000).unref())]);
  t.equal(code, 0, 'the process ends (exit 0) without waiting for the hung call');
  const rows = db.prepare('SELECT state, last_code, attempts FROM records').all() as { state: string; last_code: string | null; attempts: number }[];
  db.close();
  t.notOk(rows.some((r) => r.state === 'sending'), 'nothing is left in flight');
  const unknown = rows.filter((r) => r.last_code === 'OUTCOME_UNKNOWN');
  t.ok(unknown.length > 0, `the packet's records are marked OUTCOME_UNKNOWN (${unknown.length})`);
  t.ok(unknown.every((r) => r.state === 'retry' && r.attempts === 1), 'due again, the attempt counted: the re-send is a duplicate to the Ministry');
  t.match(out, /outcome unknown/, 'the log says the outcome is unknown');
  t.notMatch(out, /returned to the queue unsent/, 'and does not claim it was unsent');
});
