import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { startSimulator, type SimulatorOptions } from '../src/simulator/server.js';
import { RestTransport } from '../src/transport/rest/rest-transport.js';
import { SoapTransport } from '../src/transport/soap/soap-transport.js';
import { PermanentDeliveryError, TransientDeliveryError, type MinistryTransport } from '../src/transport/transport.js';
import type { EgressOptions } from '../src/transport/egress.js';
import { demoPki, sampleRecords, signedPacket, startConnectProxy } from './helpers/ministry.js';

// Both bindings against the real simulator over real sockets: receipts, token handling, error
// classification, static-IP egress (local address and CONNECT proxy) and mutual TLS.

const pki = await demoPki(t);
const BINDINGS = { rest: RestTransport, soap: SoapTransport } as const;
type Binding = keyof typeof BINDINGS;

async function simulator(t: Test, opts: Partial<SimulatorOptions> = {}) {
  const sim = await startSimulator({ port: 0, inspection: true, provinceCertPem: pki.provinceCertPem, ...opts });
  t.teardown(() => sim.close());
  return sim;
}

function transport(t: Test, binding: Binding, baseUrl: string, egress: Omit<EgressOptions, 'timeoutMs'> = {}, timeoutMs = 5000): MinistryTransport {
  const tr = new BINDINGS[binding]({ baseUrl, clientId: 'so-gddt-demo', clientSecret: 'demo-ministry-secret', timeoutMs, egress });
  t.teardown(() => tr.close());
  return tr;
}

let prefix = 100;
const packet = (n = 3) => signedPacket(pki.signer, sampleRecords(n, `TR${prefix++}`));
const send = async (tr: MinistryTransport, n: number) => {
  const p = await packet(n);
  return tr.sendPacket(p.packetId, p.xml);
};

async function failure(p: Promise<unknown>): Promise<TransientDeliveryError | PermanentDeliveryError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TransientDeliveryError || e instanceof PermanentDeliveryError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

