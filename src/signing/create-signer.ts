import { FileKeySigner } from './file-key/file-key-signer.js';
import { Pkcs11Signer } from './pkcs11/pkcs11-signer.js';
import type { PacketSigner } from './signer.js';

// One place that turns configuration into a signer.

export interface FileSignerConfig {
  kind: 'file';
  /** PEM private key, or a PKCS#12 bundle (.p12/.pfx). */
  keyPath: string;
  /** PEM certificate; optional for PKCS#12. */
  certPath?: string | null;
  passphrase?: string | null;
}

export interface Pkcs11SignerConfig {
  kind: 'pkcs11';
  modulePath: string;
  tokenLabel: string;
  keyLabel: string;
  pin: string;
  certPath?: string | null;
}

export type SignerConfig = FileSignerConfig | Pkcs11SignerConfig;

export async function createSigner(config: SignerConfig): Promise<PacketSigner> {
  switch (config.kind) {
    case 'file':
      return new FileKeySigner({ keyPath: config.keyPath, certPath: config.certPath, passphrase: config.passphrase });
    case 'pkcs11':
      return Pkcs11Signer.open(config);
    default: {
      const kind: never = config;
      throw new Error(`unknown signer kind: ${String((kind as { kind: string }).kind)}`);
    }
  }
}
