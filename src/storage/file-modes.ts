import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';

// The outbox holds students' names, birth dates and personal ID numbers: its files are the
// owner's alone. A data directory is 0700 and a database file 0600; SQLite creates its -wal and
// -shm with the database file's mode, and older installs (0644 files) are put right at start.

/** Makes `dir` (and its parents) if missing, and sets it 0700. */
export function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Creates `path` empty with mode 0600 if missing, and sets it and its SQLite companions 0600. */
export function privateDatabaseFile(path: string): void {
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  for (const p of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) if (existsSync(p)) chmodSync(p, 0o600);
}
