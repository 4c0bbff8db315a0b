import t from 'tap';
import { MIN_RESERVE_BYTES, RETRY_CHECKPOINT_MS, WalRoom } from '../src/storage/sqlite/wal-room.js';

// The room kept for the WAL (issue 14 item 15), with the file system and SQLite replaced by a
// model: free bytes, a WAL that a checkpoint moves into the database file, and data_version.
function model(free: number) {
  const m = { free, wal: 0, version: 0, now: 0, checkpoints: 0, checkpointWorks: true };
  const room = new WalRoom({
    freeBytes: () => m.free,
    walBytes: () => m.wal,
    dataVersion: () => m.version,
    now: () => m.now,
    checkpoint: () => {
      m.checkpoints++;
      if (!m.checkpointWorks) return false;
      // The database file grows by what the WAL held (at most), and the WAL is cut.
      m.free += m.wal - m.wal / 2;
      m.wal = 0;
      return true;
    },
  });
  /** A write of `bytes` by this connection: the WAL grows, the disk gives the space. */
  const write = (bytes: number) => {
    if (!room.before()) return false;
    m.wal += bytes;
    m.free -= bytes;
    room.after();
    return true;
  };
  return { m, room, write };
}

const MB = 1024 * 1024;

t.test('writes go ahead without a checkpoint while the free space covers the WAL and the reserve', async (t) => {
  const { m, write } = model(100 * MB);
  for (let i = 0; i < 10; i++) t.ok(write(MB / 2));
  t.equal(m.checkpoints, 0);
});

t.test('when the WAL comes near the free space, the connection checkpoints first and then writes', async (t) => {
  const { m, write } = model(6 * MB);
  let wrote = 0;
  while (write(MB / 2)) wrote++;
  t.ok(m.checkpoints >= 1, 'it checkpointed before refusing');
  t.ok(m.free >= m.wal, `the WAL always fits into the free space (free ${m.free}, WAL ${m.wal})`);
  t.ok(wrote > 0, `${wrote} writes before the refusal`);
  m.free += 10 * MB; // an operator frees space
  m.now += RETRY_CHECKPOINT_MS;
  t.ok(write(MB / 2), 'writing resumes once space is freed');
});

t.test('a refused connection checkpoints again no sooner than RETRY_CHECKPOINT_MS', async (t) => {
  const { m, room } = model(MIN_RESERVE_BYTES - 1);
  m.checkpointWorks = false;
  t.notOk(room.before());
  t.notOk(room.before());
  t.equal(m.checkpoints, 1, 'one checkpoint in the first half second');
  m.now += RETRY_CHECKPOINT_MS;
  t.notOk(room.before());
  t.equal(m.checkpoints, 2);
});

t.test('the reserve follows the largest write of this connection, not of others', async (t) => {
  const { m, room, write } = model(1000 * MB);
  t.equal(room.reserveBytes, MIN_RESERVE_BYTES);
  write(3 * MB);
  t.equal(room.reserveBytes, 6 * MB, 'twice the largest write');
  // Another connection commits 20 MB between this one's check and its write: not counted.
  t.ok(room.before());
  m.wal += 20 * MB;
  m.version++;
  m.wal += MB;
  room.after();
  t.equal(room.reserveBytes, 6 * MB);
});
