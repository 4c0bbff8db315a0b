import t from 'tap';
import { api, startTestGateway } from './helpers/gateway.js';

// Bodies built to crash a parser: 100,000 nested objects (0.6 MB) overflowed the stack in
// JSON.parse and answered 500. Every JSON route refuses them with 400 BODY_TOO_DEEP before parsing,
// and the process goes on serving.

t.setTimeout(60_000);

t.test('deeply nested JSON answers 400 BODY_TOO_DEEP on every JSON route, and the gateway stays healthy', async (t) => {
  const gw = await startTestGateway(t, { logLevel: 'warn' });
  const deep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
  const deepArray = '['.repeat(100_000) + ']'.repeat(100_000);
  for (const [path, token] of [
    ['/v1/submissions', gw.vendorKey],
    ['/v1/signed-records', gw.vendorKey],
    ['/admin/v1/replay', gw.adminToken],
    ['/admin/v1/cancel', gw.adminToken],
  ] as const) {
    for (const raw of [deep, deepArray]) {
      const r = await api(gw, 'POST', path, { token, raw, headers: { 'idempotency-key': 'deep-1' } });
      t.equal(r.status, 400, `${path}: 400`);
      t.equal(r.json?.code, 'BODY_TOO_DEEP', `${path}: BODY_TOO_DEEP`);
    }
  }
  // Nesting inside strings does not count.
  const shallow = JSON.stringify({ reason: '{"a":'.repeat(1000), filter: { code: 'RECORD_REFUSED' } });
  const ok = await api(gw, 'POST', '/admin/v1/replay', { token: gw.adminToken, raw: shallow });
  t.not(ok.json?.code, 'BODY_TOO_DEEP', 'braces inside strings are not nesting');
  t.not(ok.status, 500);
  t.equal((await api(gw, 'GET', '/healthz')).status, 200, 'the process lives');
});
