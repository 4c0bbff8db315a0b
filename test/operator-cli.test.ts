import { join } from 'node:path';
import t from 'tap';
import { sampleVneduBatch } from '../src/adapters/vnedu/sample.js';
import { api, startTestGateway } from './helpers/gateway.js';
import { ensureBuilt, runCli } from './helpers/processes.js';

// The operator's CLI against a running gateway's database, as a province would use it: a key
// made by `hocba-gw credentials create` works, only for its schools, and stops when revoked;
// `admins create` makes a viewer who cannot replay; every command is audited as cli:<user>;
// every command prints its usage; bare `hocba-gw` starts nothing.

ensureBuilt();

const hocbaGw = (args: string[], env: Record<string, string> = {}) => runCli(args, env);

t.test('usage: bare hocba-gw and every --help print it and start nothing', async (t) => {
  const bare = await hocbaGw([]);
  t.equal(bare.code, 0);
  t.match(bare.stdout, /usage: hocba-gw <command>/);
  t.match(bare.stdout, /credentials create\|list\|revoke\|rotate/);
  for (const cmd of ['start', 'simulator', 'sample', 'import', 'keys', 'verify', 'credentials', 'admins', 'purge']) {
    const r = await hocbaGw([cmd, '--help']);
    t.equal(r.code, 0, `${cmd} --help`);
    t.match(r.stdout, new RegExp(`usage: hocba-gw ${cmd}`), `${cmd} --help prints its usage`);
  }
  t.equal((await hocbaGw(['nonsense'])).code, 2);
});

t.test('credentials and admins from the CLI', async (t) => {
  const gw = await startTestGateway(t);
  const env = { DATA_DIR: gw.dir };
  const oneSchool = sampleVneduBatch(2, 5, { schoolId: '01009876' });
  const otherSchool = sampleVneduBatch(2, 6, { schoolId: '01001234' });

  const unknown = await hocbaGw(['credentials', 'create', '--vendor', 'vnedu', '--schools', '01009876,99999999'], env);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /99999999/);
  t.equal((await hocbaGw(['credentials', 'create', '--vendor', 'vnedu'], env)).code, 1, 'schools are required');

  const made = await hocbaGw(['credentials', 'create', '--vendor', 'vnedu', '--schools', '01009876', '--name', 'vnEdu THPT', '--expires', '2099-01-01'], env);
  t.equal(made.code, 0, made.stderr);
  const key = made.stdout.trim();
  t.match(key, /^vk_vnedu_/);
  const id = /id (c_\S+)/.exec(made.stderr)![1];

  const ok = await api(gw, 'POST', '/v1/submissions', { token: key, body: oneSchool });
  t.equal(ok.status, 202, 'the new key works');
  const refused = await api(gw, 'POST', '/v1/submissions', { token: key, body: otherSchool });
  t.equal(refused.status, 422, 'every record refused: nothing stored');
  t.ok(refused.json.validationErrors.length > 0 && refused.json.validationErrors.every((e: { code: string }) => e.code === 'SCHOOL_NOT_AUTHORISED'), 'only for its schools (SCHOOL_NOT_AUTHORISED)');
  const mine = await api(gw, 'GET', '/v1/submissions', { token: key });
  t.same(mine.json.submissions.map((s: { submissionId: string }) => s.submissionId), [ok.json.submissionId], "the vendor's own submissions");
  t.same(mine.json.submissions[0].counts, { received: 2, queued: 2, held: 0, rejected: 0 });

  const list = await hocbaGw(['credentials', 'list', '--json'], env);
  const listed = JSON.parse(list.stdout) as { id: string; name: string; schools: string[] }[];
  t.match(listed.find((c) => c.id === id), { name: 'vnEdu THPT', schools: ['01009876'], expiresAt: '2099-01-01T23:59:59.999Z' });
  t.notOk(list.stdout.includes(key), 'the list never shows a key');
  t.match((await hocbaGw(['credentials', 'list'], env)).stdout, /^id\s+vendor\s+name\s+schools/);

  const rotated = await hocbaGw(['credentials', 'rotate', id, '--grace', '1h'], env);
  t.equal(rotated.code, 0, rotated.stderr);
  const newKey = rotated.stdout.trim();
  t.equal((await api(gw, 'GET', '/v1/submissions', { token: key })).status, 200, 'old key in its grace');
  t.equal((await api(gw, 'GET', '/v1/submissions', { token: newKey })).status, 200, 'new key');

  t.equal((await hocbaGw(['credentials', 'revoke', id, '--reason', 'test'], env)).code, 0);
  const gone = await api(gw, 'POST', '/v1/submissions', { token: key, body: oneSchool });
  t.equal(gone.status, 401);
  t.equal(gone.json.code, 'AUTH_REVOKED', 'a revoked key stops working');

  const viewer = (await hocbaGw(['admins', 'create', '--name', 'Chị Hoa', '--role', 'viewer'], env)).stdout.trim();
  const operator = (await hocbaGw(['admins', 'create', '--name', 'Anh Nam', '--role', 'operator'], env)).stdout.trim();
  t.equal((await hocbaGw(['admins', 'create', '--name', 'X', '--role', 'king'], env)).code, 1);
  t.equal((await api(gw, 'GET', '/admin/v1/overview', { token: viewer })).status, 200, 'a viewer reads');
  const no = await api(gw, 'POST', '/admin/v1/replay', { token: viewer, body: { filter: { state: 'dead' } } });
  t.equal(no.status, 403);
  t.equal(no.json.code, 'ROLE_FORBIDDEN', 'a viewer cannot replay');
  t.equal((await api(gw, 'POST', '/admin/v1/replay', { token: operator, body: { filter: { state: 'dead' }, reason: 'thử' } })).status, 200, 'an operator can');
  t.equal((await api(gw, 'GET', '/admin/v1/me', { token: gw.adminToken })).json.role, 'admin', 'the demo admin token is role admin');
  t.match((await hocbaGw(['admins', 'list'], env)).stdout, /Chị Hoa\s+viewer/);

  const purge = await hocbaGw(['purge', '--dry-run'], env);
  t.equal(purge.code, 0, purge.stderr);
  t.match(purge.stdout, /^0 records acknowledged before \S+ have a payload to purge \(dry run/);

  const audit = (await api(gw, 'GET', '/admin/v1/audit?limit=100', { token: viewer })).json.entries as { action: string; via: string; actorId: string; role: string }[];
  const fromCli = audit.filter((e) => e.via === 'cli');
  for (const a of ['credentials.create', 'credentials.rotate', 'credentials.revoke', 'admins.create', 'purge']) t.ok(fromCli.some((e) => e.action === a && /^cli:/.test(e.actorId)), `${a} from the CLI is audited`);
  t.ok(audit.some((e) => e.action === 'replay' && e.role === 'operator' && e.via === 'api'), 'the replay is audited');
});
