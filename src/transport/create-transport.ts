import type { Settings } from '../config/settings.js';
import { loadTlsMaterial } from './egress.js';
import { RestTransport } from './rest/rest-transport.js';
import { SoapTransport } from './soap/soap-transport.js';
import type { MinistryTransport } from './transport.js';

/** The binding the profile in configuration names (`ministry.binding`), with its egress and TLS. */
export function createTransport(ministry: Settings['ministry'], baseUrl: string): MinistryTransport {
  const common = {
    baseUrl,
    clientId: ministry.clientId,
    clientSecret: ministry.clientSecret,
    timeoutMs: ministry.timeoutMs,
    egress: { localAddress: ministry.egress.localAddress, proxy: ministry.egress.proxy, tls: loadTlsMaterial(ministry.tls) },
  };
  return ministry.binding === 'soap' ? new SoapTransport(common) : new RestTransport(common);
}
