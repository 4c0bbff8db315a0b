import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sampleVneduBatch } from '../../src/adapters/vnedu/sample.js';
import { newestFileUnder } from '../../src/threads/start-worker.js';
import { eventually } from './gateway.js';

// The gateway and the Ministry simulator as real processes (`node dist/cli/main.js …`), for
// the tests that kill them: a crash must be a real kill -9, not a closed server in the test's
// own process. `npm test` builds dist/ first; a test run on its own builds it when stale.

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');

interface Tap {
  teardown(fn: () => unknown): void;
  comment(...args: unknown[]): void;
}

export function ensureBuilt(): void {
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= newestFileUnder(join(ROOT, 'src'))) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
}

export interface CliProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** kill -9: no shutdown hook runs, nothing is flushed or released. */
  kill9(): Promise<void>;
  /** SIGTERM, then wait for a clean exit. */
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

async function spawnCli(t: Tap, args: string[], env: Record<string, string>, ready: RegExp, name: string): Promise<CliProcess> {
  ensureBuilt();
  // A clean environment: nothing of the test runner's (DATABASE_URL, NODE_OPTIONS…) leaks in.
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
  });
  const deadline = Date.now() + 60_000;
  let url: string | undefined;
  while (!(url = ready.exec(out)?.[1])) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited before it was ready:\n${out}`);
    if (Date.now() > deadline) throw new Error(`${name} not ready after 60 s:\n${out}`);
    await sleep(50);
  }
  return {
    url,
    child,
    output: () => out,
    async kill9() {
      child.kill('SIGKILL');
      await exited(child);
    },
    async stop() {
      child.kill('SIGTERM');
      const done = exited(child);
      // An unref'd timer: it must not keep the test process alive once the child has exited.
      if ((await Promise.race([done.then(() => true), sleep(30_000, undefined, { ref: false }).then(() => false)])) === false) child.kill('SIGKILL');
      await done;
    },
  };
}

/** A data directory for one test: PKI, SQLite file, demo credentials, config. */
export function dataDir(t: Tap): string {
  const dir = mkdtempSync(join(tmpdir(), 'hocba-proc-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `hocba-gw simulator` on a free port, holding its own state; the demo PKI of `dir` is the province's. */
export function startSimulatorProcess(t: Tap, dir: string, faults?: object): Promise<CliProcess> {
  const args = ['simulator', '--port', '0', '--inspection', ...(faults ? ['--faults', JSON.stringify(faults)] : [])];
  return spawnCli(t, args, { DATA_DIR: dir }, /Ministry simulator listening on (\S+)/, 'simulator');
}

/** `hocba-gw start` on a free port with `settings` (a CONFIG_FILE) and `env` on top. */
export function startGatewayProcess(t: Tap, dir: string, settings: object, env: Record<string, string>, name = 'gateway'): Promise<CliProcess> {
  const config = join(dir, `${name}.config.json`);
  writeFileSync(config, JSON.stringify(settings));
  return spawnCli(t, ['start'], { DATA_DIR: dir, PORT: '0', CONFIG_FILE: config, SIMULATOR_INSPECTION: '1', ...env }, /hocba-gateway listening on (\S+) /, name);
}

export function credentials(dir: string): { vendors: { vnedu: string }; admin: string } {
  return JSON.parse(readFileSync(join(dir, 'demo-credentials.json'), 'utf8'));
}

/** Batch `b` of `size` valid students (of the demo primary school) whose learner IDs no other batch uses. */
export function distinctBatch(b: number, size: number) {
  const batch = sampleVneduBatch(size, b + 1, { schoolId: '01001234' });
  batch.DanhSachHocSinh.forEach((s, i) => (s.MaHocSinh = `P${String(b).padStart(3, '0')}${String(i).padStart(5, '0')}`));
  return batch;
}

export async function postBatch(url: string, key: string, batch: unknown, idempotencyKey?: string): Promise<{ submissionId: string; queued: number }> {
  const res = await fetch(url + '/v1/submissions', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    body: JSON.stringify(batch),
  });
  const body = (await res.json()) as { submissionId: string; queued: number };
  if (res.status !== 202) throw new Error(`submission answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

export async function getJson<T = any>(url: string, token?: string): Promise<T> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<T>;
}

export async function sendJson(method: string, url: string, body: unknown, token?: string): Promise<any> {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Counts by state over several submissions, summed. */
export async function countsOf(gwUrl: string, key: string, ids: string[]): Promise<Record<string, number>> {
  const total: Record<string, number> = {};
  for (const id of ids) {
    const s = await getJson<{ counts: Record<string, number> }>(`${gwUrl}/v1/submissions/${id}`, key);
    for (const [k, v] of Object.entries(s.counts)) total[k] = (total[k] ?? 0) + v;
  }
  return total;
}

/** The simulator's cheap counters: poll these, not the record lists, while a drain runs. */
export async function simUnique(simUrl: string): Promise<number> {
  return (await getJson<{ unique: number }>(simUrl + '/_sim/stats')).unique;
}

/** Waits until the Ministry holds `n` records, then until the gateway has acknowledged them all. */
export async function waitForDrain(what: string, simUrl: string, n: number, gwUrl: string, key: string, ids: string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  await eventually(`${what}: ${n} records at the Ministry`, async () => (await simUnique(simUrl)) >= n, timeoutMs, 250);
  return eventually(`${what}: ${n} records acknowledged`, async () => {
    const c = await countsOf(gwUrl, key, ids);
    return c.acknowledged === n ? c : null;
  }, Math.max(10_000, deadline - Date.now()), 500);
}

export interface SimDeliveries {
  keys: number;
  sessions: Record<string, number>;
  byKey: Record<string, { packetId: string; session: string; status: string }[]>;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const MAIN_JS = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

/**
 * `hocba-gw <args>` as an operator runs it, to its end. `nodeArgs` go before the script (a heap
 * cap makes the import run in this process rather than in a child of its own); `stdin` is sent.
 */
export function runCli(args: string[], env: Record<string, string> = {}, o: { nodeArgs?: string[]; stdin?: string; cwd?: string } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    // Without the test runner's NODE_OPTIONS: its module hooks (tap's process tracking) load with
    // every child and took most of a short command's CPU; an operator's shell has none of them.
    const { NODE_OPTIONS: _runner, ...inherited } = process.env;
    const child = spawn(process.execPath, [...(o.nodeArgs ?? []), MAIN_JS, ...args], { cwd: o.cwd, env: { ...inherited, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin!.end(o.stdin ?? '');
  });
}