for (const binding of Object.keys(BINDINGS) as Binding[]) {
  t.test(`${binding}: a signed packet is delivered and its receipt read back`, async (t) => {
    const sim = await simulator(t);
    const tr = transport(t, binding, sim.url);
    t.ok(await tr.probe(), 'the probe reaches the Ministry');
    const p = await packet(3);
    const receipt = await tr.sendPacket(p.packetId, p.xml);
    t.equal(receipt.packetId, p.packetId);
    t.same(receipt.results.map((r) => r.status), ['accepted', 'accepted', 'accepted']);
    t.ok(receipt.results.every((r) => r.ministryRecordId?.startsWith('MOET-')));
    t.equal(sim.state.latestPacket, p.xml, 'the packet arrives byte for byte');
    const again = await tr.sendPacket(p.packetId, p.xml);
    t.same(again.results.map((r) => r.status), ['duplicate', 'duplicate', 'duplicate'], 'a re-sent record is counted once');
    t.same(again.results.map((r) => r.ministryRecordId), receipt.results.map((r) => r.ministryRecordId));
    const deliveries = [...sim.state.deliveries.values()].flat();
    t.ok(deliveries.every((d) => d.binding === binding && d.source === '127.0.0.1'), 'the simulator logs who sent what');
    t.equal(sim.state.tokensIssued, 1, 'one login for both packets');
  });

  t.test(`${binding}: the token is renewed before it expires and once more on 401`, async (t) => {
    const sim = await simulator(t, { tokenTtlSeconds: 1 });
    const tr = transport(t, binding, sim.url);
    await send(tr, 1);
    t.equal(sim.state.tokensIssued, 1);
    await sleep(900); // past four fifths of the token's life, before its end
    await send(tr, 1);
    t.equal(sim.state.tokensIssued, 2, 'renewed ahead of expiry');
    sim.state.tokens.clear(); // the Ministry revokes every token
    const r = await send(tr, 1);
    t.equal(r.results[0].status, 'accepted', 'a 401 leads to one new login and the packet goes through');
    t.equal(sim.state.tokensIssued, 3);
  });

  t.test(`${binding}: errors are sorted into retryable and permanent, keeping the Ministry's code`, async (t) => {
    const sim = await simulator(t);
    const tr = transport(t, binding, sim.url, {}, 400);
    const p = await packet(1);
    const cases: [object, 'transient' | 'permanent', string, number | undefined][] = [
      [{ errorRates: { 503: 1 } }, 'transient', 'UNAVAILABLE', undefined],
      [{ errorRates: { 500: 1 } }, 'transient', 'INTERNAL', undefined],
      [{ errorRates: { 429: 1 }, retryAfterSeconds: 2 }, 'transient', 'RATE_LIMITED', 2000],
      [{ rateLimitRetryAfterSeconds: 7 }, 'transient', 'RATE_LIMITED', 7000],
      [{ outage: true }, 'transient', 'UNAVAILABLE', undefined],
      [{ errorRates: { 400: 1 } }, 'permanent', 'SIMULATED_ERROR', undefined],
    ];
    for (const [faults, kind, code, retryAfter] of cases) {
      sim.state.setFaults(faults);
      const e = await failure(tr.sendPacket(p.packetId, p.xml));
      t.equal(e instanceof TransientDeliveryError ? 'transient' : 'permanent', kind, `${JSON.stringify(faults)}: ${kind}`);
      t.equal(e.code, code, `${JSON.stringify(faults)}: code ${code}`);
      if (retryAfter !== undefined) t.equal((e as TransientDeliveryError).retryAfterMs, retryAfter, 'Retry-After is read');
    }
    sim.state.setFaults({ hangRate: 1 });
    const hang = await failure(tr.sendPacket(p.packetId, p.xml));
    t.type(hang, TransientDeliveryError, 'a hanging connection times out and is retryable');
    t.match(hang.code, /TIMEOUT/);
    sim.state.setFaults({ resetRate: 1 });
    t.type(await failure(tr.sendPacket(p.packetId, p.xml)), TransientDeliveryError, 'a reset connection is retryable');
    sim.state.setFaults({ dropReceiptRate: 1 });
    t.type(await failure(tr.sendPacket(p.packetId, p.xml)), TransientDeliveryError, 'a lost receipt is retryable');
    t.equal(sim.state.records.size, 1, 'although the Ministry kept the record');
    sim.state.setFaults({});
    const after = await tr.sendPacket(p.packetId, p.xml);
    t.equal(after.results[0].status, 'duplicate', 'and the re-send is a duplicate, not a second record');

    const bad = await packet(1);
    const tampered = bad.xml.replace('<packetId>', '<packetId>X');
    const sig = await failure(tr.sendPacket(bad.packetId, tampered));
    t.type(sig, PermanentDeliveryError, 'a refused signature is permanent');
    t.equal(sig.code, 'SIGNATURE_INVALID');
    const wrong = new BINDINGS[binding]({ baseUrl: sim.url, clientId: 'so-gddt-demo', clientSecret: 'wrong', timeoutMs: 2000 });
    t.teardown(() => wrong.close());
    const login = await failure(wrong.sendPacket(bad.packetId, bad.xml));
    t.equal(login.code, 'TOKEN_INVALID', 'a refused login keeps its code');
  });

  t.test(`${binding}: the allowlist admits only the province's static IP`, async (t) => {
    // 127.0.0.2 vs 127.0.0.1: Linux loopback answers for all of 127.0.0.0/8.
    const only1 = await simulator(t, { allowlist: ['127.0.0.1'] });
    const from2 = transport(t, binding, only1.url, { localAddress: '127.0.0.2' });
    const refused = await failure(send(from2, 1));
    t.type(refused, PermanentDeliveryError);
    t.equal(refused.code, 'SOURCE_NOT_ALLOWED', 'a call from 127.0.0.2 is refused');
    t.notOk(await from2.probe(), 'and the probe says so');
    const from1 = transport(t, binding, only1.url);
    t.equal((await send(from1, 1)).results[0].status, 'accepted', '127.0.0.1 is let in');

    const only2 = await simulator(t, { allowlist: ['127.0.0.2'] });
    const bound = transport(t, binding, only2.url, { localAddress: '127.0.0.2' });
    t.equal((await send(bound, 1)).results[0].status, 'accepted', 'bound to 127.0.0.2, let in');
    t.same([...only2.state.deliveries.values()].flat().map((d) => d.source), ['127.0.0.2']);
    const unbound = transport(t, binding, only2.url);
    t.equal((await failure(send(unbound, 1))).code, 'SOURCE_NOT_ALLOWED', 'the default address is refused');
  });

  t.test(`${binding}: through an HTTP CONNECT proxy that owns the static IP`, async (t) => {
    const sim = await simulator(t, { allowlist: ['127.0.0.3'] });
    const proxy = await startConnectProxy(t, '127.0.0.3');
    const direct = transport(t, binding, sim.url);
    t.equal((await failure(send(direct, 1))).code, 'SOURCE_NOT_ALLOWED', 'not directly');
    const viaProxy = transport(t, binding, sim.url, { proxy: proxy.url });
    const r = await send(viaProxy, 2);
    t.same(r.results.map((x) => x.status), ['accepted', 'accepted'], 'but through the proxy');
    t.ok(proxy.tunnels.includes(new URL(sim.url).host), 'the proxy tunnelled to the Ministry');
    t.same([...new Set([...sim.state.deliveries.values()].flat().map((d) => d.source))], ['127.0.0.3']);
    const bound = transport(t, binding, sim.url, { proxy: proxy.url, localAddress: '127.0.0.2' });
    t.equal((await send(bound, 1)).results[0].status, 'accepted');
    t.equal(proxy.clients.at(-1), '127.0.0.2', 'with both set, the socket to the proxy leaves from the local address');
  });

  t.test(`${binding}: mutual TLS with the province's client certificate`, async (t) => {
    const sim = await simulator(t, {
      tls: { cert: pki.pem(pki.tls.serverCert), key: pki.pem(pki.tls.serverKey), ca: pki.pem(pki.tls.caCert) },
    });
    t.match(sim.url, /^https:/);
    const tls = { ca: pki.pem(pki.tls.caCert), cert: pki.pem(pki.tls.clientCert), key: pki.pem(pki.tls.clientKey) };
    const withCert = transport(t, binding, sim.url, { tls });
    t.equal((await send(withCert, 1)).results[0].status, 'accepted', 'with the client certificate');
    const noCert = transport(t, binding, sim.url, { tls: { ca: tls.ca } });
    const refused = await failure(send(noCert, 1));
    t.type(refused, TransientDeliveryError, 'without it the handshake fails (a network error)');
    t.notOk(await noCert.probe());
    const untrusted = transport(t, binding, sim.url, { tls: { cert: tls.cert, key: tls.key } });
    t.match((await failure(send(untrusted, 1))).message, /certificate/i, 'a server outside the CA is not trusted');

    // mTLS inside a CONNECT tunnel: the proxy sees only ciphertext.
    const proxy = await startConnectProxy(t, '127.0.0.1');
    const tunnelled = transport(t, binding, sim.url, { tls, proxy: proxy.url });
    t.equal((await send(tunnelled, 1)).results[0].status, 'accepted', 'mutual TLS through the proxy');
    t.ok(proxy.tunnels.length > 0 && proxy.tunnels.every((h) => h === new URL(sim.url).host), 'every tunnel led to the Ministry');
  });
}
