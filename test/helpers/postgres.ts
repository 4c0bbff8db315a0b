import { createScratchSchema } from '../../src/storage/postgres/scratch-schema.js';

// Each test file gets its own PostgreSQL schema, so files running in parallel never see each
// other's rows; the schema is dropped in teardown. An unreachable server fails the test: CI
// must not pass by skipping the PostgreSQL half of the suite.

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Tap {
  teardown(fn: () => unknown): void;
}

export async function freshSchema(t: Tap): Promise<string> {
  const scratch = await createScratchSchema(PG_URL, 't');
  t.teardown(() => scratch.drop());
  return scratch.databaseUrl;
}
