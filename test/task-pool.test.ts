import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { TaskPool } from '../src/threads/task-pool.js';

// A worker that dies (an out-of-memory abort, a native crash) used to reject every pending task,
// also those on the other threads, and stayed in the pool: every later task sent to it waited
// for ever. Only its own task fails now, and a new thread takes its place.

const within = <R>(p: Promise<R>, ms = 10_000): Promise<R> =>
  Promise.race([p, sleep(ms).then(() => Promise.reject(new Error(`no answer within ${ms} ms`)))]);

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
