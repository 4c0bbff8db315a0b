import { webcrypto } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type * as X509 from '@peculiar/x509';

// A throw-away PKI so the gateway and the Ministry simulator can sign and verify end to end
// without a real CA: a root, the province's signing certificate and a school seal. Never for
// production; the province's real key comes from its CA (file or PKCS#11).

export interface DemoPkiPaths {
  dir: string;
  caCert: string;
  caKey: string;
  provinceCert: string;
  provinceKey: string;
  schoolSealCert: string;
  schoolSealKey: string;
}

export interface DemoPkiOptions {
  provinceCode?: string;
  provinceName?: string;
}

const FILES = {
  caCert: 'ca.pem',
  caKey: 'ca.key',
  provinceCert: 'province.pem',
  provinceKey: 'province.key',
  schoolSealCert: 'school-seal.pem',
  schoolSealKey: 'school-seal.key',
} as const;

type FileRole = keyof typeof FILES;

const RSA_SHA256: RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
};

function yearsFrom(ms: number, years: number): Date {
  const d = new Date(ms);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d;
}

export function demoPkiPaths(dir: string): DemoPkiPaths {
  const paths = { dir } as DemoPkiPaths;
  for (const role of Object.keys(FILES) as FileRole[]) paths[role] = join(dir, FILES[role]);
  return paths;
}

export async function loadPem(path: string): Promise<string> {
  return readFile(path, 'utf8');
}

/**
 * Returns the demo PKI in `dir`, creating it on first use. Creation happens in a temporary
 * sibling directory that is renamed into place only when complete, so a crash halfway never
 * leaves a partial PKI that a later start would pick up.
 */
export async function ensureDemoPki(dir: string, opts: DemoPkiOptions = {}): Promise<DemoPkiPaths> {
  const paths = demoPkiPaths(dir);
  if (await isComplete(dir)) return paths;
  await refuseForeignContent(dir);

  await mkdir(dirname(dir), { recursive: true });
  // mkdtemp creates the directory with mode 0700, which the final directory keeps.
  const tmp = await mkdtemp(join(dirname(dir), `.${basename(dir)}.tmp-`));
  try {
    await writeDemoPki(tmp, opts);
    await rmdir(dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
    await rename(tmp, dir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    // Another process may have won the race and put a complete PKI in place: use it.
    if (await isComplete(dir)) return paths;
    throw e;
  }
  return paths;
}

async function isComplete(dir: string): Promise<boolean> {
  const found = await Promise.all(Object.values(FILES).map((f) => stat(join(dir, f)).then((s) => s.isFile(), () => false)));
  return found.every(Boolean);
}

/** Only an absent or empty directory is ours to fill; anything else (a half PKI, other files) is the operator's call. */
async function refuseForeignContent(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (entries.length > 0) {
    throw new Error(`demo PKI directory ${dir} exists but is incomplete (expected ${Object.values(FILES).join(', ')}); remove it to regenerate`);
  }
}

/**
 * @peculiar/x509 (through tsyringe) needs a Reflect metadata polyfill loaded before it, so the
 * polyfill is imported first and the library after it, dynamically.
 */
export async function loadX509(): Promise<typeof X509> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  return x509;
}

async function writeDemoPki(into: string, opts: DemoPkiOptions): Promise<void> {
  const x509 = await loadX509();
  const code = opts.provinceCode ?? '01';
  const now = Date.now();
  // Back-dated a little so a verifier whose clock lags ours still accepts the certificates.
  const notBefore = new Date(now - 5 * 60 * 1000);

  const caKeys = await generateKeys();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ C: ['VN'] }, { O: ['Demo'] }, { CN: ['hocba-gateway Demo Root CA'] }],
    keys: caKeys,
    notBefore,
    notAfter: yearsFrom(now, 10),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const issue = async (commonName: string) => {
    const keys = await generateKeys();
    const cert = await x509.X509CertificateGenerator.create({
      // A JSON name (in DER order, country first) rather than an RFC 4514 string: names with
      // '&', ',' or diacritics need no escaping, and non-ASCII values are encoded as UTF8String.
      subject: [{ C: ['VN'] }, { O: ['Demo'] }, { CN: [commonName] }],
      issuer: caCert.subjectName,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      notBefore,
      notAfter: yearsFrom(now, 2),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(caCert),
      ],
    });
    return { keys, cert };
  };

  const province = await issue(opts.provinceName ?? `Sở GD&ĐT demo (province ${code})`);
  const seal = await issue(`Trường demo, con dấu (province ${code})`);

  const target = demoPkiPaths(into);
  const keyPem = async (key: CryptoKey) =>
    x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey), 'PRIVATE KEY') + '\n';
  // Private keys 0600 (PKCS#8 PEM, unencrypted: a demo); certificates are public.
  const writeKey = async (path: string, key: CryptoKey) => writeFile(path, await keyPem(key), { mode: 0o600 });
  const writeCert = (path: string, cert: X509.X509Certificate) => writeFile(path, cert.toString('pem') + '\n', { mode: 0o644 });

  await writeCert(target.caCert, caCert);
  await writeKey(target.caKey, caKeys.privateKey);
  await writeCert(target.provinceCert, province.cert);
  await writeKey(target.provinceKey, province.keys.privateKey);
  await writeCert(target.schoolSealCert, seal.cert);
  await writeKey(target.schoolSealKey, seal.keys.privateKey);
}

function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(RSA_SHA256, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}
