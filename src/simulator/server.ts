import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { codeForStatus, drawPacketFault, FaultSettingsError, inOutage, parseFaultSettings } from './faults.js';
import { createPacketReader } from './check-pool.js';
import { admitPacket, loadRecordValidator, PacketRefused } from './packet-check.js';
import { createSoapBinding, SOAP_ENDPOINT, soapFaultXml } from './soap-binding.js';
import { RECENT_PACKETS, SimulatorState, type Sender } from './state.js';

// A strict stand-in for the Ministry (specs/ministry-profile/v0), over REST and SOAP: it refuses
// what the real one would refuse (source address, token, signature, client certificate), it
// fails on demand (/_sim/faults), and it tells tests what it received (/_sim/*), so that the
// gateway's exactly-once delivery and its error handling can be proven end to end.

export const DEMO_MINISTRY_CLIENT = Object.freeze({ clientId: 'so-gddt-demo', clientSecret: 'demo-ministry-secret' });

export interface SimulatorTls {
  cert: string;
  key: string;
  /** CA that province client certificates must chain to. */
  ca?: string;
  /** Mutual TLS: refuse any connection without a client certificate from `ca` (default true). */
  requireClientCert?: boolean;
}

export interface SimulatorOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The province certificate on file: packets are verified against it, never the one they carry. */
  provinceCertPem: string;
  allowlist?: string[];
  clients?: { clientId: string; clientSecret: string }[];
  tokenTtlSeconds?: number;
  maxPacketBytes?: number;
  /** Faults from the start (same shape as PUT /_sim/faults). */
  faults?: unknown;
  /** Serve HTTPS instead of HTTP. */
  tls?: SimulatorTls;
  logger?: FastifyServerOptions['logger'];
  /** Threads that read packets (signature, structure, records); 0: on the event loop. */
  workers?: number;
  /**
   * The /_sim/ endpoints (whole packets with students' data, fault changes) answer only when asked
   * for: `inspection: true` opens them to every caller, `inspectionToken` to callers that send
   * `Authorization: Bearer <token>`. Off (404) otherwise.
   */
  inspection?: boolean;
  inspectionToken?: string | null;
}

export interface RunningSimulator {
  url: string;
  close(): Promise<void>;
  state: SimulatorState;
}

const PACKETS_PATH = '/api/v0/packets';

const TITLES: Record<string, string> = {
  TOKEN_INVALID: 'Invalid or expired access token',
  SOURCE_NOT_ALLOWED: 'Source address not allowed',
  PACKET_MALFORMED: 'Malformed packet',
  SIGNATURE_INVALID: 'Invalid signature',
  SIGNATURE_MISSING: 'Missing signature',
  PACKET_TOO_LARGE: 'Packet too large',
  RATE_LIMITED: 'Too many requests',
  UNAVAILABLE: 'Service unavailable',
};

const isSoap = (request: FastifyRequest) => request.url.startsWith(SOAP_ENDPOINT);

/** A refusal in the caller's binding: Problem Details for REST, a SOAP fault for SOAP. */
function refuse(request: FastifyRequest, reply: FastifyReply, status: number, code: string, detail: string, retryAfterSeconds?: number): FastifyReply {
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(Math.ceil(retryAfterSeconds)));
  if (isSoap(request)) return reply.code(status).type('text/xml; charset=utf-8').send(soapFaultXml(status, code, detail, retryAfterSeconds));
  return reply
    .code(status)
    .type('application/problem+json')
    .send({
      type: `urn:moet:hocba:problem:${code.toLowerCase().replace(/_/g, '-')}`,
      title: TITLES[code] ?? STATUS_CODES[status] ?? 'Error',
      status,
      code,
      detail,
    });
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
/** Compares digests so that neither content nor length leaks through timing. */
const secretEquals = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));
/** IPv4 callers of a dual-stack socket appear as ::ffff:a.b.c.d; the allowlist speaks plain IPv4. */
const plainAddress = (a: string): string => (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(a) ? a.slice(7) : a);
/** A login session as the simulator logs it: a digest of the token, never the token. */
const sessionOf = (token: string): string => digest(token).toString('hex').slice(0, 12);

