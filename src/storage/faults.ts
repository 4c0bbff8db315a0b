// A fault of the gateway's own storage that no request can help: the database does not answer
// (PostgreSQL down or restarting, a connection cut, SQLite's file unreadable or locked past its
// busy timeout) or the disk is full. The request is answered 503 DATABASE_UNAVAILABLE or 507
// STORAGE_FULL with Retry-After, never 500: nothing of it was accepted, and the same request
// later succeeds once the fault is gone (the stores reconnect, and SQLite checkpoints its WAL
// back to size once there is room: sqlite-store.ts). One function, used by the Problem handler
// and the SOAP fault handler alike.

export interface StorageFault {
  code: 'DATABASE_UNAVAILABLE' | 'STORAGE_FULL';
  retryAfterSeconds: number;
}

const UNAVAILABLE: StorageFault = { code: 'DATABASE_UNAVAILABLE', retryAfterSeconds: 5 };
const FULL: StorageFault = { code: 'STORAGE_FULL', retryAfterSeconds: 60 };

// Node's socket and file-system errors.
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);
const FS_FULL = new Set(['ENOSPC', 'EDQUOT']);
const FS_UNAVAILABLE = new Set(['EIO', 'EROFS', 'EACCES', 'EPERM', 'EMFILE', 'ENFILE']);

// node-postgres's own words for a connection that is gone or never came.
const PG_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /Client was closed and is not queryable/i,
  /Cannot use a pool after calling end/i,
  /terminating connection due to administrator command/i,
];

export function storageFaultOf(err: unknown): StorageFault | null {
  if (!err || typeof err !== 'object') return null;
  const e = err as { code?: unknown; message?: unknown; name?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  // better-sqlite3: SqliteError with SQLite's extended code.
  if (e.name === 'SqliteError') {
    if (code === 'SQLITE_FULL') return FULL;
    if (/^SQLITE_(IOERR|BUSY|LOCKED|CANTOPEN|READONLY|CORRUPT|NOTADB|PROTOCOL)/.test(code)) return UNAVAILABLE;
    return null;
  }
  if (FS_FULL.has(code)) return FULL;
  if (FS_UNAVAILABLE.has(code) && typeof (err as { syscall?: unknown }).syscall === 'string') return UNAVAILABLE;
  if (NET_CODES.has(code)) return UNAVAILABLE;
  // PostgreSQL SQLSTATE: 53100 disk_full; class 53 insufficient resources, 57P0x shutdown and
  // start-up, class 08 connection exceptions.
  if (/^[0-9A-Z]{5}$/.test(code)) {
    if (code === '53100') return FULL;
    if (code.startsWith('53') || code.startsWith('08') || /^57P0[1-4]$/.test(code)) return UNAVAILABLE;
    return null;
  }
  const message = typeof e.message === 'string' ? e.message : '';
  if (PG_MESSAGES.some((re) => re.test(message))) return UNAVAILABLE;
  return null;
}
