import { readFileSync } from 'node:fs';
import { Agent, Pool, ProxyAgent, type Dispatcher } from 'undici';
import type { MinistryTlsSettings } from '../config/settings.js';

// The one way out to the Ministry, whatever the binding. The Ministry allowlists the province's
// static IP, so outgoing sockets either bind to that address (`localAddress`) or go through an
// HTTP CONNECT proxy that owns it (`proxy`); with mutual TLS the province's client certificate
// is presented to the Ministry, inside the tunnel when there is one.

export interface TlsMaterial {
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
}

export interface EgressOptions {
  localAddress?: string | null;
  /** http://host:port of a CONNECT proxy (credentials in the URL if it needs them). */
  proxy?: string | null;
  tls?: TlsMaterial;
  timeoutMs: number;
}

/** Reads the PEM files named in settings; missing settings mean "not used". */
export function loadTlsMaterial(s: MinistryTlsSettings | undefined): TlsMaterial | undefined {
  if (!s || (!s.caPath && !s.certPath && !s.keyPath)) return undefined;
  if (Boolean(s.certPath) !== Boolean(s.keyPath)) throw new Error('ministry.tls: certPath and keyPath go together');
  return {
    ca: s.caPath ? readFileSync(s.caPath, 'utf8') : undefined,
    cert: s.certPath ? readFileSync(s.certPath, 'utf8') : undefined,
    key: s.keyPath ? readFileSync(s.keyPath, 'utf8') : undefined,
    passphrase: s.passphrase ?? undefined,
  };
}

export function createDispatcher(o: EgressOptions): Dispatcher {
  const timeouts = { headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs };
  // undici takes the source address as a client option (a connect option would be overridden).
  const local = o.localAddress ? { localAddress: o.localAddress } : {};
  if (o.proxy) {
    return new ProxyAgent({
      uri: o.proxy,
      ...timeouts,
      // The socket to the proxy leaves from the static IP too, if one is set.
      clientFactory: (origin, opts) => new Pool(origin, { ...opts, ...local }),
      proxyTls: { timeout: o.timeoutMs },
      // TLS with the Ministry, end to end through the tunnel.
      requestTls: { ...o.tls, timeout: o.timeoutMs },
    });
  }
  return new Agent({ ...timeouts, ...local, connect: { ...o.tls, timeout: o.timeoutMs } });
}
