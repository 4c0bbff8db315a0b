import { X509Certificate } from 'node:crypto';
import type { CertificateSummary } from './signer.js';

/** Public facts of a certificate, for logs and the admin API. */
export function summariseCertificate(pem: string): CertificateSummary {
  const c = new X509Certificate(pem);
  return {
    subject: c.subject.replace(/\n/g, ', '),
    issuer: c.issuer.replace(/\n/g, ', '),
    serialNumber: c.serialNumber,
    notBefore: new Date(c.validFrom).toISOString(),
    notAfter: new Date(c.validTo).toISOString(),
    sha256: c.fingerprint256,
  };
}
