import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { eventually } from './helpers/gateway.js';
import { dataDir, startGatewayProcess } from './helpers/processes.js';

// Vendors' requests first (issue 16, item 2): the delivery thread runs at delivery.threadNice,
// the event loop and every other thread of the process at the niceness the process started with.
// Read from the kernel (/proc/<pid>/task/<tid>/stat), not from what the gateway says of itself.

/** The niceness of each thread of `pid`, by thread id. */
function niceness(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces) start at field 3; nice is field 19.
      out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
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
  await gw.stop();
});

t.test('delivery.threadNice 0 leaves every thread as it was', { skip: process.platform !== 'linux' && 'thread priorities are read from Linux /proc' }, async (t) => {
  const dir = dataDir(t);
  const gw = await startGatewayProcess(t, dir, { delivery: { threadNice: 0 } }, {});
  // The delivery thread has started once the gateway listens; give it its first claims.
  await new Promise((r) => setTimeout(r, 500));
  t.same([...new Set(niceness(gw.child.pid!).values())], [0]);
  await gw.stop();
});
