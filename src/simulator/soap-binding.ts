import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as Soap from 'soap';
import { lazyPackage } from '../lazy-package.js';
import type { Receipt } from '../transport/transport.js';
import { PacketRefused } from './packet-check.js';

// The simulator's SOAP binding (specs/ministry-profile/v0/ministry.wsdl), served with the soap
// package on the simulator's own fastify server: the soap package reads and writes envelopes,
// while fastify's hooks apply the same allowlist, outage and faults as on the REST binding.

const soap = lazyPackage<typeof Soap>('soap');
export const SOAP_ENDPOINT = '/soap/v0';
export const WSDL_FILE = fileURLToPath(new URL('../../specs/ministry-profile/v0/ministry.wsdl', import.meta.url));
const MINISTRY_NS = 'urn:moet:hocba:ministry:v0';

export interface SoapOperations {
  login(clientId: unknown, clientSecret: unknown): { accessToken: string; tokenType: string; expiresIn: number } | null;
  /** Checks the token, then the packet; throws PacketRefused for a problem answer. */
  submit(token: unknown, packetXml: string, source: string): Promise<Receipt>;
}

export interface SoapResponse {
  status: number;
  contentType: string;
  body: string;
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A SOAP 1.1 fault whose detail is the profile's <problem>: the same code and status as REST. */
export function soapFaultXml(status: number, code: string, detail: string, retryAfterSeconds?: number): string {
  const who = status < 500 && status !== 429 ? 'soap:Client' : 'soap:Server';
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>' +
    `<faultcode>${who}</faultcode><faultstring>${escapeXml(code)}</faultstring>` +
    `<detail><problem xmlns="${MINISTRY_NS}"><code>${escapeXml(code)}</code><status>${status}</status>` +
    `<detail>${escapeXml(detail)}</detail>` +
    (retryAfterSeconds !== undefined ? `<retryAfterSeconds>${Math.ceil(retryAfterSeconds)}</retryAfterSeconds>` : '') +
    '</problem></detail></soap:Fault></soap:Body></soap:Envelope>'
  );
}

function fault(status: number, code: string, detail: string) {
  return {
    Fault: {
      faultcode: status < 500 ? 'soap:Client' : 'soap:Server',
      faultstring: code,
      detail: { problem: { attributes: { xmlns: MINISTRY_NS }, code, status, detail } },
      // SOAP 1.1 over HTTP: faults are 500, the problem inside says whose fault it is.
      statusCode: 500,
    },
  };
}

export interface SoapBinding {
  wsdl: string;
  handle(xml: string, headers: Record<string, unknown>, source: string): Promise<SoapResponse>;
}

export async function createSoapBinding(ops: SoapOperations): Promise<SoapBinding> {
  const wsdl = readFileSync(WSDL_FILE, 'utf8');
  const services = {
    MinistryService: {
      MinistryPort: {
        Login(args: { clientId?: unknown; clientSecret?: unknown }) {
          const out = ops.login(args.clientId, args.clientSecret);
          if (!out) throw fault(401, 'TOKEN_INVALID', 'unknown clientId or wrong clientSecret');
          return out;
        },
        async SubmitPacket(args: { accessToken?: unknown; packetId?: unknown; packet?: unknown }, _cb: unknown, _headers: unknown, req: { connection?: { remoteAddress?: string } }) {
          if (typeof args.packet !== 'string') throw fault(400, 'PACKET_MALFORMED', 'packet must be base64');
          const xml = Buffer.from(args.packet, 'base64').toString('utf8');
          try {
            const receipt = await ops.submit(args.accessToken, xml, req.connection?.remoteAddress ?? '');
            return { packetId: receipt.packetId, receivedAt: receipt.receivedAt, results: { result: receipt.results } };
          } catch (e) {
            if (e instanceof PacketRefused) throw fault(e.status, e.code, e.message);
            throw e;
          }
        },
      },
    },
  };
  // node-soap's server is made for the first envelope: the simulator of most runs is spoken to
  // over REST only, and loading soap costs 0.18 s of CPU.
  let server: Promise<Soap.Server> | null = null;
  const listen = () =>
    (server ??= new Promise<Soap.Server>((resolve, reject) => {
      // No http server: fastify owns the socket, and hands each envelope to processRequest.
      soap().listen(null as never, {
        path: SOAP_ENDPOINT,
        services,
        xml: wsdl,
        suppressStack: true,
        callback: (err: unknown, s: Soap.Server) => (err ? reject(err) : resolve(s)),
      } as never);
    }));
  return {
    wsdl,
    async handle(xml, headers, source) {
      const res = await (await listen()).processRequest(xml, { headers: headers as Record<string, string>, url: SOAP_ENDPOINT, method: 'POST', connection: { remoteAddress: source } } as never);
      return { status: res.statusCode, contentType: 'text/xml; charset=utf-8', body: res.body };
    },
  };
}
