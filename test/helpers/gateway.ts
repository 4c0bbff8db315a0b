import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { loadSettings, pkiDir, type Settings } from '../../src/config/settings.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { ensureDemoPki } from '../../src/pki/demo.js';
import { xmlsecSkip, xmlsecVerify } from './xmlsec.js';

// A real gateway for tests: real HTTP on a free port, a real SQLite file in a temp dir, the
// real simulator over a socket, fast retry settings. Every log line is kept for assertions.

export interface TestGateway extends RunningGateway {
  vendorKey: string;
  adminToken: string;
  simUrl: string;
  logs: string[];
  dir: string;
}

interface Tap {
  teardown(fn: () => unknown): void;
}

export async function startTestGateway(t: Tap, overrides: Record<string, unknown> = {}): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'hocba-gw-test-'));
  const settings = loadSettings({}, {
    host: '127.0.0.1',
    port: 0,
    dataDir: dir,
    logLevel: 'debug',
    delivery: {
      // 50 ms, not 20: an idle test gateway polled at 20 ms used 53 ms of CPU a second, at 50 ms 27.
      pollIntervalMs: 50,
      retry: { inProcessAttempts: 2, inProcessMinDelayMs: 10, inProcessMaxDelayMs: 50, maxAttempts: 4, baseDelayMs: 30, capDelayMs: 200 },
    },
    ...overrides,
    // The simulator's inspection endpoints (/_sim/records, faults) are off by default; tests read them.
    simulator: { port: 0, inspection: true, ...(overrides.simulator as object | undefined) },
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  await seedDemoPki(settings);
  const gw = await startGateway(settings, { logger });
  t.teardown(async () => {
    try {
      if (gw.simulator) await everyPacketVerifies(gw.simulator.url, join(settings.dataDir, 'pki', 'ca.pem'));
    } finally {
      await gw.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  // A second gateway on the same data (a replica) finds the credentials made by the first.
  const creds = gw.demoCredentials ?? JSON.parse(readFileSync(join(settings.dataDir, 'demo-credentials.json'), 'utf8'));
  return {
    ...gw,
    vendorKey: creds.vendors.vnedu,
    adminToken: creds.admin,
    simUrl: gw.simulator?.url ?? settings.ministry.url!,
    logs,
    dir,
  };
}

// One demo PKI per test process and province, copied into each new test gateway's data directory
// (the gateway finds it complete and keeps it): making one, three RSA-2048 keys, costs about half a
// second of CPU, and a test file may start ten gateways. Tests of the PKI itself make their own.
const demoPkis = new Map<string, Promise<string>>();
let demoPkiRoot: string | undefined;

async function seedDemoPki(settings: Settings): Promise<void> {
  const dir = pkiDir(settings);
  if (existsSync(dir)) return;
  const code = settings.provinceCode;
  if (!demoPkis.has(code)) {
    if (!demoPkiRoot) {
      const root = (demoPkiRoot = mkdtempSync(join(tmpdir(), 'hocba-test-pki-')));
      process.once('exit', () => rmSync(root, { recursive: true, force: true }));
    }
    const master = join(demoPkiRoot, code);
    demoPkis.set(code, ensureDemoPki(master, { provinceCode: code }).then(() => master));
  }
  cpSync(await demoPkis.get(code)!, dir, { recursive: true });
}

/**
 * xmlsec1 re-verifies every packet the simulator received during the test (it keeps the last 50),
 * trusting only the demo CA: the gateway's fast signer is held to an independent verifier on all
 * of its real output, not only on samples. Throws (failing the test) on the first that fails.
 */
async function everyPacketVerifies(simUrl: string, caPem: string): Promise<void> {
  if (xmlsecSkip !== false) return;
  const res = await fetch(`${simUrl}/_sim/packets`).catch(() => null);
  if (!res?.ok) return; // the test closed the gateway itself
  const { packets } = (await res.json()) as { received: number; packets: string[] };
  for (const [i, packet] of packets.entries()) {
    const { ok, output } = await xmlsecVerify(packet, caPem);
    if (!ok) throw new Error(`xmlsec1 refused packet ${i + 1} of ${packets.length} the gateway sent: ${output.slice(0, 500)}`);
  }
}

export async function api(gw: { url: string }, method: string, path: string, opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const res = await fetch(gw.url + path, { method, headers, body });
  const text = await res.text();
  let json: any = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Polls `probe` until it returns a truthy value or the deadline passes (then throws with `what`). */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(intervalMs);
  }
}

export async function simRecords(gw: TestGateway): Promise<{ unique: number; duplicates: number; records: { recordKey: string }[] }> {
  return (await fetch(gw.simUrl + '/_sim/records')).json() as never;
}

export async function setFaults(gw: TestGateway, faults: Record<string, unknown> | null): Promise<void> {
  const res = await fetch(gw.simUrl + '/_sim/faults', faults ? { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) } : { method: 'DELETE' });
  if (res.status >= 300) throw new Error(`faults: ${res.status} ${await res.text()}`);
}

export async function waitForStates(gw: TestGateway, submissionId: string, done: (counts: Record<string, number>) => boolean, timeoutMs?: number) {
  return eventually(`submission ${submissionId} to settle`, async () => {
    const r = await api(gw, 'GET', `/v1/submissions/${submissionId}`, { token: gw.vendorKey });
    return r.status === 200 && done(r.json.counts) ? r.json : null;
  }, timeoutMs);
}
