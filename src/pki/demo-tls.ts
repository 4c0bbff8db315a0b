import { webcrypto } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoPkiPaths, loadX509 } from './demo.js';

// Demo certificates for mutual TLS between the gateway and the Ministry simulator, issued by the
// demo CA (pki/demo.ts): a server certificate for the simulator (127.0.0.1, ::1, localhost) and a
// client certificate for the province. Never for production: there the Ministry's CA issues them.

export interface DemoTlsPaths {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

const RSA_SHA256: RsaHashedImportParams & RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
};

export function demoTlsPaths(pkiDir: string): DemoTlsPaths {
  return {
    caCert: demoPkiPaths(pkiDir).caCert,
    serverCert: join(pkiDir, 'ministry-tls.pem'),
    serverKey: join(pkiDir, 'ministry-tls.key'),
    clientCert: join(pkiDir, 'province-tls.pem'),
    clientKey: join(pkiDir, 'province-tls.key'),
  };
}

const exists = (p: string) => stat(p).then(() => true, () => false);

/** Issues the TLS pair into an existing demo PKI directory, once. */
export async function ensureDemoTls(pkiDir: string, provinceCode = '01'): Promise<DemoTlsPaths> {
  const paths = demoTlsPaths(pkiDir);
  const all = [paths.serverCert, paths.serverKey, paths.clientCert, paths.clientKey];
  if ((await Promise.all(all.map(exists))).every(Boolean)) return paths;

  const x509 = await loadX509();
  const ca = demoPkiPaths(pkiDir);
  const caCert = new x509.X509Certificate(await readFile(ca.caCert, 'utf8'));
  const caKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(await readFile(ca.caKey, 'utf8')), RSA_SHA256, false, ['sign']);
  const now = Date.now();

  const issue = async (commonName: string, usage: 'serverAuth' | 'clientAuth', names: { type: 'dns' | 'ip'; value: string }[]) => {
    const keys = (await webcrypto.subtle.generateKey(RSA_SHA256, true, ['sign', 'verify'])) as CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.create({
      subject: [{ C: ['VN'] }, { O: ['Demo'] }, { CN: [commonName] }],
      issuer: caCert.subjectName,
      publicKey: keys.publicKey,
      signingKey: caKey as CryptoKey,
      notBefore: new Date(now - 5 * 60 * 1000),
      notAfter: new Date(now + 2 * 365 * 24 * 3600 * 1000),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage[usage]]),
        ...(names.length ? [new x509.SubjectAlternativeNameExtension(names)] : []),
        await x509.AuthorityKeyIdentifierExtension.create(caCert),
      ],
    });
    const key = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as webcrypto.CryptoKey), 'PRIVATE KEY') + '\n';
    return { cert: cert.toString('pem') + '\n', key };
  };

  const server = await issue('Ministry simulator (demo)', 'serverAuth', [
    { type: 'dns', value: 'localhost' },
    { type: 'ip', value: '127.0.0.1' },
    { type: 'ip', value: '::1' },
  ]);
  const client = await issue(`Sở GD&ĐT demo (province ${provinceCode}), TLS client`, 'clientAuth', []);
  await writeFile(paths.serverKey, server.key, { mode: 0o600 });
  await writeFile(paths.serverCert, server.cert, { mode: 0o644 });
  await writeFile(paths.clientKey, client.key, { mode: 0o600 });
  await writeFile(paths.clientCert, client.cert, { mode: 0o644 });
  return paths;
}
