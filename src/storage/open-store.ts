import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  /**
   * Whether this connection keeps the SQLite file checkpointed (default true). A second
   * connection in the same process (the delivery thread's) leaves that to the first.
   */
  checkpoints?: boolean;
}

/**
 * Picks the backend from DATABASE_URL: `postgres://…` for PostgreSQL, anything else is a SQLite
 * file path. The PostgreSQL store (with pg: 95 ms of CPU) is loaded only for PostgreSQL, in each
 * thread that opens a store.
 */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const { PostgresStore } = await import('./postgres/postgres-store.js');
    return new PostgresStore(databaseUrl);
  }
  return new SqliteStore(databaseUrl.replace(/^sqlite:(\/\/)?/, ''), { checkpoints: options.checkpoints ?? true });
}
