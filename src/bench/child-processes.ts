import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The Ministry simulator (and, for the latency section, the gateway) run as processes of their
// own: the Ministry's CPU is not the gateway's, and a load generator must not share the event
// loop it measures. The simulator also runs at the lowest priority (SCHED_IDLE through chrt(1),
// and nice 19 where chrt is missing): it stands in for the Ministry's servers, so it gets the CPU
// the gateway leaves rather than an equal share of the gateway's two cores.

let chrt: boolean | undefined;
function hasChrt(): boolean {
  return (chrt ??= process.platform === 'linux' && spawnSync('chrt', ['--idle', '0', 'true']).status === 0);
}

export const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

export interface Child {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Spawns `hocba-gw <args>` and resolves once it prints a URL after `listening on`. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000, lowestPriority = false): Promise<Child> {
  // Through chrt(1) and nice(1), so that every thread the process starts inherits the priority
  // from exec on.
  const node = [process.execPath, CLI, ...args];
  const niced = ['nice', '-n', '19', ...node];
  const [command, ...argv] = !lowestPriority ? node : hasChrt() ? ['chrt', '--idle', '0', ...niced] : niced;
  const child = spawn(command, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`hocba-gw ${args[0]} did not start in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    child.once('exit', (code) => fail(new Error(`hocba-gw ${args[0]} exited (${code}): ${stderr}`)));
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+?)(?:[\s,]|$)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      resolve({
        url: m[1]!,
        process: child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
          }),
      });
    });
  });
}

export function startSimulatorProcess(dataDir: string, latencyMs: number, extraArgs: string[] = []): Promise<Child> {
  return spawnCli(['simulator', '--port', '0', '--faults', JSON.stringify({ latencyMs }), ...extraArgs], { DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, 60_000, true);
}

/** Resident set (bytes) of `pid` and all its descendants, from /proc. */
function treeRss(pid: number): number {
  let total = 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    total += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of children ? children.split(' ') : []) total += treeRss(Number(child));
    }
  } catch {
    // The process ended between two reads.
  }
  return total;
}

/** Runs `node <args>` to its end, sampling the resident set of its process tree every 100 ms. */
export async function peakRss(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ peak: number; seconds: number; stdout: string; stderr: string; code: number | null }> {
  const start = performance.now();
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, treeRss(child.pid!))), 100);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearInterval(timer);
  return { peak, seconds: (performance.now() - start) / 1000, stdout, stderr, code };
}
