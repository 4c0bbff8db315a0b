import t from 'tap';
import { drawPacketFault, FaultSettingsError, inOutage, parseFaultSettings } from '../src/simulator/faults.js';
import { startSimulator } from '../src/simulator/server.js';
import { demoPki } from './helpers/ministry.js';

// Fault settings are checked strictly (a typo must not silently inject nothing), and each fault
// does what it says. The faults' effect on real connections is in transport.test.ts.

t.test('fault settings are parsed strictly', async (t) => {
  const bad: [unknown, RegExp][] = [
    [[], /JSON object/],
    [{ outgae: true }, /unknown fault setting: outgae/],
    [{ latencyMs: -1 }, /non-negative/],
    [{ hangRate: 1.5 }, /hangRate must be between 0 and 1/],
    [{ errorRates: { 200: 0.1 } }, /not an HTTP error status/],
    [{ errorRates: { 500: 2 } }, /share between 0 and 1/],
    [{ errorRates: { 500: 0.6 }, resetRate: 0.5 }, /add up to 1.1/],
    [{ outageWindows: [{ from: 'tomorrow' }] }, /ISO date-time/],
    [{ outageWindows: [{ from: '2025-06-02T00:00:00Z', until: '2025-06-01T00:00:00Z' }] }, /ends before it starts/],
    [{ outageWindows: [{ start: '2025-06-02T00:00:00Z' }] }, /unknown field start/],
    [{ rejectRecordKeys: 'a' }, /array of strings/],
  ];
  for (const [input, message] of bad) t.throws(() => parseFaultSettings(input), { name: 'Error', message }, JSON.stringify(input));
  try {
    parseFaultSettings({ nope: 1 });
    t.fail('expected a FaultSettingsError');
  } catch (e) {
    t.type(e, FaultSettingsError, 'a FaultSettingsError, which the endpoint answers with 400');
  }
  const now = Date.parse('2025-06-01T08:00:00Z');
  t.same(parseFaultSettings({ outageForSeconds: 90, errorRates: { '503': 0.2 } }, now), {
    outageWindows: [{ from: '2025-06-01T08:00:00.000Z', until: '2025-06-01T08:01:30.000Z' }],
    errorRates: { 503: 0.2 },
  }, '"for N seconds" becomes a window from now');
});

t.test('outage windows and the draw of a packet fault', async (t) => {
  const f = { outageWindows: [{ from: '2025-06-01T08:00:00Z', until: '2025-06-01T09:00:00Z' }, { from: '2025-06-02T00:00:00Z' }] };
  t.notOk(inOutage(f, Date.parse('2025-06-01T07:59:59Z')));
  t.ok(inOutage(f, Date.parse('2025-06-01T08:30:00Z')));
  t.notOk(inOutage(f, Date.parse('2025-06-01T09:00:00Z')), 'until is exclusive');
  t.ok(inOutage(f, Date.parse('2025-07-01T00:00:00Z')), 'an open-ended window');
  t.ok(inOutage({ outage: true }));
  t.notOk(inOutage({}));

  const faults = { hangRate: 0.1, resetRate: 0.1, errorRates: { 500: 0.1, 429: 0.1 }, errorRate: 0.1, errorStatus: 502 };
  const draw = (r: number) => drawPacketFault(faults, () => r);
  t.same(draw(0.05), { kind: 'hang' });
  t.same(draw(0.15), { kind: 'reset' });
  t.same([draw(0.25), draw(0.35)].map((x) => x && 'status' in x && x.status).sort(), [429, 500]);
  t.same(draw(0.45), { kind: 'error', status: 502 });
  t.equal(draw(0.55), null, 'the other 50% go through');
  t.equal(drawPacketFault({}, () => 0), null, 'no faults, no fault');
});

t.test('faults from the start and through /_sim/faults', async (t) => {
  const pki = await demoPki(t);
  const sim = await startSimulator({ port: 0, inspection: true, provinceCertPem: pki.provinceCertPem, faults: { latencyMs: 5 } });
  t.teardown(() => sim.close());
  const faults = async (method: string, body?: unknown) => {
    const res = await fetch(sim.url + '/_sim/faults', { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, json: await res.json() };
  };
  t.same((await faults('GET')).json, { latencyMs: 5 }, 'the faults given at start');
  const bad = await faults('PUT', { errorRate: 3 });
  t.equal(bad.status, 400);
  t.match(bad.json, { code: 'BAD_REQUEST', detail: /errorRate/ });
  const health = () => fetch(sim.url + '/api/v0/health').then((r) => r.status);
  t.equal(await health(), 200);
  const set = await faults('PUT', { outageForSeconds: 60 });
  t.equal(set.json.outageWindows.length, 1);
  t.equal(await health(), 503, 'down for the next minute');
  await faults('PUT', { outageWindows: [{ until: new Date(Date.now() - 1000).toISOString() }] });
  t.equal(await health(), 200, 'a window that has ended');
  await faults('DELETE');
  t.same((await faults('GET')).json, {});
  const wsdl = await fetch(sim.url + '/soap/v0?wsdl');
  t.equal(wsdl.status, 200);
  t.match(await wsdl.text(), /<wsdl:definitions/, 'the simulator serves the WSDL');
  await faults('PUT', { outage: true });
  const soapDown = await fetch(sim.url + '/soap/v0', { method: 'POST', headers: { 'content-type': 'text/xml', soapaction: 'urn:moet:hocba:ministry:v0#Login' }, body: '<x/>' });
  t.equal(soapDown.status, 503);
  t.match(await soapDown.text(), /<faultstring>UNAVAILABLE<\/faultstring>.*<status>503<\/status>/, 'a SOAP caller gets a SOAP fault');
});
