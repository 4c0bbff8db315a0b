import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// xmlsec1 (libxml2 + OpenSSL) as the independent verifier: it trusts only the CA given, takes
// the certificate from KeyInfo and checks its chain, and resolves same-document references
// (the SignatureProperties of the province's signature; the record's Id for học bạ signatures).

export const haveXmlsec = await new Promise<boolean>((resolve) => execFile('xmlsec1', ['--version'], (err) => resolve(err === null)));
export const xmlsecSkip = haveXmlsec ? false : 'xmlsec1 is not installed';

/** The command line the README documents for verifying a packet. */
export function xmlsecArgs(caPem: string, file: string, extra: string[] = []): string[] {
  return ['--verify', '--enabled-key-data', 'x509', '--trusted-pem', caPem, '--enabled-reference-uris', 'empty,same-doc', ...extra, file];
}

export async function xmlsecVerify(xml: string, caPem: string, extra: string[] = []): Promise<{ ok: boolean; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'hocba-xmlsec-'));
  const file = join(dir, 'doc.xml');
  await writeFile(file, xml);
  try {
    return await new Promise((resolve) =>
      execFile('xmlsec1', xmlsecArgs(caPem, file, extra), (err, stdout, stderr) => resolve({ ok: err === null && /^OK$/m.test(stdout + stderr), output: stdout + stderr })),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
