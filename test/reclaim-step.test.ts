import t from 'tap';
import { nextReclaimStep } from '../src/storage/sqlite/sqlite-store.js';

// reclaimSpace gives freed pages back a step at a time, each step sized from the last one's pace
// so that it holds the event loop about 5 ms (a fixed 1,024 pages took up to 182 ms after bench
// q's purge of 1,000,000 payloads).

t.test('a step is as many pages as the last pace moves in 5 ms, within 8 and 4,096', async (t) => {
  t.equal(nextReclaimStep(1024, 182), 28, '1,024 pages in 182 ms: 28 next');
  t.equal(nextReclaimStep(64, 2.5), 128, 'twice as fast as the budget: twice as many');
  t.equal(nextReclaimStep(64, 5), 64, 'on budget: the same');
  t.equal(nextReclaimStep(1024, 0.01), 4096, 'very fast: the upper bound');
  t.equal(nextReclaimStep(0, 0), 4096, 'nothing moved in no time: the upper bound, not a division by zero');
  t.equal(nextReclaimStep(16, 500), 8, 'very slow: the lower bound, so that it still ends');
});
