import { createPrivateKey, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadX509 } from './demo.js';

// Certificates for the people and schools who sign học bạ records (teacher, principal, school
// seal), issued by a demo CA, and CRLs from that CA. For the demo, the tests and the benchmark:
// in production these come from licensed CAs (VGCA for schools, commercial CAs for people).

export interface CaFiles {
  caCert: string;
  caKey: string;
}

export interface IssuedCertificate {
  key: KeyObject;
  notBefore: Date;
  notAfter: Date;
  /** DER */
  certificate: Buffer;
  pem: string;
  serialNumber: string;
}

export interface IssueOptions {
  commonName: string;
  organization?: string;
  notBefore?: Date;
  notAfter?: Date;
  /**
   * An organisation certificate's identifier (subject organizationIdentifier, 2.5.4.97): a school
   * seal carries `MOETVN-<Ministry school ID>` (specs/ministry-profile/v1/signed-record.md).
   */
  organizationIdentifier?: string;
  /** Subject title (2.5.4.12), e.g. "Phó Hiệu trưởng" for a deputy principal. */
  title?: string;
  /** certificatePolicies OIDs. */
  policies?: string[];
  /** 'signing' (digitalSignature + nonRepudiation, the default), 'digitalSignature' alone, or 'encipherment' (no signing usage). */
  usage?: 'signing' | 'digitalSignature' | 'encipherment';
  /** Issue a CA certificate (for intermediates). */
  ca?: boolean;
  /** Certify this existing key (PKCS#8 PEM) instead of a new one: a renewed certificate. */
  existingKeyPem?: string;
}

const RSA: RsaHashedKeyGenParams = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };

async function loadCa(ca: CaFiles | { certPem: string; key: webcrypto.CryptoKey }) {
  const x509 = await loadX509();
  if ('certPem' in ca) return { x509, cert: new x509.X509Certificate(ca.certPem), key: ca.key };
  const [pem, keyPem] = await Promise.all([readFile(ca.caCert, 'utf8'), readFile(ca.caKey, 'utf8')]);
  const der = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
  const key = await webcrypto.subtle.importKey('pkcs8', der, RSA, false, ['sign']);
  return { x509, cert: new x509.X509Certificate(pem), key };
}

/** A certificate issued by `ca` (the demo CA's files, or an in-memory CA). */
export async function issueCertificate(ca: CaFiles | { certPem: string; key: webcrypto.CryptoKey }, o: IssueOptions): Promise<IssuedCertificate & { cryptoKey: webcrypto.CryptoKey }> {
  const { x509, cert: caCert, key: caKey } = await loadCa(ca);
  const keys = o.existingKeyPem
    ? {
        privateKey: await webcrypto.subtle.importKey('pkcs8', createPrivateKey(o.existingKeyPem).export({ type: 'pkcs8', format: 'der' }), RSA, true, ['sign']),
        publicKey: await webcrypto.subtle.importKey('spki', createPublicKey(o.existingKeyPem).export({ type: 'spki', format: 'der' }), RSA, true, ['verify']),
      }
    : ((await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair);
  const now = Date.now();
  const flags = x509.KeyUsageFlags;
  const usage = o.ca
    ? flags.keyCertSign | flags.cRLSign
    : o.usage === 'encipherment'
      ? flags.keyEncipherment
      : o.usage === 'digitalSignature'
        ? flags.digitalSignature
        : flags.digitalSignature | flags.nonRepudiation;
  const cert = await x509.X509CertificateGenerator.create({
    subject: [
      { C: ['VN'] },
      ...(o.organization ? [{ O: [o.organization] }] : []),
      ...(o.organizationIdentifier ? [{ '2.5.4.97': [o.organizationIdentifier] }] : []),
      ...(o.title ? [{ T: [o.title] }] : []),
      { CN: [o.commonName] },
    ],
    issuer: caCert.subjectName,
    publicKey: keys.publicKey as CryptoKey,
    signingKey: caKey as CryptoKey,
    notBefore: o.notBefore ?? new Date(now - 5 * 60_000),
    notAfter: o.notAfter ?? new Date(now + 365 * 24 * 3600_000),
    extensions: [
      new x509.BasicConstraintsExtension(Boolean(o.ca), undefined, true),
      new x509.KeyUsagesExtension(usage, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as CryptoKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
      ...(o.policies?.length ? [new x509.CertificatePolicyExtension(o.policies)] : []),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return {
    key: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }),
    cryptoKey: keys.privateKey,
    certificate: Buffer.from(cert.rawData),
    pem: cert.toString('pem') + '\n',
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  };
}

export interface RevokedEntry {
  serialNumber: string;
  revocationDate: Date;
  /** RFC 5280 reason code (1 = keyCompromise). */
  reason?: number;
}

/** A CRL (DER) signed by `ca`, valid from now for `days`. */
export async function issueCrl(ca: CaFiles | { certPem: string; key: webcrypto.CryptoKey }, revoked: RevokedEntry[], days = 7): Promise<Buffer> {
  const { x509, cert: caCert, key: caKey } = await loadCa(ca);
  const now = Date.now();
  const crl = await x509.X509CrlGenerator.create({
    issuer: caCert.subjectName,
    thisUpdate: new Date(now - 60_000),
    nextUpdate: new Date(now + days * 24 * 3600_000),
    entries: revoked.map((r) => ({ serialNumber: r.serialNumber, revocationDate: r.revocationDate, reason: r.reason })),
    signingKey: caKey as CryptoKey,
    signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as Algorithm,
  });
  return Buffer.from(crl.rawData);
}
