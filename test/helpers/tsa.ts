import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

// RFC 3161 time-stamp authorities for tests, made and run by the openssl binary (`openssl ts`),
// so the tokens the gateway verifies come from another implementation than its own: a root CA,
// and a TSA certificate under it (extended key usage timeStamping, critical, as openssl requires
// of the certificate it signs with).

const run = promisify(execFile);

export interface Tsa {
  name: string;
  /** The TSA root (PEM): what signedRecords.tsa.trustAnchors names. */
  rootPem: string;
  rootFile: string;
  /** A token (DER TimeStampToken) over the SHA-256 of `data`, with the TSA's certificate in it. */
  stamp(data: Buffer | string): Promise<Buffer>;
}

const EXTENSIONS = `[tsa_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
`;

const TS_CONFIG = (dir: string) => `[tsa]
default_tsa = tsa_config1
[tsa_config1]
serial = ${join(dir, 'serial')}
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;

/** A TSA in `dir`, with a root of its own. */
export async function makeTsa(dir: string, name: string): Promise<Tsa> {
  await mkdir(dir, { recursive: true });
  const f = (n: string) => join(dir, n);
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-sha256', '-nodes', '-days', '3650', '-subj', `/CN=${name} Root`, '-keyout', f('root.key'), '-out', f('root.pem'),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', f('tsa.key'), '-out', f('tsa.csr')]);
  await writeFile(f('ext.cnf'), EXTENSIONS);
  await run('openssl', ['x509', '-req', '-sha256', '-days', '365', '-in', f('tsa.csr'), '-CA', f('root.pem'), '-CAkey', f('root.key'), '-CAcreateserial',
    '-extfile', f('ext.cnf'), '-extensions', 'tsa_ext', '-out', f('tsa.pem')]);
  await writeFile(f('ts.cnf'), TS_CONFIG(dir));
  await writeFile(f('serial'), '01\n');
  let n = 0;
  return {
    name,
    rootPem: await readFile(f('root.pem'), 'utf8'),
    rootFile: f('root.pem'),
    async stamp(data) {
      const i = ++n;
      const digest = createHash('sha256').update(data).digest('hex');
      await run('openssl', ['ts', '-query', '-digest', digest, '-sha256', '-cert', '-no_nonce', '-out', f(`q${i}.tsq`)]);
      await run('openssl', ['ts', '-reply', '-config', f('ts.cnf'), '-queryfile', f(`q${i}.tsq`), '-signer', f('tsa.pem'), '-inkey', f('tsa.key'), '-token_out', '-out', f(`t${i}.der`)]);
      return readFile(f(`t${i}.der`));
    },
  };
}

export const XADES_NS = 'http://uri.etsi.org/01903/v1.3.2#';
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

/** The base64 text of a signature's ds:SignatureValue (the profile's signer writes no attributes on it, no whitespace). */
function signatureValueText(doc: string, signatureId: string): string {
  const sig = doc.slice(doc.indexOf(`Id="${signatureId}"`));
  return /<ds:SignatureValue>([^<]*)<\/ds:SignatureValue>/.exec(sig)![1]!;
}

/** A signature's ds:SignatureValue in exclusive canonical form, written out by hand. */
export function signatureValueC14n(doc: string, signatureId: string): string {
  return `<ds:SignatureValue xmlns:ds="${DS}">${signatureValueText(doc, signatureId)}</ds:SignatureValue>`;
}

/**
 * The same element in inclusive canonical form (Canonical XML 1.0), written out by hand from the
 * specification: every namespace in scope at the apex, sorted, the document's default (`rootNs`) first.
 */
export function signatureValueInclusiveC14n(doc: string, signatureId: string, rootNs: string): string {
  return `<ds:SignatureValue xmlns="${rootNs}" xmlns:ds="${DS}">${signatureValueText(doc, signatureId)}</ds:SignatureValue>`;
}

/** The XAdES unsigned properties that carry `token`, as a ds:Object (`inner` replaces the SignatureTimeStamp's content). */
export function stampObject(signatureId: string, token: Buffer | string, o: { method?: string | null; inner?: string } = {}): string {
  const method = o.method === null ? '' : `<ds:CanonicalizationMethod Algorithm="${o.method ?? EXC_C14N}"></ds:CanonicalizationMethod>`;
  const inner = o.inner ?? `${method}<xades:EncapsulatedTimeStamp>${typeof token === 'string' ? token : token.toString('base64')}</xades:EncapsulatedTimeStamp>`;
  return (
    `<ds:Object><xades:QualifyingProperties xmlns:xades="${XADES_NS}" Target="#${signatureId}"><xades:UnsignedProperties><xades:UnsignedSignatureProperties>` +
    `<xades:SignatureTimeStamp>${inner}</xades:SignatureTimeStamp>` +
    '</xades:UnsignedSignatureProperties></xades:UnsignedProperties></xades:QualifyingProperties></ds:Object>'
  );
}

/** `doc` with `object` added as the last child of the signature `signatureId`. */
export function withObject(doc: string, signatureId: string, object: string): string {
  const at = doc.indexOf(`Id="${signatureId}"`);
  const end = doc.indexOf('</ds:Signature>', at);
  return doc.slice(0, end) + object + doc.slice(end);
}
