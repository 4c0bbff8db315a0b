import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { sampleEmisBatch, type EmisBatch } from '../src/adapters/emis/index.js';
import { sampleVneduBatch } from '../src/adapters/vnedu/sample.js';
import { hashKey } from '../src/plugins/auth.js';
import { openStore } from '../src/storage/open-store.js';
import { dataDir, ensureBuilt, runCli, type CliRun } from './helpers/processes.js';

// The intake side of `hocba-gw import` and `sample` as an operator runs them: whose records an
// import may store (--schools, --key), the version rule across imports, the format by name or
// extension, the exit codes, and samples of both JSON vendors.

const ROOT = join(import.meta.dirname, '..');
ensureBuilt();

const hocbaGw = (args: string[], env: Record<string, string>) => runCli(args, env, { nodeArgs: ['--max-old-space-size=192'], cwd: ROOT });

function setup(t: Parameters<typeof dataDir>[0]) {
  const dir = dataDir(t);
  const env = { DATA_DIR: dir, DATABASE_URL: join(dir, 'gateway.db') };
  const file = (name: string, batch: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(batch));
    return path;
  };
  return { dir, env, file };
}

async function storedKeys(databaseUrl: string): Promise<{ queued: number; superseded: number }> {
  const store = await openStore(databaseUrl);
  await store.migrate();
  try {
    const by = await store.countByState();
    return { queued: by.queued ?? 0, superseded: by.superseded ?? 0 };
  } finally {
    await store.close();
  }
}

const summaryOf = (run: CliRun) => JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, number>;
const errorsIn = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { index: number; code: string; path: string; recordKey?: string });

t.test('--schools: records of other schools are refused with SCHOOL_NOT_AUTHORISED and none of them stored', async (t) => {
  const { dir, env, file } = setup(t);
  const vnedu = file('nguyen-du.json', sampleVneduBatch(4, 61, { schoolId: '01001234' }));
  const refused = await hocbaGw(['import', '--vendor', 'vnedu', vnedu, '--schools', '01009876,01002345', '--errors', join(dir, 'errors.ndjson')], env);
  t.equal(refused.code, 1, 'every record rejected: exit 1');
  t.match(summaryOf(refused), { records: 4, queued: 0, rejected: 4, submissions: 0 });
  t.match(refused.stderr, /every record was rejected \(4\); errors in/);
  const errors = errorsIn(join(dir, 'errors.ndjson'));
  t.same(errors.map((e) => [e.index, e.code, e.path]), [0, 1, 2, 3].map((i) => [i, 'SCHOOL_NOT_AUTHORISED', '/school/schoolId']));
  t.equal(await storedKeys(env.DATABASE_URL).then((s) => s.queued), 0, 'nothing stored');

  const allowed = await hocbaGw(['import', '--vendor', 'vnedu', vnedu, '--schools', ' 01001234 ,01009876'], env);
  t.equal(allowed.code, 0, allowed.stderr);
  t.match(summaryOf(allowed), { records: 4, queued: 4, rejected: 0 });
  t.equal((await storedKeys(env.DATABASE_URL)).queued, 4);
});

t.test('--key acts for a vendor key: its vendor and its schools only', async (t) => {
  const { dir, env, file } = setup(t);
  // The key as the gateway would have made it: only its hash is stored.
  const store = await openStore(env.DATABASE_URL);
  await store.migrate();
  await store.addCredential(hashKey('vk_emis_test'), { kind: 'vendor', vendor: 'emis', schools: ['01005001', '01005002'] });
  await store.close();

  const own = await hocbaGw(['import', '--vendor', 'emis', file('kim-dong.json', sampleEmisBatch(3, 62, { grade: 2 })), '--key', 'vk_emis_test'], env);
  t.equal(own.code, 0, own.stderr);
  t.match(summaryOf(own), { records: 3, queued: 3 });

  const other = await hocbaGw(['import', '--vendor', 'emis', file('nguyen-du.json', sampleEmisBatch(2, 63, { schoolId: '01001234' })), '--key', 'vk_emis_test', '--errors', join(dir, 'e.ndjson')], env);
  t.equal(other.code, 1);
  t.same(errorsIn(join(dir, 'e.ndjson')).map((e) => e.code), ['SCHOOL_NOT_AUTHORISED', 'SCHOOL_NOT_AUTHORISED']);

  const narrowed = await hocbaGw(['import', '--vendor', 'emis', file('ngo-si-lien.json', sampleEmisBatch(2, 64, { grade: 8 })), '--key', 'vk_emis_test', '--schools', '01005001'], env);
  t.equal(narrowed.code, 1, '--schools narrows the key\'s schools');
  t.match(summaryOf(narrowed), { rejected: 2, queued: 0 });

  const wrongVendor = await hocbaGw(['import', '--vendor', 'vnedu', file('v.json', sampleVneduBatch(1, 65, { schoolId: '01001234' })), '--key', 'vk_emis_test'], env);
  t.equal(wrongVendor.code, 1);
  t.match(wrongVendor.stderr, /--key is a key of emis, not of vnedu/);
  const unknownKey = await hocbaGw(['import', '--vendor', 'emis', file('k.json', sampleEmisBatch(1, 66)), '--key', 'vk_nobody'], env);
  t.equal(unknownKey.code, 1);
  t.match(unknownKey.stderr, /--key is not a vendor key of this gateway/);
  t.equal((await storedKeys(env.DATABASE_URL)).queued, 3, 'only the key\'s own records stored');
});

