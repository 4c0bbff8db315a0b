import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { buildPacket } from '../src/packet/build.js';
import { demoPkiPaths } from '../src/pki/demo.js';
import { issueCertificate, issueCrl } from '../src/pki/signer-certificates.js';
import { FileKeySigner } from '../src/signing/file-key/file-key-signer.js';

// `hocba-gw keys init`, `sample --signed` and `verify`, run as an operator runs them: the real
// command in a child process, with its own data directory.

const dir = await mkdtemp(join(tmpdir(), 'hocba-cli-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));
// The installed command (dist/cli/main.js, built by `npm test` before tap runs), as the other
// process tests run it: each run starts in a fraction of the TypeScript loader's time.
const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

function hocbaGw(...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [cli, ...args], { env: { ...process.env, DATA_DIR: dir }, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    ),
  );
}

// Set-up through the CLI itself; a failure here fails the file (tap ends a file at its first await after an assertion).
const init = await hocbaGw('keys', 'init');
if (init.code !== 0) throw new Error(`keys init failed: ${init.out}`);
const pki = demoPkiPaths(join(dir, 'pki'));
const sample = await hocbaGw('sample', '--records', '3', '--seed', '5', '--signed');
if (sample.code !== 0) throw new Error(`sample --signed failed: ${sample.out.slice(0, 500)}`);
const documents: string[] = JSON.parse(sample.out).documents;
const write = async (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  await writeFile(p, content);
  return p;
};

t.test('keys init made the demo PKI', async (t) => {
  t.match(init.out, /demo PKI in/);
  t.equal(documents.length, 3, 'sample --signed wrote three documents');
  t.match(await readFile(pki.caCert, 'utf8'), /BEGIN CERTIFICATE/);
});

t.test('a complete signed record: each signature, its signer, the chain, exit 0', async (t) => {
  const r = await hocbaGw('verify', await write('good.xml', documents[0]));
  t.equal(r.code, 0, r.out);
  t.match(r.out, /sig-gvcn \(teacher\): VALID/);
  t.match(r.out, /sig-hieutruong \(principal\): VALID/);
  t.match(r.out, /sig-seal \(seal\): VALID/);
  t.match(r.out, /chain: +.+ → hocba-gateway Demo Root CA \(trust anchor\)/);
  t.match(r.out, /signer: +C=VN, CN=/);
  t.match(r.out, /verdict: VALID/);
});

t.test('a tampered record: the failing signature and code, exit 1', async (t) => {
  const doc = documents[1].replace(/<fullName>([^<]+)<\/fullName>/, '<fullName>$1x</fullName>');
  const r = await hocbaGw('verify', await write('tampered.xml', doc));
  t.equal(r.code, 1, r.out);
  t.match(r.out, /sig-gvcn \(teacher\): INVALID SIGNATURE_DIGEST_MISMATCH/);
  t.match(r.out, /verdict: INVALID/);
});

t.test('a missing required signature fails; a lighter --required passes', async (t) => {
  const noSeal = documents[2].replace(/<ds:Signature xmlns:ds="[^"]+" Id="sig-seal">[^]*?<\/ds:Signature>/, '');
  t.not(noSeal, documents[2]);
  const path = await write('no-seal.xml', noSeal);
  const r = await hocbaGw('verify', path);
  t.equal(r.code, 1, r.out);
  t.match(r.out, /missing: seal/);
  t.equal((await hocbaGw('verify', path, '--required', 'teacher+principal')).code, 0);
});

t.test('a revoked certificate, with --crl', async (t) => {
  const principal = documents[0].match(/<principal>([^<]+)</)![1];
  const revoked = await issueCertificate(pki, { commonName: principal });
  const crl = await write('demo.crl', await issueCrl(pki, [{ serialNumber: revoked.serialNumber, revocationDate: new Date(Date.now() - 60_000) }]));
  // Re-sign the principal's signature with the revoked certificate.
  const { signRecordDocument } = await import('../src/record-signatures/sign-record.js');
  const hocba = documents[0].slice(documents[0].indexOf('<hocba'), documents[0].indexOf('</hocba>') + 8).replace('<hocba ', '<hocba xmlns="urn:moet:hocba:record:v1" ');
  const id = /Id="([^"]+)"/.exec(hocba)![1];
  const doc = signRecordDocument(hocba, id, [{ role: 'principal', key: revoked.key, certificates: [revoked.certificate], signingTime: new Date() }]);
  const path = await write('revoked.xml', doc);
  const r = await hocbaGw('verify', path, '--crl', crl, '--required', 'principal');
  t.equal(r.code, 1, r.out);
  t.match(r.out, /INVALID CERT_REVOKED/);
  t.equal((await hocbaGw('verify', path, '--required', 'principal')).code, 0, 'without the CRL it cannot know');
});

