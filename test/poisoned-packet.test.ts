import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { api, eventually, setFaults, startTestGateway } from './helpers/gateway.js';

// Issue 14 item 1: one record that the Ministry cannot read makes it refuse the whole packet
// (400 PACKET_MALFORMED). The gateway sends the packet again in halves until the record is
// alone: it goes dead with the Ministry's reason, and every other record of the packet, from
// every vendor, is delivered.

const examples = join(import.meta.dirname, '..', 'examples');

t.test('a packet refused as malformed is split until the record it chokes on is alone; the others are delivered', async (t) => {
  const gw = await startTestGateway(t, {
    delivery: {
      packetSize: 200,
      pollIntervalMs: 20,
      retry: { inProcessAttempts: 1, maxAttempts: 50, baseDelayMs: 30, capDelayMs: 200 },
      circuit: { failureThreshold: 1000, coolDownMs: 50, maxCoolDownMs: 100 },
    },
  });
  const emisKey = gw.demoCredentials!.vendors.emis!;
  // Hold delivery while both vendors submit, so that their records share packets.
  await setFaults(gw, { outage: true });
  const vnedu = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, raw: readFileSync(join(examples, 'vnedu', 'batch-grades-1-5.json'), 'utf8') });
  const emis = await api(gw, 'POST', '/v1/submissions', { token: emisKey, raw: readFileSync(join(examples, 'emis', 'batch-small.json'), 'utf8') });
  t.equal(vnedu.status, 202);
  t.equal(emis.status, 202);
  const records = [...vnedu.json.records, ...emis.json.records].filter((r: { status: string }) => r.status === 'queued');
  const poison = vnedu.json.records[7].recordKey as string;
  await setFaults(gw, { malformedRecordKeys: [poison] });
  const states = async () => {
    const all = await Promise.all(records.map(async (r: { recordId: string }) => (await api(gw, 'GET', `/admin/v1/records/${r.recordId}`, { token: gw.adminToken })).json.record));
    return all.every((r) => r.state === 'acknowledged' || r.state === 'dead') ? all : null;
  };
  let last: unknown[] = [];
  const settled = await eventually('every record to settle', async () => {
    const all = await states();
    if (!all) last = await Promise.all(records.map(async (r: { recordId: string }) => (await api(gw, 'GET', `/admin/v1/records/${r.recordId}`, { token: gw.adminToken })).json.record?.state));
    return all;
  }, 60_000).catch((e) => {
    t.comment(JSON.stringify(last));
    throw e;
  });
  const dead = settled.filter((r) => r.state === 'dead');
  t.same(dead.map((r) => r.recordKey), [poison], 'only the record the Ministry cannot read is dead');
  t.equal(dead[0].lastCode, 'PACKET_MALFORMED', "with the Ministry's code");
  t.match(dead[0].lastReason, /refuses any packet that holds this record/, 'and a reason that says it was tried alone');
  t.equal(settled.filter((r) => r.state === 'acknowledged').length, records.length - 1, "every other record, both vendors', is delivered");
  t.ok(gw.logs.some((l) => l.includes('sent again in halves')), 'the log says the packet was split');
  const sim = (await (await fetch(`${gw.simUrl}/_sim/stats`)).json().catch(() => null)) as { packetsRefused?: number } | null;
  if (sim?.packetsRefused !== undefined) t.ok(sim.packetsRefused >= 2, `the Ministry refused ${sim.packetsRefused} packets on the way`);
});
