import { fileURLToPath } from 'node:url';
import type * as Soap from 'soap';
import { request, type Dispatcher } from 'undici';
import { createDispatcher, type EgressOptions } from '../egress.js';
import { TokenCache } from '../token-cache.js';
import { lazyPackage } from '../../lazy-package.js';
import {
  deliveryErrorFor,
  networkError,
  PermanentDeliveryError,
  retryAfterMs,
  TransientDeliveryError,
  type MinistryTransport,
  type Receipt,
  type ReceiptResult,
} from '../transport.js';

// The SOAP binding of the Ministry profile (specs/ministry-profile/v0/ministry.wsdl) with the
// soap package. The WSDL is read from specs/, never fetched from the Ministry, and the endpoint
// is ministry.url + /soap/v0. HTTP goes through the same undici egress dispatcher as REST (static
// IP, CONNECT proxy, mutual TLS): the soap package only writes and reads envelopes.

// Loaded with the first call (0.18 s of CPU): a gateway on the REST binding never loads it.
const soap = lazyPackage<typeof Soap>('soap');
export const WSDL_PATH = fileURLToPath(new URL('../../../specs/ministry-profile/v0/ministry.wsdl', import.meta.url));
export const SOAP_PATH = 'soap/v0';

export interface SoapTransportOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  egress?: Omit<EgressOptions, 'timeoutMs'>;
}

interface HttpFailure extends Error {
  response?: { status: number; headers: Record<string, string | string[] | undefined>; data: string };
  root?: { Envelope?: { Body?: { Fault?: SoapFault } } };
}

interface SoapFault {
  faultcode?: string;
  faultstring?: string;
  detail?: { problem?: { code?: string; status?: string | number; detail?: string; retryAfterSeconds?: string | number } };
}

/** The soap package's HTTP seam, over undici: no second HTTP stack with its own proxy and TLS rules. */
class UndiciSoapHttpClient {
  constructor(private readonly dispatcher: Dispatcher) {}

  request(rurl: string, data: string, callback: (error: unknown, res?: unknown, body?: unknown) => void, exheaders?: Record<string, string>) {
    const done = (async () => {
      let res: Dispatcher.ResponseData;
      let body: string;
      try {
        res = await request(rurl, { method: 'POST', body: data, headers: { ...exheaders }, dispatcher: this.dispatcher });
        body = await res.body.text();
      } catch (e) {
        return callback(networkError(e));
      }
      const response = { status: res.statusCode, headers: res.headers, data: body };
      if (res.statusCode < 200 || res.statusCode >= 300) {
        const err: HttpFailure = new Error(`HTTP ${res.statusCode}`);
        err.response = response;
        return callback(err, response, body);
      }
      callback(null, response, body);
    })();
    return done as never;
  }
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export class SoapTransport implements MinistryTransport {
  readonly binding = 'soap';
  private readonly dispatcher: Dispatcher;
  private readonly tokens: TokenCache;
  private client: Promise<Soap.Client> | null = null;
  private readonly endpoint: string;

  constructor(private readonly opts: SoapTransportOptions) {
    this.dispatcher = createDispatcher({ ...opts.egress, timeoutMs: opts.timeoutMs });
    this.tokens = new TokenCache(() => this.login());
    this.endpoint = new URL(SOAP_PATH, opts.baseUrl.endsWith('/') ? opts.baseUrl : opts.baseUrl + '/').toString();
  }

  private soapClient(): Promise<Soap.Client> {
    this.client ??= soap().createClientAsync(WSDL_PATH, {
      endpoint: this.endpoint,
      httpClient: new UndiciSoapHttpClient(this.dispatcher) as never,
    });
    return this.client;
  }

  /** Turns whatever the call threw into a delivery error with the Ministry's own code. */
  private toDeliveryError(e: unknown, what: string): TransientDeliveryError | PermanentDeliveryError {
    if (e instanceof TransientDeliveryError || e instanceof PermanentDeliveryError) return e;
    const err = e as HttpFailure;
    const status = err.response?.status;
    if (status === undefined) return new TransientDeliveryError(`${what}: ${err.message}`, 'SOAP_ERROR');
    const fault = err.root?.Envelope?.Body?.Fault;
    const problem = fault?.detail?.problem;
    // Faults travel as HTTP 500 (SOAP 1.1); the problem inside says whose fault it is.
    const effective = problem?.status !== undefined ? Number(problem.status) : fault?.faultcode?.endsWith('Client') ? 400 : status;
    const code = problem?.code ?? fault?.faultstring ?? 'HTTP_ERROR';
    const detail = problem?.detail ?? fault?.faultstring ?? String(err.response?.data ?? '').slice(0, 200);
    const after = problem?.retryAfterSeconds !== undefined ? Number(problem.retryAfterSeconds) * 1000 : retryAfterMs(err.response?.headers['retry-after']);
    return deliveryErrorFor(effective, code, `${what}: SOAP ${effective} ${code}: ${detail}`, after);
  }

  private async login() {
    const client = await this.soapClient();
    try {
      const [out] = (await client.LoginAsync({ clientId: this.opts.clientId, clientSecret: this.opts.clientSecret })) as [{ accessToken: string; expiresIn: number | string }];
      return { value: out.accessToken, expiresAt: Date.now() + Number(out.expiresIn) * 1000 };
    } catch (e) {
      throw this.toDeliveryError(e, 'login');
    }
  }

  async sendPacket(packetId: string, signedXml: string): Promise<Receipt> {
    const client = await this.soapClient();
    for (let attempt = 0; ; attempt++) {
      const token = await this.tokens.get();
      try {
        const [out] = (await client.SubmitPacketAsync({ accessToken: token, packetId, packet: Buffer.from(signedXml, 'utf8').toString('base64') })) as [
          { packetId: string; receivedAt: string | Date; results?: { result?: ReceiptResult | ReceiptResult[] } | string },
        ];
        const results = typeof out.results === 'object' ? asArray(out.results.result) : [];
        return {
          packetId: out.packetId,
          receivedAt: out.receivedAt instanceof Date ? out.receivedAt.toISOString() : String(out.receivedAt),
          results: results.map((r) => ({ ...r })),
        };
      } catch (e) {
        const err = this.toDeliveryError(e, 'packet');
        if (err.code === 'TOKEN_INVALID' && attempt === 0) {
          this.tokens.invalidate(token); // expired or revoked early: log in again once
          continue;
        }
        throw err;
      }
    }
  }

  async probe(): Promise<boolean> {
    try {
      const res = await request(this.endpoint + '?wsdl', { method: 'GET', dispatcher: this.dispatcher });
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
