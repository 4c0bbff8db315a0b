import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { sampleVneduBatch } from '../src/adapters/vnedu/sample.js';
import { loadSettings } from '../src/config/settings.js';
import { eventually } from './helpers/gateway.js';
import { credentials, dataDir, startGatewayProcess } from './helpers/processes.js';

// Vendors' requests first (issue 16, item 2): the delivery thread runs at delivery.threadNice,
// the event loop and every other thread of the process at the niceness the process started with.
// Read from the kernel (/proc/<pid>/task/<tid>/stat), not from what the gateway says of itself.

/** The niceness (field 19) or the scheduling policy (field 41: 0 normal, 5 SCHED_IDLE) of each thread of `pid`, by thread id. */
function niceness(pid: number, field = 19): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces) start at field 3.
      out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[field - 3]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

t.test('the delivery thread alone runs at delivery.threadNice', { skip: process.platform !== 'linux' && 'thread priorities are read from Linux /proc' }, async (t) => {
  const dir = dataDir(t);
  const gw = await startGatewayProcess(t, dir, { delivery: { threadNice: 7 } }, {});
  const pid = gw.child.pid!;
  const nices = await eventually('a thread at niceness 7', async () => {
    const n = niceness(pid);
    return [...n.values()].includes(7) && n;
  });
  t.equal(nices.get(pid), 0, 'the event loop (main thread) keeps niceness 0');
  t.equal([...nices.values()].filter((n) => n === 7).length, 1, 'one thread lowered: the delivery thread');
  t.ok([...nices.values()].filter((n) => n === 0).length >= 4, 'the other threads (intake, libuv pool, V8) keep niceness 0');
  // delivery.threadIdle (on by default): that same thread, and it alone, under SCHED_IDLE.
  const delivery = [...nices].find(([, n]) => n === 7)![0];
  const policies = await eventually('the delivery thread under SCHED_IDLE', async () => {
    const p = niceness(pid, 41);
    return p.get(delivery) === SCHED_IDLE && p;
  });
  t.equal([...policies.values()].filter((p) => p === SCHED_IDLE).length, 1, 'one thread under SCHED_IDLE');
  t.equal(policies.get(pid), 0, 'the event loop keeps the normal policy');
  await gw.stop();
});

const SCHED_IDLE = 5;

t.test('delivery.threadIdle false: every thread keeps the normal policy', { skip: process.platform !== 'linux' && 'thread policies are read from Linux /proc' }, async (t) => {
  const dir = dataDir(t);
  const gw = await startGatewayProcess(t, dir, { delivery: { threadNice: 7, threadIdle: false } }, {});
  const pid = gw.child.pid!;
  // Once the thread has lowered its niceness it has passed the point where it would ask for SCHED_IDLE.
  await eventually('a thread at niceness 7', async () => [...niceness(pid).values()].includes(7));
  await new Promise((r) => setTimeout(r, 300));
  t.same([...new Set(niceness(pid, 41).values())], [0], 'no thread under SCHED_IDLE');
  await gw.stop();
});

t.test('delivery.threadNice 0 with threadIdle false leaves every thread as it was', { skip: process.platform !== 'linux' && 'thread priorities are read from Linux /proc' }, async (t) => {
  const dir = dataDir(t);
  const gw = await startGatewayProcess(t, dir, { delivery: { threadNice: 0, threadIdle: false } }, {});
  // The delivery thread has started once the gateway listens; give it its first claims.
  await new Promise((r) => setTimeout(r, 500));
  t.same([...new Set(niceness(gw.child.pid!).values())], [0]);
  await gw.stop();
});

t.test('delivery.threadIdle is on by default and refuses anything but true or false at load', async (t) => {
  t.equal(loadSettings({}).delivery.threadIdle, true, 'the default');
  t.equal(loadSettings({}, { delivery: { threadIdle: false } }).delivery.threadIdle, false, 'false is kept');
  t.throws(() => loadSettings({}, { delivery: { threadIdle: 'yes' } }), /delivery\.threadIdle must be true or false, not "yes"/);
});

t.test('the spare-time intake thread runs at niceness 10, the intake thread at the process\'s', { skip: process.platform !== 'linux' && 'thread priorities are read from Linux /proc' }, async (t) => {
  const dir = dataDir(t);
  // The delivery thread at niceness 0 and the normal policy, so that a thread at niceness 10 can
  // only be the spare one; intake threads start with the first large batch.
  const gw = await startGatewayProcess(t, dir, { intakeWorkers: 1, intakeSpareWorkers: 1, delivery: { threadNice: 0, threadIdle: false } }, {});
  const pid = gw.child.pid!;
  const before = new Set(readdirSync(`/proc/${pid}/task`).map(Number));
  t.notOk([...niceness(pid).values()].includes(10), 'no thread at niceness 10 before a large batch');
  const key = credentials(dir).vendors.vnedu;
  const res = await fetch(`${gw.url}/v1/submissions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(sampleVneduBatch(40, 3)),
  });
  t.equal(res.status, 202, 'a batch over 32 kB, mapped in a thread');
  const nices = await eventually('a new thread at niceness 10', async () => {
    const n = niceness(pid);
    return [...n].some(([tid, nice]) => nice === 10 && !before.has(tid)) && n;
  });
  t.equal([...nices.values()].filter((n) => n === 10).length, 1, 'one thread at niceness 10: the spare intake thread');
  t.equal(nices.get(pid), 0, 'the event loop keeps niceness 0');
  const started = [...nices.keys()].filter((tid) => !before.has(tid));
  t.ok(started.some((tid) => nices.get(tid) === 0), 'the intake thread, started with it, keeps niceness 0');
  t.same([...new Set(niceness(pid, 41).values())], [0], 'no thread under SCHED_IDLE');
  await gw.stop();
});

t.test('intakeSpareWorkers is 1 by default and refuses anything but a whole number at load', async (t) => {
  t.equal(loadSettings({}).intakeSpareWorkers, 1, 'the default');
  t.equal(loadSettings({}, { intakeSpareWorkers: 0 }).intakeSpareWorkers, 0, '0 is kept');
  for (const bad of [-1, 1.5, 'one', null]) t.throws(() => loadSettings({}, { intakeSpareWorkers: bad }), /intakeSpareWorkers must be a whole number of threads/, JSON.stringify(bad));
});
