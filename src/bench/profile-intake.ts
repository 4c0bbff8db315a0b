import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { SourceMap } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CLI } from './child-processes.js';
import { distinctBatch } from './data.js';
import { EMIS, SMAS, type Kind } from './intake-formats.js';
import { postAll } from './intake.js';
import type { FormatProfile, HotFunction } from './report.js';

// Where intake time goes (issue 16, item 4): each format's intake path run under V8's sampling
// profiler (`--cpu-prof`, every thread of the process, intake worker threads included), and the
// functions with the most self time named. vnEdu, EMIS and SMAS are posted over HTTP to a gateway
// with delivery off (the bench client runs in another process, so its time is not counted); C1 is
// a workbook through `hocba-gw import`. Shares are of the busy samples (idle excluded) of all
// threads together.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TARGET = fileURLToPath(new URL('./profile-target.js', import.meta.url));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const maps = new Map<string, SourceMap | null>();
/** The compiled file's source map (tsc writes one beside each file), or null. */
async function mapOf(path: string): Promise<SourceMap | null> {
  if (!maps.has(path)) maps.set(path, await readFile(path + '.map', 'utf8').then((t) => new SourceMap(JSON.parse(t)), () => null));
  return maps.get(path)!;
}

/** `dist/x/y.js` at a line → `src/x/y.ts:<line>`; a dependency → `node_modules/<package>`; Node's own → `node:…`. */
async function whereOf(frame: ProfileNode['callFrame']): Promise<string> {
  const { url } = frame;
  if (!url) return 'V8';
  if (url.startsWith('node:')) return url;
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const rel = relative(ROOT, path);
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(rel);
  if (dep) return `node_modules/${dep[1]}`;
  if (!rel.startsWith('dist/')) return rel;
  const entry = (await mapOf(path))?.findEntry(frame.lineNumber, frame.columnNumber);
  const line = entry && 'originalLine' in entry ? entry.originalLine + 1 : undefined;
  return 'src/' + rel.slice(5).replace(/\.js$/, '.ts') + (line ? `:${line}` : '');
}

/**
 * Self time per function over every profile in `dir` from `sinceUs` on (CLOCK_MONOTONIC, in µs:
 * V8 stamps profiles with the same clock as process.hrtime in any process, so the bench marks the
 * end of its warm-up and start-up is left out), the top `n` by share of busy samples.
 */
export async function hottest(dir: string, sinceUs = 0, n = 3): Promise<{ busyMs: number; hottest: HotFunction[] }> {
  const self = new Map<string, { name: string; where: string; samples: number }>();
  let busy = 0;
  let busyMs = 0;
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    let t = profile.startTime;
    for (let i = 0; i < profile.samples.length; i++) {
      const delta = profile.timeDeltas[i]!;
      t += delta;
      if (t < sinceUs) continue;
      const frame = byId.get(profile.samples[i]!)!.callFrame;
      if (frame.functionName === '(idle)') continue;
      busy++;
      busyMs += delta / 1000;
      const name = frame.functionName || '(anonymous)';
      const where = await whereOf(frame);
      const key = `${name}\u0000${where}\u0000${frame.lineNumber}`;
      const entry = self.get(key) ?? { name, where, samples: 0 };
      entry.samples++;
      self.set(key, entry);
    }
  }
  const top = [...self.values()].sort((a, b) => b.samples - a.samples).slice(0, n);
  return { busyMs: Math.round(busyMs), hottest: top.map((e) => ({ name: e.name, where: e.where, share: Math.round((e.samples / busy) * 1000) / 1000 })) };
}

async function profileHttp(format: string, bodies: string[], records: number, post: (url: string, keys: Record<string, string>, bodies: string[]) => Promise<unknown>): Promise<FormatProfile> {
  const dir = await mkdtemp(join(tmpdir(), 'hocba-profile-'));
  const profiles = join(dir, 'profiles');
  try {
    const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profiles, TARGET, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const { url, keys } = JSON.parse(line) as { url: string; keys: Record<string, string> };
    await post(url, keys, bodies.slice(0, 2)); // warm-up: JIT, worker threads, caches; not counted
    const since = Number(process.hrtime.bigint() / 1000n);
    await post(url, keys, bodies.slice(2));
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
    return { format, records, ...(await hottest(profiles, since)) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function profileKind(kind: Kind, batches: number): Promise<FormatProfile> {
  const { bodies } = kind.bodies(batches + 2);
  return profileHttp(kind.vendor === 'emis' ? 'EMIS JSON' : 'SMAS SOAP', bodies, batches * 500, (url, keys, b) => postAll(url, keys[kind.vendor]!, b, kind.target));
}

async function profileC1(records: number): Promise<FormatProfile> {
  const dir = await mkdtemp(join(tmpdir(), 'hocba-profile-'));
  const profiles = join(dir, 'profiles');
  try {
    const file = join(dir, 'c1.xlsx');
    const run = async (args: string[], env: NodeJS.ProcessEnv, node: string[] = []) => {
      const child = spawn(process.execPath, [...node, CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
      const [code] = (await once(child, 'exit')) as [number];
      if (code !== 0) throw new Error(`hocba-gw ${args[0]} exited ${code}`);
    };
    await run(['sample', '--vendor', 'c1', '--records', String(records), '--seed', '20250531', '--out', file], {});
    // The import re-executes itself with a bounded heap, passing its own node options on: the
    // child that does the work is profiled too.
    await run(['import', '--vendor', 'c1', '--format', 'xlsx', file], { DATA_DIR: dir, DATABASE_URL: join(dir, 'gateway.db'), LOG_LEVEL: 'warn' }, ['--cpu-prof', '--cpu-prof-dir', profiles]);
    return { format: 'C1 xlsx (import)', records, ...(await hottest(profiles)) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The hottest functions of each intake format; `batches` of 500 records over HTTP, `xlsxRecords` rows of C1. */
export async function profileIntake(batches: number, xlsxRecords: number): Promise<FormatProfile[]> {
  const out: FormatProfile[] = [];
  process.stderr.write(`profile: vnEdu JSON, ${batches} batches of 500 …\n`);
  const vnedu = Array.from({ length: batches + 2 }, (_, b) => JSON.stringify(distinctBatch(b, 500)));
  out.push(await profileHttp('vnEdu JSON', vnedu, batches * 500, (url, keys, b) => postAll(url, keys.vnedu!, b)));
  for (const kind of [EMIS, SMAS]) {
    process.stderr.write(`profile: ${kind.vendor}, ${batches} batches of 500 …\n`);
    out.push(await profileKind(kind, batches));
  }
  process.stderr.write(`profile: C1 xlsx import, ${xlsxRecords} rows …\n`);
  out.push(await profileC1(xlsxRecords));
  return out;
}
