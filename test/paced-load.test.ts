import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { pacedLoad, quantile } from '../src/bench/paced-load.js';

// The bench's steady-rate driver: it sends exactly rate × seconds requests, counts what failed,
// and reports quantiles of what it measured. No timing is asserted, only counts and order.

t.test('quantile picks the smallest value with at least q of them at or below it', async (t) => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  t.equal(quantile(values, 0.5), 50);
  t.equal(quantile(values, 0.99), 99);
  t.equal(quantile(values, 1), 100);
  t.equal(quantile([7], 0.99), 7);
  t.ok(Number.isNaN(quantile([], 0.5)), 'no values, no quantile');
});

t.test('pacedLoad sends rate × seconds requests and counts the failed ones', async (t) => {
  let received = 0;
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    received += 1;
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      bodies.push(body);
      res.statusCode = req.url === '/fail' ? 503 : 204;
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let n = 0;
  const ok = await pacedLoad({ url, path: '/ok', method: 'POST', body: () => `body-${n++}`, rate: 200, seconds: 0.5 });
  t.equal(ok.count, 100, 'every request answered and measured');
  t.equal(ok.failed, 0);
  t.equal(received, 100);
  t.same(new Set(bodies).size, 100, 'each request carried its own body');
  t.ok(ok.p50 >= 0 && ok.p50 <= ok.p99, 'p50 ≤ p99');

  const bad = await pacedLoad({ url, path: '/fail', method: 'GET', rate: 100, seconds: 0.2 });
  t.equal(bad.failed, 20, 'answers of 300 and above count as failed');
});
