import { randomBytes } from 'node:crypto';
import pg from 'pg';

// Each test file gets its own PostgreSQL schema, so files running in parallel never see each
// other's rows; the schema is dropped in teardown. An unreachable server fails the test: CI
// must not pass by skipping the PostgreSQL half of the suite.

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Tap {
  teardown(fn: () => unknown): void;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** The connection string of a new, empty schema (search_path set through `options`). */
export function withSearchPath(url: string, schema: string): string {
  const sep = url.includes('?') ? '&' : '?';
  return `${url}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

export async function freshSchema(t: Tap): Promise<string> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE SCHEMA ${schema}`));
  t.teardown(() => admin((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)));
  return withSearchPath(PG_URL, schema);
}
