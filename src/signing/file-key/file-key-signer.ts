import { sign as rsaSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { inspect, promisify } from 'node:util';
import { writeEnvelopedSignature } from '../enveloped-writer.js';
import type { PacketSigner } from '../signer.js';
import { readKeyMaterial, type KeyFileOptions, type KeyMaterial } from './read-key-file.js';

export type FileKeySignerOptions = KeyFileOptions;

// With a callback, crypto.sign runs in libuv's thread pool: the RSA operation leaves the event loop.
const rsaSignInPool = promisify(rsaSign);

/**
 * Signs with a key read from files: PEM key + PEM certificate, or a PKCS#12 bundle. The key, the
 * passphrase and the options that carry it live in private fields only, and toJSON /
 * util.inspect show the paths, so that logging the signer (or an object holding it) can never
 * leak them.
 */
export class FileKeySigner implements PacketSigner {
  readonly name = 'file';
  readonly #options: FileKeySignerOptions;
  #material: KeyMaterial;

  /** Reads the files synchronously so that a constructed signer can always sign. */
  constructor(options: FileKeySignerOptions) {
    this.#options = { ...options };
    this.#material = readKeyMaterial(readFileSync(options.keyPath), options.certPath ? readFileSync(options.certPath, 'utf8') : null, options);
  }

  get certPath(): string | null {
    return this.#options.certPath ?? null;
  }

  async sign(xml: string): Promise<string> {
    // One read of the field: a reload during this call cannot mix the old key and the new certificate.
    const m = this.#material;
    return writeEnvelopedSignature({
      canonicalXml: xml,
      certificateDer: m.certificate.raw,
      signingTime: new Date(),
      sign: (data) => rsaSignInPool('sha256', data, m.key),
    });
  }

  certificatePem(): string {
    return this.#material.certificate.toString();
  }

  async reload(): Promise<void> {
    const o = this.#options;
    const [key, cert] = await Promise.all([readFile(o.keyPath), o.certPath ? readFile(o.certPath, 'utf8') : null]);
    // Built completely before the one assignment, so a bad file leaves the old pair in use.
    this.#material = readKeyMaterial(key, cert, o);
  }

  toJSON(): { name: string; keyPath: string; certPath: string | null } {
    return { name: this.name, keyPath: this.#options.keyPath, certPath: this.certPath };
  }

  [inspect.custom](): string {
    return `FileKeySigner { keyPath: ${JSON.stringify(this.#options.keyPath)}, certPath: ${JSON.stringify(this.certPath)} }`;
  }
}
