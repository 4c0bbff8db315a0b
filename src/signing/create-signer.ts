import { FileKeySigner } from './file-key/file-key-signer.js';
import type { PacketSigner } from './signer.js';

// One place that turns configuration into a signer; a PKCS#11 kind joins the union later.

export interface FileSignerConfig {
  kind: 'file';
  keyPath: string;
  certPath: string;
  passphrase?: string;
}

export type SignerConfig = FileSignerConfig;

export async function createSigner(config: SignerConfig): Promise<PacketSigner> {
  switch (config.kind) {
    case 'file':
      return new FileKeySigner({ keyPath: config.keyPath, certPath: config.certPath, passphrase: config.passphrase });
    default: {
      const kind: never = config.kind;
      throw new Error(`unknown signer kind: ${String(kind)}`);
    }
  }
}
