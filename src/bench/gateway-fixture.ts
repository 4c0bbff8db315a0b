import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { randomBytes } from 'node:crypto';
import { loadSettings, type Settings } from '../config/settings.js';
import { startGateway, type RunningGateway } from '../gateway.js';

// Gateways and databases for the benchmark sections: a temp data directory (its own demo PKI and
// credentials), SQLite in it or a PostgreSQL schema of its own, dropped afterwards.

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface Scratch {
  dir: string;
  databaseUrl: string;
  drop(): Promise<void>;
}

export async function scratch(backend: 'sqlite' | 'postgres'): Promise<Scratch> {
  const dir = await mkdtemp(join(tmpdir(), 'hocba-bench-'));
  if (backend === 'sqlite') return { dir, databaseUrl: join(dir, 'gateway.db'), drop: () => rm(dir, { recursive: true, force: true }) };
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  await onPostgres((c) => c.query(`CREATE SCHEMA ${schema}`));
  const sep = PG_URL.includes('?') ? '&' : '?';
  return {
    dir,
    databaseUrl: `${PG_URL}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    drop: async () => {
      await onPostgres((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function onPostgres<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export function benchSettings(s: Scratch, overrides: Record<string, unknown> = {}): Settings {
  return loadSettings({}, { host: '127.0.0.1', port: 0, dataDir: s.dir, databaseUrl: s.databaseUrl, logLevel: 'warn', simulator: { port: 0 }, ...overrides });
}

export async function benchGateway(settings: Settings, deliver: boolean): Promise<RunningGateway> {
  return startGateway(settings, { deliver, logger: pino({ level: 'warn' }) });
}
