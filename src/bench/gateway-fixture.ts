import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadSettings, type Settings } from '../config/settings.js';
import { startGateway, type RunningGateway } from '../gateway.js';
import { createScratchSchema } from '../storage/postgres/scratch-schema.js';

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
  const schema = await createScratchSchema(PG_URL, 'bench');
  return {
    dir,
    databaseUrl: schema.databaseUrl,
    drop: async () => {
      await schema.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function benchSettings(s: Scratch, overrides: Record<string, unknown> = {}): Settings {
  return loadSettings({}, { host: '127.0.0.1', port: 0, dataDir: s.dir, databaseUrl: s.databaseUrl, logLevel: 'warn', simulator: { port: 0 }, ...overrides });
}

export async function benchGateway(settings: Settings, deliver: boolean): Promise<RunningGateway> {
  return startGateway(settings, { deliver, logger: pino({ level: 'warn' }) });
}
