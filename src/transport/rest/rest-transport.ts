import { Agent, request, type Dispatcher } from 'undici';
import {
  PermanentDeliveryError,
  TransientDeliveryError,
  type MinistryTransport,
  type Receipt,
} from '../transport.js';

// The REST binding of the Ministry profile (specs/ministry-profile/v0/openapi.yaml) over undici.
// Token login is cached and renewed a minute before expiry, and once more on a 401.
// `localAddress` binds every outgoing socket to the province's allowlisted static IP.

export interface RestTransportOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  localAddress?: string | null;
}

interface Token {
  value: string;
  expiresAt: number;
}

const RENEW_BEFORE_MS = 60_000;

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

async function problemCode(body: Dispatcher.ResponseData['body']): Promise<{ code: string; detail: string }> {
  const text = await body.text().catch(() => '');
  try {
    const j = JSON.parse(text) as { code?: string; detail?: string; title?: string };
    return { code: j.code ?? 'HTTP_ERROR', detail: j.detail ?? j.title ?? text.slice(0, 200) };
  } catch {
    return { code: 'HTTP_ERROR', detail: text.slice(0, 200) };
  }
}

export class RestTransport implements MinistryTransport {
  private readonly agent: Agent;
  private token: Token | null = null;
  private login: Promise<Token> | null = null;

  constructor(private readonly opts: RestTransportOptions) {
    this.agent = new Agent({
      connect: { localAddress: opts.localAddress ?? undefined, timeout: opts.timeoutMs },
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    });
  }

  private url(path: string): string {
    return new URL(path, this.opts.baseUrl.endsWith('/') ? this.opts.baseUrl : this.opts.baseUrl + '/').toString();
  }

  private async call(path: string, init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string }) {
    try {
      return await request(this.url(path), { ...init, dispatcher: this.agent });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new TransientDeliveryError(`network: ${err.code ?? err.name}: ${err.message}`, err.code ?? 'NETWORK');
    }
  }

  private async classify(res: Dispatcher.ResponseData, what: string): Promise<never> {
    const { code, detail } = await problemCode(res.body);
    const msg = `${what}: HTTP ${res.statusCode} ${code}: ${detail}`;
    if (res.statusCode >= 500 || res.statusCode === 429 || res.statusCode === 408 || res.statusCode === 401) {
      throw new TransientDeliveryError(msg, code, retryAfterMs(res.headers['retry-after']));
    }
    throw new PermanentDeliveryError(msg, code);
  }

  private async getToken(): Promise<string> {
    if (this.token && this.token.expiresAt - RENEW_BEFORE_MS > Date.now()) return this.token.value;
    // One login at a time: concurrent senders wait for the same one.
    this.login ??= (async () => {
      const res = await this.call('api/v0/auth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: this.opts.clientId, clientSecret: this.opts.clientSecret }),
      });
      if (res.statusCode !== 200) await this.classify(res, 'login');
      const j = (await res.body.json()) as { accessToken: string; expiresIn: number };
      return { value: j.accessToken, expiresAt: Date.now() + j.expiresIn * 1000 };
    })().finally(() => {
      this.login = null;
    });
    this.token = await this.login;
    return this.token.value;
  }

  async sendPacket(packetId: string, signedXml: string): Promise<Receipt> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.getToken();
      const res = await this.call('api/v0/packets', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/xml; charset=utf-8', 'x-packet-id': packetId },
        body: signedXml,
      });
      if (res.statusCode === 401 && attempt === 0) {
        await res.body.dump();
        this.token = null; // expired or revoked early: log in again once
        continue;
      }
      if (res.statusCode !== 200) await this.classify(res, 'packet');
      return (await res.body.json()) as Receipt;
    }
  }

  async probe(): Promise<boolean> {
    try {
      const res = await this.call('api/v0/health', { method: 'GET' });
      await res.body.dump();
      return res.statusCode === 200;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
