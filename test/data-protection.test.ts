import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { startSimulator } from '../src/simulator/server.js';
import { demoPki } from './helpers/ministry.js';

// The outbox holds students' names, birth dates and ID numbers: gateway.db and its WAL were
// world-readable (0644) in a 0755 directory. Data files are 0600 in a 0700 directory. The
// simulator's inspection and fault endpoints (whole packets with students' data, and PUT
// /_sim/faults) answered anyone: they are off unless asked for, or behind a token.

const mode = (p: string) => statSync(p).mode & 0o777;

t.test('the SQLite file, its WAL and shared memory are 0600 in a 0700 directory', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'hocba-modes-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'data');
  const path = join(dir, 'gateway.db');
  const store = new SqliteStore(path, { checkpoints: false });
  await store.migrate();
  await store.ping();
  t.equal(mode(dir), 0o700, 'data directory 0700');
  for (const p of [path, path + '-wal', path + '-shm']) if (existsSync(p)) t.equal(mode(p), 0o600, `${p.slice(dir.length + 1)} 0600`);
  t.ok(existsSync(path + '-wal'), 'the WAL exists');
  await store.close();
});

t.test('simulator inspection and fault endpoints are off unless asked for, or behind a token', async (t) => {
  const pki = await demoPki(t);
  const closed = await startSimulator({ port: 0, provinceCertPem: pki.provinceCertPem });
  t.teardown(() => closed.close());
  for (const p of ['/_sim/records', '/_sim/packets', '/_sim/deliveries', '/_sim/faults', '/_sim/stats']) t.equal((await fetch(closed.url + p)).status, 404, `${p} off`);
  t.equal((await fetch(closed.url + '/_sim/faults', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"outage":true}' })).status, 404, 'no faults from anyone');

  const open = await startSimulator({ port: 0, provinceCertPem: pki.provinceCertPem, inspection: true });
  t.teardown(() => open.close());
  t.equal((await fetch(open.url + '/_sim/records')).status, 200, 'on when asked for');

  const guarded = await startSimulator({ port: 0, provinceCertPem: pki.provinceCertPem, inspectionToken: 's3cret' });
  t.teardown(() => guarded.close());
  t.equal((await fetch(guarded.url + '/_sim/records')).status, 404, 'no token: off');
  t.equal((await fetch(guarded.url + '/_sim/records', { headers: { authorization: 'Bearer wrong' } })).status, 404, 'wrong token: off');
  t.equal((await fetch(guarded.url + '/_sim/records', { headers: { authorization: 'Bearer s3cret' } })).status, 200, 'the token opens it');
});
