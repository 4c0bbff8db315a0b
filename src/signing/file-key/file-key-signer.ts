import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { inspect } from 'node:util';
import type { PacketSigner } from '../signer.js';
import { signEnveloped, type SigningMaterial } from '../xmldsig.js';

export interface FileKeySignerOptions {
  keyPath: string;
  certPath: string;
  /** For an encrypted PKCS#8 PEM key. */
  passphrase?: string;
}

/**
 * Signs with a PEM key and certificate read from files. The key, the passphrase and the options
 * that carry it live in private fields only, and toJSON / util.inspect show the paths, so that
 * logging the signer (or an object holding it) can never leak them.
 */
export class FileKeySigner implements PacketSigner {
  readonly name = 'file';
  readonly #options: FileKeySignerOptions;
  #material: SigningMaterial;

  /** Reads the files synchronously so that a constructed signer can always sign. */
  constructor(options: FileKeySignerOptions) {
    this.#options = { ...options };
    this.#material = loadMaterial(readFileSync(options.keyPath), readFileSync(options.certPath, 'utf8'), options);
  }

  get certPath(): string {
    return this.#options.certPath;
  }

  sign(xml: string): string {
    return signEnveloped(xml, this.#material);
  }

  certificatePem(): string {
    return this.#material.certificatePem;
  }

  async reload(): Promise<void> {
    const o = this.#options;
    const [key, cert] = await Promise.all([readFile(o.keyPath), readFile(o.certPath, 'utf8')]);
    // Built completely before the one assignment, so a bad file leaves the old pair in use.
    this.#material = loadMaterial(key, cert, o);
  }

  toJSON(): { name: string; certPath: string } {
    return { name: this.name, certPath: this.#options.certPath };
  }

  [inspect.custom](): string {
    return `FileKeySigner { certPath: ${JSON.stringify(this.#options.certPath)} }`;
  }
}

/** Parses and cross-checks a key and certificate; errors name the file, never its content or the passphrase. */
function loadMaterial(keyPem: Buffer, certPem: string, o: FileKeySignerOptions): SigningMaterial {
  let key;
  try {
    key = createPrivateKey({ key: keyPem, format: 'pem', passphrase: o.passphrase });
  } catch (e) {
    throw new Error(`cannot read the signing key ${o.keyPath} (${errorCode(e)})`);
  }
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`the signing key ${o.keyPath} is not an RSA key (the profile signs RSA-SHA256)`);

  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (e) {
    throw new Error(`cannot read the certificate ${o.certPath} (${errorCode(e)})`);
  }
  // Catches a rotation caught halfway (new key, old certificate): signatures the Ministry could not verify.
  const fromKey = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const fromCert = cert.publicKey.export({ type: 'spki', format: 'der' });
  if (!fromKey.equals(fromCert)) throw new Error(`the signing key ${o.keyPath} does not match the certificate ${o.certPath}`);

  // xml-crypto takes a PEM string; an encrypted key is held decrypted, in memory only.
  return {
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }) as string,
    certificatePem: cert.toString(),
  };
}

function errorCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? 'invalid';
}
