import { request, type Dispatcher } from 'undici';
import { createDispatcher, type EgressOptions } from '../egress.js';
import { TokenCache } from '../token-cache.js';
import { deliveryErrorFor, networkError, retryAfterMs, type MinistryTransport, type Receipt } from '../transport.js';

// The REST binding of the Ministry profile (specs/ministry-profile/v0/openapi.yaml) over undici.
// Token login is cached and renewed before expiry, and once more on a 401. Every socket leaves
// through the egress dispatcher (static IP, CONNECT proxy, mutual TLS).

export interface RestTransportOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  egress?: Omit<EgressOptions, 'timeoutMs'>;
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
  readonly binding = 'rest';
  private readonly dispatcher: Dispatcher;
  private readonly tokens: TokenCache;

  constructor(private readonly opts: RestTransportOptions) {
    this.dispatcher = createDispatcher({ ...opts.egress, timeoutMs: opts.timeoutMs });
    this.tokens = new TokenCache(() => this.login());
  }

  private url(path: string): string {
    return new URL(path, this.opts.baseUrl.endsWith('/') ? this.opts.baseUrl : this.opts.baseUrl + '/').toString();
  }

  private async call(path: string, init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string }) {
    try {
      return await request(this.url(path), { ...init, dispatcher: this.dispatcher });
    } catch (e) {
      throw networkError(e);
    }
  }

  private async fail(res: Dispatcher.ResponseData, what: string): Promise<never> {
    const { code, detail } = await problemCode(res.body);
    throw deliveryErrorFor(res.statusCode, code, `${what}: HTTP ${res.statusCode} ${code}: ${detail}`, retryAfterMs(res.headers['retry-after']));
  }

  private async login() {
    const res = await this.call('api/v0/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: this.opts.clientId, clientSecret: this.opts.clientSecret }),
    });
    if (res.statusCode !== 200) await this.fail(res, 'login');
    const j = (await res.body.json()) as { accessToken: string; expiresIn: number };
    return { value: j.accessToken, expiresAt: Date.now() + j.expiresIn * 1000 };
  }

  async sendPacket(packetId: string, signedXml: string): Promise<Receipt> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.tokens.get();
      const res = await this.call('api/v0/packets', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/xml; charset=utf-8', 'x-packet-id': packetId },
        body: signedXml,
      });
      if (res.statusCode === 401 && attempt === 0) {
        await res.body.dump();
        this.tokens.invalidate(token); // expired or revoked early: log in again once
        continue;
      }
      if (res.statusCode !== 200) await this.fail(res, 'packet');
      try {
        return (await res.body.json()) as Receipt;
      } catch (e) {
        throw networkError(e); // the connection broke while the receipt was arriving
      }
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

  async close(options: { force?: boolean } = {}): Promise<void> {
    await (options.force ? this.dispatcher.destroy() : this.dispatcher.close());
  }
}