export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  if (!opts.provinceCertPem) throw new Error('startSimulator: provinceCertPem is required');
  const allowlist = new Set((opts.allowlist ?? ['127.0.0.1', '::1']).map(plainAddress));
  const clients = opts.clients ?? [DEMO_MINISTRY_CLIENT];
  const tokenTtlSeconds = opts.tokenTtlSeconds ?? 3600;
  const maxPacketBytes = opts.maxPacketBytes ?? 20 * 1024 * 1024;
  const state = new SimulatorState();
  if (opts.faults !== undefined) state.setFaults(parseFaultSettings(opts.faults));
  const validateRecord = loadRecordValidator();
  const reader = createPacketReader(opts.workers ?? 0, opts.provinceCertPem);
  /** Connections held open by the hang fault, cut when the simulator closes. */
  const hung = new Set<Socket>();

  const tls = opts.tls;
  const app = Fastify({
    logger: opts.logger ?? false,
    ...(tls
      ? { https: { cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: tls.requireClientCert ?? true, rejectUnauthorized: tls.requireClientCert ?? true } }
      : {}),
  });
  // SOAP carries the packet as base64 inside an envelope: a third more, plus the envelope.
  const soapBodyLimit = Math.ceil(maxPacketBytes * 1.4) + 64 * 1024;
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'string', bodyLimit: soapBodyLimit }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return refuse(request, reply, 413, 'PACKET_TOO_LARGE', `the limit is ${maxPacketBytes} bytes`);
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return refuse(request, reply, 415, 'UNSUPPORTED_MEDIA_TYPE', err.message);
    if (status >= 500) {
      request.log.error(err);
      return refuse(request, reply, status, 'INTERNAL', 'the simulator failed');
    }
    return refuse(request, reply, status, request.url.startsWith(PACKETS_PATH) ? 'PACKET_MALFORMED' : 'BAD_REQUEST', err.message);
  });
  app.setNotFoundHandler((request, reply) => refuse(request, reply, 404, 'NOT_FOUND', `no route ${request.method} ${request.url}`));
  app.addHook('preClose', async () => {
    for (const s of hung) s.destroy();
  });

  // Every call but the operator endpoints: the firewall's allowlist first, then a simulated
  // outage. Decided on the matched route, not the raw URL, so no spelling of a path slips by.
  const inspectionToken = opts.inspectionToken ? Buffer.from(`Bearer ${opts.inspectionToken}`) : null;
  const mayInspect = (authorization: string | undefined): boolean => {
    if (opts.inspection) return true;
    if (!inspectionToken || !authorization) return false;
    const given = Buffer.from(authorization);
    return given.length === inspectionToken.length && timingSafeEqual(given, inspectionToken);
  };
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url?.startsWith('/_sim/')) {
      if (mayInspect(request.headers.authorization)) return;
      return refuse(request, reply, 404, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`);
    }
    const source = plainAddress(request.socket.remoteAddress ?? '');
    if (!allowlist.has(source)) return refuse(request, reply, 403, 'SOURCE_NOT_ALLOWED', `source address ${source} is not on the allowlist`);
    if (inOutage(state.faults)) return refuse(request, reply, 503, 'UNAVAILABLE', 'simulated outage', state.faults.retryAfterSeconds);
  });

  /** The faults of a packet call, before its body is read. */
  async function faultGate(request: FastifyRequest, reply: FastifyReply) {
    // Packet calls that got past the firewall and the outage, and how many were open at once:
    // what tests read to see the gateway's concurrency and its circuit breaker at work.
    state.packetCalls += 1;
    state.inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    reply.raw.once('close', () => (state.inFlight -= 1));
    const f = state.faults;
    if (f.latencyMs) await sleep(f.latencyMs);
    if (f.rateLimitRetryAfterSeconds !== undefined && state.rateLimitRemaining > 0) {
      state.rateLimitRemaining -= 1;
      return refuse(request, reply, 429, 'RATE_LIMITED', 'simulated rate limit', f.rateLimitRetryAfterSeconds);
    }
    const fault = drawPacketFault(f);
    if (fault?.kind === 'hang') {
      // Never answer: the caller's timeout is all that ends this call.
      reply.hijack();
      const socket = request.raw.socket;
      hung.add(socket);
      await new Promise((resolve) => socket.once('close', resolve));
      hung.delete(socket);
      return reply;
    }
    if (fault?.kind === 'reset') {
      reply.hijack();
      request.raw.socket.destroy();
      return reply;
    }
    if (fault?.kind === 'error') {
      const after = fault.status === 429 ? (f.retryAfterSeconds ?? 1) : fault.status === 503 ? f.retryAfterSeconds : undefined;
      return refuse(request, reply, fault.status, codeForStatus(fault.status), 'simulated failure', after);
    }
  }

  /** A processed packet whose receipt never reaches the caller (the dropReceipt fault). */
  function dropReceipt(request: FastifyRequest, reply: FastifyReply): boolean {
    const share = state.faults.dropReceiptRate;
    if (!share || Math.random() >= share) return false;
    state.receiptsDropped += 1;
    reply.hijack();
    request.raw.socket.destroy();
    return true;
  }

  function login(clientId: unknown, clientSecret: unknown) {
    const known =
      typeof clientId === 'string' &&
      typeof clientSecret === 'string' &&
      clients.some((c) => c.clientId === clientId && secretEquals(c.clientSecret, clientSecret));
    if (!known) return null;
    const accessToken = randomBytes(32).toString('base64url');
    state.tokens.set(accessToken, Date.now() + tokenTtlSeconds * 1000);
    state.tokensIssued += 1;
    return { accessToken, tokenType: 'Bearer', expiresIn: tokenTtlSeconds };
  }

  /** Why a token is refused, or null when it is good. */
  function tokenProblem(token: unknown): string | null {
    const expiresAt = typeof token === 'string' ? state.tokens.get(token) : undefined;
    if (expiresAt === undefined) return 'send a valid access token';
    if (Date.now() >= expiresAt) {
      state.tokens.delete(token as string);
      return 'the access token has expired';
    }
    return null;
  }

  async function receivePacket(xml: string, sender: Sender) {
    state.latestPacket = xml;
    state.recentPackets.push(xml);
    if (state.recentPackets.length > RECENT_PACKETS) state.recentPackets.shift();
    state.packetsReceived += 1;
    try {
      const packet = await reader.read(xml, { rejectRecordKeys: state.faults.rejectRecordKeys, malformedRecordKeys: state.faults.malformedRecordKeys });
      const receipt = admitPacket(packet, { provinceCertPem: opts.provinceCertPem, state, validateRecord, sender });
      state.packets += 1;
      return receipt;
    } catch (e) {
      if (e instanceof PacketRefused) state.packetsRefused += 1;
      throw e;
    }
  }

  app.post('/api/v0/auth/token', async (request, reply) => {
    const body = (request.body ?? {}) as { clientId?: unknown; clientSecret?: unknown };
    return login(body.clientId, body.clientSecret) ?? refuse(request, reply, 401, 'TOKEN_INVALID', 'unknown clientId or wrong clientSecret');
  });

  app.get('/api/v0/health', async () => ({ status: 'ok' }));

  async function restTokenGate(request: FastifyRequest, reply: FastifyReply) {
    const match = /^Bearer ([^\s]+)$/i.exec(request.headers.authorization ?? '');
    const problem = match ? tokenProblem(match[1]) : 'send Authorization: Bearer <accessToken>';
    if (problem) return refuse(request, reply, 401, 'TOKEN_INVALID', problem);
  }

  app.post(PACKETS_PATH, { onRequest: [faultGate, restTokenGate], bodyLimit: maxPacketBytes }, async (request, reply) => {
    if (typeof request.body !== 'string') return refuse(request, reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send Content-Type: application/xml');
    const token = /^Bearer ([^\s]+)$/i.exec(request.headers.authorization ?? '')![1];
    try {
      const receipt = await receivePacket(request.body, { session: sessionOf(token), source: plainAddress(request.socket.remoteAddress ?? ''), binding: 'rest' });
      if (dropReceipt(request, reply)) return reply;
      return receipt;
    } catch (e) {
      if (!(e instanceof PacketRefused)) throw e;
      return refuse(request, reply, e.status, e.code, e.message);
    }
  });

  const soapBinding = await createSoapBinding({
    login,
    submit(token, xml, source) {
      const problem = tokenProblem(token);
      if (problem) throw new PacketRefused(401, 'TOKEN_INVALID', problem);
      return receivePacket(xml, { session: sessionOf(token as string), source: plainAddress(source), binding: 'soap' });
    },
  });
  app.get(SOAP_ENDPOINT, async (_request, reply) => reply.type('text/xml; charset=utf-8').send(soapBinding.wsdl));
  app.post(
    SOAP_ENDPOINT,
    {
      bodyLimit: soapBodyLimit,
      // Packet faults apply to SubmitPacket only; Login goes through like REST's token call.
      onRequest: async (request, reply) => {
        if (/SubmitPacket/.test(String(request.headers.soapaction ?? ''))) return faultGate(request, reply);
      },
    },
    async (request, reply) => {
      if (typeof request.body !== 'string') return refuse(request, reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send Content-Type: text/xml');
      const res = await soapBinding.handle(request.body, request.headers, request.socket.remoteAddress ?? '');
      if (res.status === 200 && /SubmitPacket/.test(String(request.headers.soapaction ?? '')) && dropReceipt(request, reply)) return reply;
      return reply.code(res.status).type(res.contentType).send(res.body);
    },
  );

  // Operator and test endpoints: no token, no allowlist (the simulator is never exposed).
  app.get('/_sim/records', async () => ({
    unique: state.records.size,
    duplicates: state.duplicates,
    withdrawals: state.withdrawals,
    records: [...state.records.values()],
  }));
  app.get('/_sim/deliveries', async () => {
    const sessions: Record<string, number> = {};
    for (const list of state.deliveries.values()) for (const d of list) sessions[d.session] = (sessions[d.session] ?? 0) + 1;
    return { keys: state.deliveries.size, sessions, byKey: Object.fromEntries(state.deliveries) };
  });
  app.get('/_sim/packets/latest', async (request, reply) => {
    if (state.latestPacket === undefined) return refuse(request, reply, 404, 'NOT_FOUND', 'no packet received yet');
    return reply.type('application/xml; charset=utf-8').send(state.latestPacket);
  });
  app.get('/_sim/packets', async () => ({ received: state.packetsReceived, packets: state.recentPackets }));
  app.get('/_sim/stats', async () => ({
    unique: state.records.size,
    duplicates: state.duplicates,
    withdrawals: state.withdrawals,
    packets: state.packets,
    packetsRefused: state.packetsRefused,
    tokensIssued: state.tokensIssued,
    rejected: state.rejected,
    packetCalls: state.packetCalls,
    receiptsDropped: state.receiptsDropped,
    maxInFlight: state.maxInFlight,
    hungConnections: hung.size,
  }));
  app.get('/_sim/faults', async () => state.faults);
  app.put('/_sim/faults', async (request, reply) => {
    try {
      state.setFaults(parseFaultSettings(request.body));
    } catch (e) {
      if (e instanceof FaultSettingsError) return refuse(request, reply, 400, 'BAD_REQUEST', e.message);
      throw e;
    }
    return state.faults;
  });
  app.delete('/_sim/faults', async () => {
    state.setFaults({});
    return state.faults;
  });
  app.post('/_sim/reset', async () => {
    state.reset();
    return { status: 'reset' };
  });

  await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 8090 });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${tls ? 'https' : 'http'}://${host}:${address.port}`,
    close: async () => {
      await app.close();
      await reader.close();
    },
    state,
  };
}
