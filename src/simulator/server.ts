import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { codeForStatus, FaultSettingsError, parseFaultSettings } from './faults.js';
import { checkPacket, loadRecordValidator, PacketRefused } from './packet-check.js';
import { RECENT_PACKETS, SimulatorState } from './state.js';

// A strict stand-in for the Ministry's REST endpoint (specs/ministry-profile/v0): it refuses
// what the real one would refuse, and it tells tests what it received (/_sim/*), so that the
// gateway's exactly-once delivery and its error handling can be proven end to end.

export const DEMO_MINISTRY_CLIENT = Object.freeze({ clientId: 'so-gddt-demo', clientSecret: 'demo-ministry-secret' });

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
  logger?: FastifyServerOptions['logger'];
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

function sendProblem(reply: FastifyReply, status: number, code: string, detail: string): FastifyReply {
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

export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  if (!opts.provinceCertPem) throw new Error('startSimulator: provinceCertPem is required');
  const allowlist = new Set(opts.allowlist ?? ['127.0.0.1', '::1', '::ffff:127.0.0.1']);
  const clients = opts.clients ?? [DEMO_MINISTRY_CLIENT];
  const tokenTtlSeconds = opts.tokenTtlSeconds ?? 3600;
  const maxPacketBytes = opts.maxPacketBytes ?? 20 * 1024 * 1024;
  const state = new SimulatorState();
  const validateRecord = loadRecordValidator();

  const app = Fastify({ logger: opts.logger ?? false });
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'string', bodyLimit: maxPacketBytes }, (_req, body, done) =>
    done(null, body),
  );

  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendProblem(reply, 413, 'PACKET_TOO_LARGE', `the limit is ${maxPacketBytes} bytes`);
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendProblem(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', err.message);
    if (status >= 500) {
      request.log.error(err);
      return sendProblem(reply, status, 'INTERNAL', 'the simulator failed');
    }
    return sendProblem(reply, status, request.url.startsWith(PACKETS_PATH) ? 'PACKET_MALFORMED' : 'BAD_REQUEST', err.message);
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, 404, 'NOT_FOUND', `no route ${request.method} ${request.url}`));

  // Every call but the operator endpoints: the firewall's allowlist first, then a simulated
  // outage. Decided on the matched route, not the raw URL, so no spelling of a path slips by.
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url?.startsWith('/_sim/')) return;
    const source = request.socket.remoteAddress ?? '';
    if (!allowlist.has(source)) return sendProblem(reply, 403, 'SOURCE_NOT_ALLOWED', `source address ${source} is not on the allowlist`);
    if (state.faults.outage) return sendProblem(reply, 503, 'UNAVAILABLE', 'simulated outage');
  });

  /** Faults of the packet endpoint, then its bearer token; before the body is read. */
  async function packetGate(request: FastifyRequest, reply: FastifyReply) {
    const f = state.faults;
    if (f.latencyMs) await sleep(f.latencyMs);
    if (f.rateLimitRetryAfterSeconds !== undefined && state.rateLimitRemaining > 0) {
      state.rateLimitRemaining -= 1;
      reply.header('retry-after', String(Math.ceil(f.rateLimitRetryAfterSeconds)));
      return sendProblem(reply, 429, 'RATE_LIMITED', 'simulated rate limit');
    }
    if (f.errorRate && Math.random() < f.errorRate) {
      const status = f.errorStatus ?? 503;
      return sendProblem(reply, status, codeForStatus(status), 'simulated failure');
    }
    const match = /^Bearer ([^\s]+)$/i.exec(request.headers.authorization ?? '');
    const expiresAt = match ? state.tokens.get(match[1]) : undefined;
    if (expiresAt === undefined) return sendProblem(reply, 401, 'TOKEN_INVALID', 'send Authorization: Bearer <accessToken>');
    if (Date.now() >= expiresAt) {
      state.tokens.delete(match![1]);
      return sendProblem(reply, 401, 'TOKEN_INVALID', 'the access token has expired');
    }
  }

  app.post('/api/v0/auth/token', async (request, reply) => {
    const body = (request.body ?? {}) as { clientId?: unknown; clientSecret?: unknown };
    const { clientId, clientSecret } = body;
    const known =
      typeof clientId === 'string' &&
      typeof clientSecret === 'string' &&
      clients.some((c) => c.clientId === clientId && secretEquals(c.clientSecret, clientSecret));
    if (!known) return sendProblem(reply, 401, 'TOKEN_INVALID', 'unknown clientId or wrong clientSecret');
    const accessToken = randomBytes(32).toString('base64url');
    state.tokens.set(accessToken, Date.now() + tokenTtlSeconds * 1000);
    state.tokensIssued += 1;
    return { accessToken, tokenType: 'Bearer', expiresIn: tokenTtlSeconds };
  });

  app.get('/api/v0/health', async () => ({ status: 'ok' }));

  app.post(PACKETS_PATH, { onRequest: packetGate, bodyLimit: maxPacketBytes }, async (request, reply) => {
    if (typeof request.body !== 'string') return sendProblem(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send Content-Type: application/xml');
    state.latestPacket = request.body;
    state.recentPackets.push(request.body);
    if (state.recentPackets.length > RECENT_PACKETS) state.recentPackets.shift();
    state.packetsReceived += 1;
    try {
      const receipt = checkPacket(request.body, { provinceCertPem: opts.provinceCertPem, state, validateRecord });
      state.packets += 1;
      return receipt;
    } catch (e) {
      if (!(e instanceof PacketRefused)) throw e;
      state.packetsRefused += 1;
      return sendProblem(reply, e.status, e.code, e.message);
    }
  });

  // Operator and test endpoints: no token, no allowlist (the simulator is never exposed).
  app.get('/_sim/records', async () => ({
    unique: state.records.size,
    duplicates: state.duplicates,
    records: [...state.records.values()],
  }));
  app.get('/_sim/packets/latest', async (_request, reply) => {
    if (state.latestPacket === undefined) return sendProblem(reply, 404, 'NOT_FOUND', 'no packet received yet');
    return reply.type('application/xml; charset=utf-8').send(state.latestPacket);
  });
  app.get('/_sim/packets', async () => ({ received: state.packetsReceived, packets: state.recentPackets }));
  app.get('/_sim/stats', async () => ({
    packets: state.packets,
    packetsRefused: state.packetsRefused,
    tokensIssued: state.tokensIssued,
    rejected: state.rejected,
  }));
  app.get('/_sim/faults', async () => state.faults);
  app.put('/_sim/faults', async (request, reply) => {
    try {
      state.setFaults(parseFaultSettings(request.body));
    } catch (e) {
      if (e instanceof FaultSettingsError) return sendProblem(reply, 400, 'BAD_REQUEST', e.message);
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
  return { url: `http://${host}:${address.port}`, close: () => app.close(), state };
}
