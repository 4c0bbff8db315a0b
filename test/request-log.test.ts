import { sampleVneduBatch } from '../src/adapters/vnedu/sample.js';
import t from 'tap';
import { getAdapter } from '../src/adapters/registry.js';
import { startTestGateway } from './helpers/gateway.js';

// One log line per request, with the route's pattern, the status, the handler's counts and, for a
// refusal, the catalogue code; Fastify's own per-request lines are off.

t.test('each request writes one line, with counts for a submission and the code for a refusal', async (t) => {
  const gw = await startTestGateway(t);
  const batch = sampleVneduBatch(5, 3);
  const post = (auth: string) =>
    fetch(`${gw.url}/v1/submissions`, { method: 'POST', headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' }, body: JSON.stringify(batch) });
  const ok = await post(gw.vendorKey);
  t.equal(ok.status, 202);
  const { submissionId } = (await ok.json()) as { submissionId: string };
  t.equal((await post('not-a-key')).status, 401);
  t.equal((await fetch(`${gw.url}/v1/submissions/${submissionId}`, { headers: { authorization: `Bearer ${gw.vendorKey}` } })).status, 200);
  // The line is written once the answer is out; give the hook its turn.
  await new Promise((r) => setTimeout(r, 50));

  const lines = gw.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
  const requests = lines.filter((l) => l.msg === 'request');
  t.equal(requests.length, 3, 'one line per request');
  t.equal(lines.filter((l) => l.msg === 'incoming request' || l.msg === 'request completed').length, 0, "Fastify's own lines are off");
  t.match(requests[0], { method: 'POST', route: '/v1/submissions', status: 202, submissionId, queued: 5, rejected: 0 });
  t.type(requests[0]!.ms, 'number');
  t.match(requests[1], { route: '/v1/submissions', status: 401, code: 'AUTH_INVALID' });
  t.match(requests[2], { method: 'GET', route: '/v1/submissions/:id', status: 200 });
  t.notOk(requests[2]!.url, 'the raw URL is not logged; the pattern is');
});
