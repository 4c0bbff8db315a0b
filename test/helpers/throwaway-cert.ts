import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SigningMaterial } from '../../src/signing/xmldsig.js';

// A throwaway RSA key and self-signed certificate for tests, made by the openssl binary.
// Not @peculiar/x509: it pulls in tsyringe, which needs a reflect-metadata polyfill that the
// project does not install.

const run = promisify(execFile);

export async function throwawayCert(commonName = 'So GDDT Test'): Promise<SigningMaterial> {
  const dir = await mkdtemp(join(tmpdir(), 'hocba-cert-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    await run('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-sha256', '-nodes', '-days', '1',
      '-subj', `/CN=${commonName}`, '-keyout', keyFile, '-out', certFile,
    ]);
    return { privateKeyPem: await readFile(keyFile, 'utf8'), certificatePem: await readFile(certFile, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
