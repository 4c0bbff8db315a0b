import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { dataDir, ensureBuilt } from './helpers/processes.js';

// `hocba-gw import` re-runs itself in a child with a capped heap. When the parent was killed the
// child went on storing into the outbox, unseen: it now ends with its parent.

const MAIN = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');
/** Running, not a zombie waiting for a parent to reap it (the sandbox's init may not). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
/** The processes under `pid` (any depth) whose command line holds `text`. */
const descendants = (pid: number, text: string): number[] => {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' }).split('\n').map((l) => l.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/)).filter((m) => m !== null);
  const under = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const m of rows) if (under.has(Number(m[2])) && !under.has(Number(m[1]))) (under.add(Number(m[1])), (grew = true));
  }
  return rows.filter((m) => Number(m[1]) !== pid && under.has(Number(m[1])) && m[3].includes(text)).map((m) => Number(m[1]));
};

t.test('the import child ends when its parent is killed', async (t) => {
  ensureBuilt();
  const dir = dataDir(t);
  // Standard input stays open and empty: the child waits on it for ever unless it watches its parent.
  // (A shell pipe, as an operator's `cat … |` gives; the parent is the node that `exec` leaves.)
  const parent = spawn('sh', ['-c', `sleep 20 | exec "${process.execPath}" "${MAIN}" import --vendor vnedu -`], { env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dir, DATABASE_URL: join(dir, 'gateway.db') }, stdio: ['ignore', 'ignore', 'ignore'] });
  let kids: number[] = [];
  let importer: number[] = [];
  t.teardown(() => {
    // The pipeline's `sleep 20` too, and its shell: the test's process waited 20 s for them.
    const rest = descendants(parent.pid!, 'sleep 20');
    for (const pid of [...importer, ...kids, ...rest]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    parent.kill('SIGKILL');
  });
  for (let i = 0; i < 200 && kids.length === 0; i++) {
    await sleep(50);
    kids = descendants(parent.pid!, '--max-old-space-size=192');
  }
  importer = descendants(parent.pid!, 'main.js import').filter((p) => !kids.includes(p));
  t.equal(kids.length, 1, 'the import runs in a child');
  t.equal(importer.length, 1, 'under the import its operator started');
  await sleep(300);
  process.kill(importer[0]!, 'SIGKILL');
  let gone = false;
  for (let i = 0; i < 100 && !gone; i++) {
    await sleep(50);
    gone = !alive(kids[0]!);
  }
  t.ok(gone, 'the child ended with its parent');
});
