import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { sampleVneduBatch } from '../src/adapters/vnedu/sample.js';
import { openStore } from '../src/storage/open-store.js';
import { freshSchema } from './helpers/postgres.js';
import { dataDir, ensureBuilt } from './helpers/processes.js';

// `hocba-gw import` as an operator runs it: a real process, a real outbox (SQLite and PostgreSQL).

const MAIN = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');
ensureBuilt();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function hocbaGw(args: string[], env: Record<string, string>, stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

/** A 1,200-student batch with three broken records (indexes 10, 600 and 1,150). */
function batchWithErrors() {
  const batch = sampleVneduBatch(1200, 77);
  batch.DanhSachHocSinh[10]!.NgaySinh = '31/02/2015';
  batch.DanhSachHocSinh[600]!.MaDinhDanh = '12345';
  batch.DanhSachHocSinh[1150]!.GioiTinh = 'X';
  return batch;
}

async function queuedIn(databaseUrl: string): Promise<number> {
  const store = await openStore(databaseUrl);
  await store.migrate();
  try {
    return (await store.countByState()).queued ?? 0;
  } finally {
    await store.close();
  }
}

const summaryOf = (run: Run) => JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, number>;

t.test('a file is imported in chunks, rejections go to the errors file, and a re-run stores nothing twice', async (t) => {
  const dir = dataDir(t);
  const file = join(dir, 'year-end.json');
  writeFileSync(file, JSON.stringify(batchWithErrors(), null, 2));
  const env = { DATA_DIR: dir, DATABASE_URL: join(dir, 'gateway.db') };

  const first = await hocbaGw(['import', '--vendor', 'vnedu', file, '--errors', join(dir, 'errors.ndjson')], env);
  t.equal(first.code, 0, first.stderr);
  t.match(summaryOf(first), { records: 1200, queued: 1197, rejected: 3, submissions: 3, skipped: 0 });
  const errors = readFileSync(join(dir, 'errors.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { index: number; chunk: number; code: string; path: string });
  t.same([...new Set(errors.map((e) => `${e.chunk}/${e.index}`))].sort(), ['0/10', '1/100', '2/150'], 'each broken record, by chunk and index in it');
  t.ok(errors.every((e) => typeof e.code === 'string' && e.code !== '' && e.path.startsWith('/')), 'with a code and a field path');
  t.equal(await queuedIn(env.DATABASE_URL), 1197);

  const again = await hocbaGw(['import', '--vendor', 'vnedu', file], env);
  t.equal(again.code, 0, again.stderr);
  t.match(summaryOf(again), { records: 1200, queued: 0, submissions: 0, skipped: 3 });
  t.equal(await queuedIn(env.DATABASE_URL), 1197, 'nothing stored twice');
});

t.test('standard input, named, into PostgreSQL; with intake threads', async (t) => {
  const dir = dataDir(t);
  const env = { DATA_DIR: dir, DATABASE_URL: await freshSchema(t) };
  const text = JSON.stringify(sampleVneduBatch(700, 5));
  const run = await hocbaGw(['import', '--vendor', 'vnedu', '-', '--name', 'so-gd-2025', '--workers', '2', '--chunk', '250'], env, text);
  t.equal(run.code, 0, run.stderr);
  t.match(summaryOf(run), { records: 700, queued: 700, submissions: 3 });
  t.equal(await queuedIn(env.DATABASE_URL), 700);
  const again = await hocbaGw(['import', '--vendor', 'vnedu', '-', '--name', 'so-gd-2025', '--chunk', '250'], env, text);
  t.match(summaryOf(again), { skipped: 3, submissions: 0 });
});

t.test('text cut short: exit 1 with where, whole chunks before it stored, the cut chunk not', async (t) => {
  const dir = dataDir(t);
  const env = { DATA_DIR: dir, DATABASE_URL: join(dir, 'gateway.db') };
  const text = JSON.stringify(sampleVneduBatch(1200, 9));
  // Cut inside the student at index 1,100: chunks 0 and 1 (1,000 students) are whole.
  const cutAt = text.indexOf(JSON.stringify(sampleVneduBatch(1200, 9).DanhSachHocSinh[1100]).slice(0, 40));
  const run = await hocbaGw(['import', '--vendor', 'vnedu', '-'], env, text.slice(0, cutAt + 20));
  t.equal(run.code, 1);
  t.match(run.stderr, /ends before its closing brace \(at character \d+\)/);
  t.equal(await queuedIn(env.DATABASE_URL), 1000);
  const bad = await hocbaGw(['import', '--vendor', 'vnedu', '-'], env, '{"MaSoGD": tru, "DanhSachHocSinh": []}');
  t.equal(bad.code, 1);
  t.match(bad.stderr, /not JSON/);
});
