import { PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/** Picks the backend from DATABASE_URL: `postgres://…` for PostgreSQL, anything else is a SQLite file path. */
export async function openStore(databaseUrl: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return new PostgresStore(databaseUrl);
  return new SqliteStore(databaseUrl.replace(/^sqlite:(\/\/)?/, ''));
}