t.test('the same version with other content in a later import: VERSION_NOT_HIGHER', async (t) => {
  const { dir, env, file } = setup(t);
  const batch = sampleEmisBatch(3, 67, { grade: 6 });
  const first = await hocbaGw(['import', '--vendor', 'emis', file('first.json', batch)], env);
  t.equal(first.code, 0, first.stderr);
  t.match(summaryOf(first), { queued: 3 });

  const changed: EmisBatch = structuredClone(batch);
  for (const s of changed.students) s.secondaryAssessment!.teacherComment = 'Đã sửa nhận xét.';
  changed.students[2]!.revision = 2;
  const second = await hocbaGw(['import', '--vendor', 'emis', file('second.json', changed), '--errors', join(dir, 'errors.ndjson')], env);
  t.equal(second.code, 0, 'one record was taken');
  t.match(summaryOf(second), { records: 3, queued: 1, rejected: 2 });
  t.same(errorsIn(join(dir, 'errors.ndjson')).map((e) => [e.index, e.code, e.path, e.recordKey]), [
    [0, 'VERSION_NOT_HIGHER', '/version', `${batch.students[0]!.studentCode}/2024-2025`],
    [1, 'VERSION_NOT_HIGHER', '/version', `${batch.students[1]!.studentCode}/2024-2025`],
  ]);
  // The second version replaces the first one of its key, which had not been sent yet.
  t.same(await storedKeys(env.DATABASE_URL), { queued: 3, superseded: 1 }, 'two first versions, one second, and the first it replaced');
});

t.test('--format by name or by the file\'s extension; unknown vendors are usage errors', async (t) => {
  const { dir, env, file } = setup(t);
  const xml = join(dir, 'batch.xml');
  writeFileSync(xml, JSON.stringify(sampleEmisBatch(1, 68)));
  const byExtension = await hocbaGw(['import', '--vendor', 'emis', xml], env);
  t.equal(byExtension.code, 1);
  t.match(byExtension.stderr, /vendor emis has no format xml \(it reads json; give --format\)/);
  const named = await hocbaGw(['import', '--vendor', 'emis', '--format', 'json', xml], env);
  t.equal(named.code, 0, named.stderr);
  t.match(summaryOf(named), { queued: 1 });
  const noExtension = await hocbaGw(['import', '--vendor', 'emis', file('export', sampleEmisBatch(1, 69, { grade: 3 }))], env);
  t.equal(noExtension.code, 0, 'no extension: the vendor\'s first format');

  const unknown = await hocbaGw(['import', '--vendor', 'misa', xml], env);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /unknown vendor: misa \(vendors: vnedu, emis/);
  const noFile = await hocbaGw(['import', '--vendor', 'emis'], env);
  t.equal(noFile.code, 2);
  t.match(noFile.stderr, /--schools CODE,CODE/);
  const sample = await hocbaGw(['sample', '--vendor', 'misa'], env);
  t.equal(sample.code, 2);
  t.match(sample.stderr, /unknown vendor: misa \(vendors: vnedu, emis/);
});

t.test('sample --grade and --out for both JSON vendors', async (t) => {
  const { dir, env } = setup(t);
  const out = join(dir, 'emis-grade-7.json');
  const emis = await hocbaGw(['sample', '--vendor', 'emis', '--records', '5', '--seed', '3', '--grade', '7', '--out', out], env);
  t.equal(emis.code, 0, emis.stderr);
  t.match(emis.stderr, /application\/json, 5 students of vendor emis/);
  const batch = JSON.parse(readFileSync(out, 'utf8')) as EmisBatch;
  t.equal(batch.schoolCode, '01005002');
  t.same(batch.students.map((s) => s.gradeLevel), [7, 7, 7, 7, 7]);

  const vnedu = await hocbaGw(['sample', '--vendor', 'vnedu', '--records', '4', '--seed', '3', '--grade', '11'], env);
  t.equal(vnedu.code, 0, vnedu.stderr);
  t.same(JSON.parse(vnedu.stdout).DanhSachHocSinh.map((s: { Khoi: number }) => s.Khoi), [11, 11, 11, 11]);

  const tooHigh = await hocbaGw(['sample', '--vendor', 'emis', '--records', '2', '--grade', '11'], env);
  t.equal(tooHigh.code, 1);
  t.match(tooHigh.stderr, /EMIS's demo schools teach grades 1-9, not 11/);

  const imported = await hocbaGw(['import', '--vendor', 'emis', out], env);
  t.equal(imported.code, 0, imported.stderr);
  t.match(summaryOf(imported), { records: 5, queued: 5 });
});
