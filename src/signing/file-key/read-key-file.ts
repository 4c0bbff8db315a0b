import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type Forge from 'node-forge';
import { lazyPackage } from '../../lazy-package.js';

// Reads the province key from a file: a PEM private key (PKCS#8 or PKCS#1, encrypted or not)
// beside a PEM certificate, or a PKCS#12 bundle (.p12/.pfx, as CAs issue them) with its
// passphrase. Node's crypto cannot open PKCS#12, so node-forge does. Error messages name the
// file and a short cause, never the content or the passphrase.

export interface KeyMaterial {
  key: KeyObject;
  certificate: X509Certificate;
}

export interface KeyFileOptions {
  keyPath: string;
  /** The certificate; optional for PKCS#12, which carries its own. */
  certPath?: string | null;
  passphrase?: string | null;
}

function looksLikePem(b: Buffer): boolean {
  return b.subarray(0, 100).toString('latin1').includes('-----BEGIN');
}

function readPemKey(data: Buffer, o: KeyFileOptions): KeyObject {
  try {
    return createPrivateKey({ key: data, format: 'pem', passphrase: o.passphrase ?? undefined });
  } catch (e) {
    throw new Error(`cannot read the signing key ${o.keyPath} (${(e as NodeJS.ErrnoException).code ?? 'invalid'})`);
  }
}

// Loaded for a PKCS#12 bundle only (0.08 s of CPU): a PEM key needs none of it.
const nodeForge = lazyPackage<typeof Forge>('node-forge');

/** The private key and the certificates of a PKCS#12 bundle. */
function readPkcs12(data: Buffer, o: KeyFileOptions): { key: KeyObject; certificates: X509Certificate[] } {
  const forge = nodeForge();
  let p12: Forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(data.toString('binary')));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, o.passphrase ?? '');
  } catch (e) {
    // forge says "Invalid password?" or "PKCS#12 MAC could not be verified"; neither holds secrets.
    const cause = /password|MAC/i.test((e as Error).message) ? 'wrong passphrase or damaged file' : 'not a PKCS#12 file';
    throw new Error(`cannot read the PKCS#12 file ${o.keyPath} (${cause})`);
  }
  const keys = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
  ].filter((b) => b.key);
  if (keys.length !== 1) throw new Error(`the PKCS#12 file ${o.keyPath} holds ${keys.length} private keys; expected one`);
  const key = createPrivateKey(forge.pki.privateKeyToPem(keys[0].key as Forge.pki.rsa.PrivateKey));
  const certificates = (p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [])
    .filter((b) => b.cert)
    .map((b) => new X509Certificate(forge.pki.certificateToPem(b.cert!)));
  return { key, certificates };
}

function spki(k: KeyObject): Buffer {
  return k.export({ type: 'spki', format: 'der' });
}

/** Parses and cross-checks a key and its certificate. */
export function readKeyMaterial(keyFile: Buffer, certFile: string | null, o: KeyFileOptions): KeyMaterial {
  let key: KeyObject;
  let candidates: X509Certificate[] = [];
  if (looksLikePem(keyFile)) {
    key = readPemKey(keyFile, o);
  } else {
    ({ key, certificates: candidates } = readPkcs12(keyFile, o));
  }
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`the signing key ${o.keyPath} is not an RSA key (the profile signs RSA-SHA256)`);
  const publicKey = spki(createPublicKey(key));

  let certificate: X509Certificate | undefined;
  if (certFile !== null) {
    try {
      certificate = new X509Certificate(certFile);
    } catch (e) {
      throw new Error(`cannot read the certificate ${o.certPath} (${(e as NodeJS.ErrnoException).code ?? 'invalid'})`);
    }
    // Catches a rotation caught halfway (new key, old certificate): signatures the Ministry could not verify.
    if (!spki(certificate.publicKey).equals(publicKey)) throw new Error(`the signing key ${o.keyPath} does not match the certificate ${o.certPath}`);
  } else {
    certificate = candidates.find((c) => spki(c.publicKey).equals(publicKey));
    if (!certificate) throw new Error(`${o.keyPath} holds no certificate for its key; set the certificate path`);
  }
  return { key, certificate };
}
