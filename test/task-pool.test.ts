import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { TaskPool } from '../src/threads/task-pool.js';

// A worker that dies (an out-of-memory abort, a native crash) used to reject every pending task,
// also those on the other threads, and stayed in the pool: every later task sent to it waited
// for ever. Only its own task fails now, and a new thread takes its place.

const within = <R>(p: Promise<R>, ms = 10_000): Promise<R> =>
  Promise.race([p, sleep(ms, undefined, { ref: false }).then(() => Promise.reject(new Error(`no answer within ${ms} ms`)))]);

t.test('a dead worker fails its own task only, and is replaced', async (t) => {
  const pool = new TaskPool<string, string>(new URL('./fixtures/crashing-task-worker.ts', import.meta.url), { size: 2, workerData: null });
  t.teardown(() => pool.close());
  t.equal(await pool.run('warm'), 'warm done');
  const slow = pool.run('slow');
  const dying = pool.run('die');
  await t.rejects(within(dying), /exit|died|stopped/i, 'the task on the dead thread fails');
  t.equal(await within(slow), 'slow done', 'the task on the other thread is answered');
  const after = await within(Promise.all([1, 2, 3, 4, 5, 6].map((i) => pool.run(`t${i}`))));
  t.same(after, ['t1 done', 't2 done', 't3 done', 't4 done', 't5 done', 't6 done'], 'later tasks all answered: the thread was replaced');
  // And again: a second death is handled the same way.
  await t.rejects(within(pool.run('die')));
  t.equal(await within(pool.run('again')), 'again done');
});

t.test('a lazy pool starts its threads at the first task, and a closed one takes no task', async (t) => {
  const script = new URL('./fixtures/crashing-task-worker.ts', import.meta.url);
  const lazy = new TaskPool<string, string>(script, { size: 2, workerData: null, lazy: true });
  t.equal(lazy.threads, 0, 'no thread before a task');
  t.equal(await within(lazy.run('first')), 'first done');
  t.equal(lazy.threads, 2, 'both threads started by the first task');
  await lazy.close();
  await t.rejects(lazy.run('late'), { name: 'WorkerDied' }, 'a task after close is refused, not left waiting');
  const unused = new TaskPool<string, string>(script, { size: 1, workerData: null, lazy: true });
  await unused.close();
  t.equal(unused.threads, 0, 'closed before any task: no thread was ever started');
  const eager = new TaskPool<string, string>(script, { size: 1, workerData: null });
  t.teardown(() => eager.close());
  t.equal(eager.threads, 1, 'an eager pool starts its threads at once');
});

t.test('a spare-time thread gets a task only while every other thread holds more, and never one kept off it', async (t) => {
  const pool = new TaskPool<{ ms: number }, string>(new URL('./fixtures/spare-task-worker.ts', import.meta.url), { size: 3, spare: 1, workerData: null });
  t.teardown(() => pool.close());
  t.equal(await within(pool.run({ ms: 0 })), 'worker', 'an idle pool: the first thread');
  // Two long tasks fill the two workers; the third finds them both busy and goes to the spare one.
  const [a, b, c] = await within(Promise.all([pool.run({ ms: 300 }), pool.run({ ms: 300 }), pool.run({ ms: 0 })]));
  t.same([a, b, c], ['worker', 'worker', 'spare']);
  // Kept off spare threads: with both workers busy it queues behind one of them instead.
  const kept = await within(Promise.all([pool.run({ ms: 300 }), pool.run({ ms: 300 }), pool.run({ ms: 0 }, { spare: false })]));
  t.same(kept, ['worker', 'worker', 'worker']);
  // One worker busy: the next task takes the other worker, not the spare thread.
  const [d, e] = await within(Promise.all([pool.run({ ms: 300 }), pool.run({ ms: 0 })]));
  t.same([d, e], ['worker', 'worker']);
});

t.test('a task that is not large goes to a thread without a large one, which freeOfLarge tells', async (t) => {
  const pool = new TaskPool<{ ms: number; who?: boolean }, string>(new URL('./fixtures/spare-task-worker.ts', import.meta.url), { size: 2, workerData: null });
  t.teardown(() => pool.close());
  t.equal(pool.freeOfLarge, true, 'a pool not yet started');
  const large = pool.run({ ms: 400, who: true }, { large: true });
  // Three small tasks, the third while the thread without the large task holds two: all there.
  const smalls = [pool.run({ ms: 400, who: true }), pool.run({ ms: 400, who: true }), pool.run({ ms: 0, who: true })];
  t.equal(pool.freeOfLarge, true, 'one thread holds no large task');
  const [l, ...s] = await within(Promise.all([large, ...smalls]));
  t.equal(new Set(s).size, 1, `the small ones on one thread (${s.join(', ')})`);
  t.not(l, s[0], 'not the large one\'s');
  const both = [pool.run({ ms: 300 }, { large: true }), pool.run({ ms: 300 }, { large: true })];
  t.equal(pool.freeOfLarge, false, 'every thread holds a large task');
  await within(Promise.all(both));
  t.equal(pool.freeOfLarge, true, 'and none once they are done');
});

t.test('a thread that cannot start fails the task with its error, and leaves no rejection unhandled', async (t) => {
  const unhandled: unknown[] = [];
  const seen = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', seen);
  t.teardown(() => process.off('unhandledRejection', seen));
  const pool = new TaskPool<string, string>(new URL('./fixtures/broken-task-worker.ts', import.meta.url), { size: 1, workerData: null, lazy: true });
  t.teardown(() => pool.close());
  await t.rejects(within(pool.run('x')), /broken at start|exit/);
  await sleep(300);
  t.same(unhandled, [], 'the task\'s own rejection was handled');
});
