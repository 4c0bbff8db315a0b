import t from 'tap';
import { loadSettings } from '../src/config/settings.js';
import { threadCount } from '../src/threads/thread-count.js';

t.test('"auto" leaves one core to the event loop, and never asks for none', async (t) => {
  t.equal(threadCount('auto', 'intakeWorkers', 2), 1);
  t.equal(threadCount('auto', 'intakeWorkers', 8), 7);
  t.equal(threadCount('auto', 'intakeWorkers', 1), 1);
  t.equal(loadSettings({}).intakeWorkers, 'auto', 'the default');
});

t.test('a number is taken as it is; anything else is refused by name', async (t) => {
  t.equal(threadCount(0, 'intakeWorkers', 2), 0, '0: in the event loop');
  t.equal(threadCount(3, 'intakeWorkers', 2), 3);
  for (const bad of [-1, 1.5, '2', null]) {
    t.throws(() => threadCount(bad as never, 'intakeWorkers', 2), { message: /intakeWorkers must be "auto" or a whole number/ }, JSON.stringify(bad));
  }
});
