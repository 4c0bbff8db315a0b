import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

// The checkpointer thread: copies the WAL back into the database file on a connection of its own
// with synchronous=FULL, so that the database file is synced before SQLite may reuse the WAL
// (see wal-sync.ts). PASSIVE checkpoints never block the writer; the gateway's own connection has
// automatic checkpoints off, so this copying (tens of milliseconds for a busy WAL) never runs on
// the event loop. Messages: 'stop' in; { stopped: true } out after a last checkpoint.

const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const db = new Database(path);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = FULL');

function checkpoint(): void {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or locked: the next round will do it.
  }
}

const timer = setInterval(checkpoint, intervalMs);
parentPort!.on('message', (m: unknown) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort!.postMessage({ stopped: true });
});
parentPort!.postMessage({ ready: true });
