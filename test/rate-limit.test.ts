import t from 'tap';
import { startTestGateway } from './helpers/gateway.js';

// Rate limits (plugins/rate-limit.ts) with low limits: per key, per address, failed
// authentication per address, and the SOAP endpoint's Fault. Counts only, never times.

const get = (url: string, key?: string) => fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {} });

t.test('per key, per address, and SOAP', async (t) => {
  const gw = await startTestGateway(t, { rateLimit: { enabled: true, perKeyPerMinute: 3, perAddressPerMinute: 3, failedAuthPerMinute: 100 } });
  const vnedu = gw.vendorKey;
  const smas = gw.demoCredentials!.vendors.smas!;

  for (let i = 0; i < 3; i++) t.equal((await get(`${gw.url}/v1/submissions`, vnedu)).status, 200, `vnedu request ${i + 1} within the limit`);
  const over = await get(`${gw.url}/v1/submissions`, vnedu);
  t.equal(over.status, 429);
  t.match(over.headers.get('content-type'), /application\/problem\+json/);
  t.ok(Number(over.headers.get('retry-after')) >= 1, 'Retry-After in seconds');
  const p = (await over.json()) as { code: string; detail: string; detail_vi: string; status: number };
  t.equal(p.code, 'RATE_LIMITED');
  t.equal(p.status, 429);
  t.match(p.detail, /limit of 3 requests a minute/);
  t.match(p.detail_vi, /Vượt giới hạn 3 yêu cầu/);

  // Another key has its own budget; so has the address without a key.
  t.equal((await get(`${gw.url}/v1/submissions`, smas)).status, 200, 'another key is unaffected');

  for (let i = 0; i < 3; i++) t.equal((await get(`${gw.url}/readyz`)).status, 200, `readyz ${i + 1} within the address limit`);
  const ready = await get(`${gw.url}/readyz`);
  t.equal(ready.status, 429, 'unauthenticated /readyz limited per address');
  t.ok(ready.headers.get('retry-after'));
  t.equal(((await ready.json()) as { code: string }).code, 'RATE_LIMITED');

  // SOAP: smas has used one of its three; the fourth is a SOAP Fault, not JSON.
  for (let i = 0; i < 2; i++) t.equal((await get(`${gw.url}/soap/smas/v1?wsdl`, smas)).status, 200);
  const soap = await get(`${gw.url}/soap/smas/v1?wsdl`, smas);
  t.equal(soap.status, 500, 'SOAP 1.1 faults are HTTP 500');
  t.match(soap.headers.get('content-type'), /xml/);
  t.ok(Number(soap.headers.get('retry-after')) >= 1, 'Retry-After on the fault too');
  const xml = await soap.text();
  t.match(xml, /<soap:Fault>/);
  t.match(xml, /<Code>RATE_LIMITED<\/Code><Status>429<\/Status>/);
});

t.test('failed authentication from one address', async (t) => {
  const gw = await startTestGateway(t, { rateLimit: { enabled: true, perKeyPerMinute: 1000, perAddressPerMinute: 1000, failedAuthPerMinute: 3 } });
  for (let i = 0; i < 3; i++) {
    const r = await get(`${gw.url}/v1/submissions`, `wrong-key-${i}`);
    t.equal(r.status, 401, `wrong key ${i + 1} refused`);
    t.equal(((await r.json()) as { code: string }).code, 'AUTH_INVALID');
  }
  // Past the budget every request from the address is refused, the right key included.
  const r = await get(`${gw.url}/v1/submissions`, gw.vendorKey);
  t.equal(r.status, 429);
  t.ok(Number(r.headers.get('retry-after')) >= 1);
  const p = (await r.json()) as { code: string; detail_vi: string };
  t.equal(p.code, 'AUTH_RATE_LIMITED');
  t.ok(p.detail_vi);
  t.equal((await get(`${gw.url}/healthz`)).status, 429, 'the address is held everywhere');
});

t.test('enabled: false limits nothing', async (t) => {
  const gw = await startTestGateway(t, { rateLimit: { enabled: false, perKeyPerMinute: 1, perAddressPerMinute: 1, failedAuthPerMinute: 1 } });
  for (let i = 0; i < 3; i++) t.equal((await get(`${gw.url}/v1/submissions`, 'wrong')).status, 401);
  for (let i = 0; i < 3; i++) t.equal((await get(`${gw.url}/readyz`)).status, 200);
  t.equal((await get(`${gw.url}/v1/submissions`, gw.vendorKey)).status, 200);
});