t.test('a time-stamped signature, with --tsa: when and by whom it was stamped', async (t) => {
  const { makeTsa, signatureValueC14n, stampObject, withObject } = await import('./helpers/tsa.js');
  const tsa = await makeTsa(join(dir, 'tsa'), 'CLI TSA');
  const stamped = withObject(documents[0], 'sig-gvcn', stampObject('sig-gvcn', await tsa.stamp(signatureValueC14n(documents[0], 'sig-gvcn'))));
  const path = await write('stamped.xml', stamped);
  const r = await hocbaGw('verify', path, '--tsa', tsa.rootFile);
  t.equal(r.code, 0, r.out);
  t.match(r.out, /stamped: \d{4}-\d\d-\d\dT[^ ]+ by CN=CLI TSA/);
  const without = await hocbaGw('verify', path);
  t.equal(without.code, 1, without.out);
  t.match(without.out, /INVALID TIMESTAMP_UNSUPPORTED/);
});

t.test('a packet: the province signature, its chain, exit 0; another CA: exit 1', async (t) => {
  const signer = new FileKeySigner({ keyPath: pki.provinceKey, certPath: pki.provinceCert });
  const packet = await signer.sign(buildPacket({ packetId: 'PKT-CLI', provinceCode: '01', createdAt: '2025-06-01T08:00:00.000Z', records: [] }));
  const path = await write('packet.xml', packet);
  const r = await hocbaGw('verify', path);
  t.equal(r.code, 0, r.out);
  t.match(r.out, /pkt-sig: VALID/);
  t.match(r.out, /Sở GD&ĐT demo \(province 01\) → hocba-gateway Demo Root CA/);
  const foreign = await hocbaGw('verify', path, '--ca', await write('foreign.pem', (await issueCertificate(pki, { commonName: 'x', ca: true })).pem));
  t.equal(foreign.code, 1, foreign.out);
  t.match(foreign.out, /CERT_UNTRUSTED/);
});

t.test('a packet signed by another trusted certificate is not the province\'s (issue 14, item 10)', async (t) => {
  // The demo school seal chains to the same CA: trusted, but not the province's packet key.
  const other = new FileKeySigner({ keyPath: pki.schoolSealKey, certPath: pki.schoolSealCert });
  const path = await write('packet-other.xml', await other.sign(buildPacket({ packetId: 'PKT-OTHER', provinceCode: '01', createdAt: '2025-06-01T08:00:00.000Z', records: [] })));
  const r = await hocbaGw('verify', path);
  t.equal(r.code, 1, r.out);
  t.match(r.out, /INVALID PACKET_SIGNER_NOT_PROVINCE/);
  t.match(r.out, /trusted: province certificate .*Sở GD&ĐT demo \(province 01\).* from .*province\.pem/);
  // Naming that certificate as the province's (--province-cert) makes it the one trusted.
  const named = await hocbaGw('verify', path, '--province-cert', pki.schoolSealCert);
  t.equal(named.code, 0, named.out);
  t.match(named.out, /trusted: province certificate .*con dấu.* from .*school-seal\.pem/);
  // And the real province packet says which certificate it trusted.
  const ok = await hocbaGw('verify', join(dir, 'packet.xml'));
  t.equal(ok.code, 0, ok.out);
  t.match(ok.out, /trusted: province certificate .*sha256 [0-9a-f]{16}/);
});

t.test('a file that cannot be read exits 2 with a message', async (t) => {
  const r = await hocbaGw('verify', join(dir, 'missing.xml'));
  t.equal(r.code, 2);
  t.match(r.out, /hocba-gw: .*missing\.xml/);
});
