import { randomBytes } from 'node:crypto';
import pg from 'pg';

// A PostgreSQL schema of its own for one test file or one benchmark section, so that runs in
// parallel never see each other's rows: created empty, reached through `search_path` in the
// connection string, dropped afterwards.

export interface ScratchSchema {
  /** The connection string whose sessions use the new schema. */
  databaseUrl: string;
  drop(): Promise<void>;
}

/** `url` with `search_path` set to `schema` through the `options` parameter. */
export function withSearchPath(url: string, schema: string): string {
  const sep = url.includes('?') ? '&' : '?';
  return `${url}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

async function onServer<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Creates `<prefix>_<random>` on the server at `url`. An unreachable server throws. */
export async function createScratchSchema(url: string, prefix: string): Promise<ScratchSchema> {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  await onServer(url, (c) => c.query(`CREATE SCHEMA ${schema}`));
  return {
    databaseUrl: withSearchPath(url, schema),
    drop: () => onServer(url, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(() => undefined),
  };
}
