import t from 'tap';
import { api, setFaults, startTestGateway } from './helpers/gateway.js';

// /healthz: the process lives. /readyz: this replica can take submissions (database writable,
// disk above the threshold, signing key loaded); the Ministry's circuit is shown but an outage
// there does not make the replica unready, or a load balancer would cut every vendor off. Both
// are cheap: no signature and no Ministry call per request (each /readyz signed a probe and called
// the Ministry: 1,700/s from one client).

t.setTimeout(60_000);

t.test('/readyz signs nothing, calls no Ministry, and stays ready through a Ministry outage', async (t) => {
  const gw = await startTestGateway(t, { logLevel: 'warn' });
  const svc = gw.app.services;
  let signs = 0;
  let probes = 0;
  const sign = svc.signer.sign.bind(svc.signer);
  svc.signer.sign = (xml: string) => (signs++, sign(xml));
  const probe = svc.transport.probe.bind(svc.transport);
  svc.transport.probe = () => (probes++, probe());
  for (let i = 0; i < 50; i++) {
    const r = await api(gw, 'GET', '/readyz');
    t.equal(r.status, 200);
  }
  t.equal(signs, 0, 'no signature per /readyz');
  t.equal(probes, 0, 'no Ministry call per /readyz');
  const ready = await api(gw, 'GET', '/readyz');
  t.match(ready.json.checks, { database: { ok: true }, disk: { ok: true }, signingKey: { ok: true }, ministry: { circuit: 'closed' } });
  t.type(ready.json.checks.disk.freeBytes, 'number');

  await setFaults(gw, { outage: true });
  const during = await api(gw, 'GET', '/readyz');
  t.equal(during.status, 200, 'a Ministry outage leaves the replica ready');
  t.equal((await api(gw, 'GET', '/healthz')).status, 200);
});

t.test('/readyz is 503 when the data directory\'s disk is below the threshold', async (t) => {
  const gw = await startTestGateway(t, { logLevel: 'warn', health: { minDiskFreeBytes: Number.MAX_SAFE_INTEGER } });
  const r = await api(gw, 'GET', '/readyz');
  t.equal(r.status, 503);
  t.equal(r.json.status, 'not ready');
  t.equal(r.json.checks.disk.ok, false);
  t.equal(r.json.checks.database.ok, true);
  t.equal((await api(gw, 'GET', '/healthz')).status, 200, 'alive all the same');
});
