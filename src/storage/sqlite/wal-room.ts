import { statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

// Room for the WAL (issue 14 item 15). A checkpoint copies the WAL's pages into the database file,
// which grows by up to the WAL's size, and only then may the WAL be cut. If the WAL is allowed to
// take the last free bytes, no checkpoint can ever finish: measured on an 8 MB file system under
// load, a 3.9 MB WAL beside a 4.1 MB database, the disk full, and freeing 2 MB did not help
// because the database needed about 3 MB more to take the WAL in; delivery never came back.
// So each connection writes only while the free space covers the WAL as it stands plus one more
// write as large as the largest it has made (at least MIN_RESERVE); otherwise it checkpoints
// first, and refuses (507) if there is still no room. The WAL's content then always fits into
// the database file, and any space an operator frees lets writing resume.

export const MIN_RESERVE_BYTES = 2 * 1024 * 1024;
/** After a checkpoint that left too little room, the next one is tried no sooner than this. */
export const RETRY_CHECKPOINT_MS = 500;

export interface WalRoomProbes {
  /** Bytes free to this process on the database's file system. */
  freeBytes(): number;
  /** The WAL file's size now (0 when it does not exist). */
  walBytes(): number;
  /** A TRUNCATE checkpoint; false when it could not run (busy, or no room). */
  checkpoint(): boolean;
  /** SQLite's data_version: it changes when another connection commits, never for this one's. */
  dataVersion(): number;
  now(): number;
}

export function fileProbes(databasePath: string, checkpoint: () => boolean, dataVersion: () => number): WalRoomProbes {
  const dir = dirname(databasePath);
  const wal = `${databasePath}-wal`;
  return {
    freeBytes() {
      const s = statfsSync(dir);
      return s.bavail * s.bsize;
    },
    walBytes() {
      try {
        return statSync(wal).size;
      } catch {
        return 0;
      }
    },
    checkpoint,
    dataVersion,
    now: () => Date.now(),
  };
}

export class WalRoom {
  private largestWrite = 0;
  private walBefore = 0;
  private versionBefore = 0;
  private lastCheckpoint = -Infinity;

  constructor(private readonly probes: WalRoomProbes) {}

  /** Free bytes this connection keeps beyond the WAL: twice its largest write, at least MIN_RESERVE_BYTES. */
  get reserveBytes(): number {
    return Math.max(MIN_RESERVE_BYTES, 2 * this.largestWrite);
  }

  /** Before a write: true when there is room (after a checkpoint if one was needed). */
  before(): boolean {
    if (this.hasRoom()) return true;
    const now = this.probes.now();
    if (now - this.lastCheckpoint < RETRY_CHECKPOINT_MS) return false;
    this.lastCheckpoint = now;
    if (!this.probes.checkpoint()) return false;
    return this.hasRoom();
  }

  /**
   * After a write that committed: how much it grew the WAL (a WAL restarted from its top grows by
   * less). Not counted when another connection committed in between (the growth would be partly
   * theirs: the delivery thread once took an intake batch's 1.5 MB for its own and refused to
   * write with 2.8 MB free).
   */
  after(): void {
    // The size first, then the version: a commit of theirs before the stat shows in the version.
    const grew = this.probes.walBytes() - this.walBefore;
    if (this.probes.dataVersion() !== this.versionBefore) return;
    if (grew > this.largestWrite) this.largestWrite = grew;
  }

  private hasRoom(): boolean {
    this.versionBefore = this.probes.dataVersion();
    const wal = this.probes.walBytes();
    this.walBefore = wal;
    return this.probes.freeBytes() - wal >= this.reserveBytes;
  }
}
