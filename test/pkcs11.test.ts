import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect, promisify } from 'node:util';
import t from 'tap';
import { buildPacket } from '../src/packet/build.js';
import { ensureDemoPki } from '../src/pki/demo.js';
import { createSigner } from '../src/signing/create-signer.js';
import { verifyEnveloped } from '../src/signing/xmldsig.js';
import { xmlsecSkip, xmlsecVerify } from './helpers/xmlsec.js';

// The PKCS#11 signer against a real SoftHSM2 token (Debian's softhsm2, which .ci/run installs):
// a token made in a temporary directory, the province key imported into it, packets signed on
// the token and verified by xmlsec1.

const run = promisify(execFile);
const MODULE = '/usr/lib/softhsm/libsofthsm2.so';
const haveSoftHsm = existsSync(MODULE) && (await run('softhsm2-util', ['--version']).then(() => true, () => false));
if (!haveSoftHsm) {
  // .ci/run installs it, so in CI its absence is a failure, not a skip.
  if (process.env.CI) t.fail('softhsm2 is not installed: .ci/run should have installed it');
  else t.skip('softhsm2 is not installed (apt-get install softhsm2)');
} else {
  const root = await mkdtemp(join(tmpdir(), 'hocba-pkcs11-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, 'tokens'));
  // SoftHSM reads its configuration when the module initialises, in this process and in softhsm2-util.
  process.env.SOFTHSM2_CONF = join(root, 'softhsm2.conf');
  await writeFile(process.env.SOFTHSM2_CONF, `directories.tokendir = ${join(root, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  await run('softhsm2-util', ['--init-token', '--free', '--label', 'hocba', '--pin', '1234', '--so-pin', '5678']);

  const pki = await ensureDemoPki(join(root, 'pki'));
  const other = await ensureDemoPki(join(root, 'other-pki'), { provinceCode: '79' });
  await run('softhsm2-util', ['--import', pki.provinceKey, '--token', 'hocba', '--label', 'province', '--id', '01', '--pin', '1234']);
  // The certificate as an object on the token too, as CAs deliver USB tokens (written here with
  // the binding itself, before any signer opens the module).
  {
    const { default: pkcs11js } = await import('pkcs11js');
    const p = new pkcs11js.PKCS11();
    p.load(MODULE);
    p.C_Initialize();
    const slot = p.C_GetSlotList(true).find((s) => p.C_GetTokenInfo(s).label.trim() === 'hocba')!;
    const session = p.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    p.C_Login(session, pkcs11js.CKU_USER, '1234');
    const der = new X509Certificate(await readFile(pki.provinceCert)).raw;
    await import('reflect-metadata');
    const x509 = await import('@peculiar/x509');
    const subject = Buffer.from(new x509.X509Certificate(der).subjectName.toArrayBuffer());
    p.C_CreateObject(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
      { type: pkcs11js.CKA_CERTIFICATE_TYPE, value: pkcs11js.CKC_X_509 },
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_LABEL, value: 'province' },
      { type: pkcs11js.CKA_SUBJECT, value: subject },
      { type: pkcs11js.CKA_ID, value: Buffer.from([1]) },
      { type: pkcs11js.CKA_VALUE, value: der },
    ]);
    p.C_Logout(session);
    p.C_CloseSession(session);
    p.C_Finalize();
    p.close();
  }
  const certPath = join(root, 'province.pem');
  await copyFile(pki.provinceCert, certPath);
  const trusted = await readFile(pki.provinceCert, 'utf8');

  const packet = (n: number) =>
    buildPacket({
      packetId: `PKT-P11-${n}`,
      provinceCode: '01',
      createdAt: '2025-06-01T08:00:00.000Z',
      records: [{ recordKey: `0100123400001/2024-2025`, contentHash: 'a'.repeat(64), xml: `<hocba xmlns="urn:moet:hocba:record:v0"><n>${n}</n><name>Nguyễn Thị Ánh</name></hocba>` }],
    });

  // Before any signer logs in: login is per token and process, so a later wrong PIN finds the token open.
  const wrongPin = await createSigner({ kind: 'pkcs11', modulePath: MODULE, tokenLabel: 'hocba', keyLabel: 'province', pin: '999999', certPath }).then(
    () => null,
    (e: Error) => e,
  );
  const signer = await createSigner({ kind: 'pkcs11', modulePath: MODULE, tokenLabel: 'hocba', keyLabel: 'province', pin: '1234', certPath });
  t.teardown(() => signer.close?.());

  t.test('signs a packet on the token; xmlsec1 and xml-crypto verify it', async (t) => {
    t.equal(signer.name, 'pkcs11');
    const signed = await signer.sign(packet(1));
    t.ok(verifyEnveloped(signed, trusted).valid, 'verifies against the province certificate');
    t.notOk(verifyEnveloped(signed, await readFile(other.provinceCert, 'utf8')).valid, 'not against another');
    if (xmlsecSkip === false) {
      const { ok, output } = await xmlsecVerify(signed, pki.caCert);
      t.ok(ok, output);
    }
  });

  t.test('signatures asked for at once are queued on the one session and all verify', async (t) => {
    const signed = await Promise.all(Array.from({ length: 12 }, (_, i) => signer.sign(packet(i))));
    t.ok(signed.every((s) => verifyEnveloped(s, trusted).valid));
    t.equal(new Set(signed).size, 12);
  });

  t.test('the PIN never shows', async (t) => {
    for (const shown of [JSON.stringify(signer), inspect(signer, { showHidden: true, depth: 10 }), String(Object.keys(signer))]) t.notMatch(shown, '1234');
    t.same(JSON.parse(JSON.stringify(signer)), { name: 'pkcs11', modulePath: MODULE, tokenLabel: 'hocba', keyLabel: 'province' });
    t.match(wrongPin?.message, /CKR_PIN_INCORRECT/, 'a wrong PIN is refused with the token\'s reason');
    t.notMatch(wrongPin?.message ?? '', '999999', 'without the PIN');
  });

  t.test('clear errors for a missing token, key or module', async (t) => {
    await t.rejects(createSigner({ kind: 'pkcs11', modulePath: MODULE, tokenLabel: 'nope', keyLabel: 'province', pin: '1234', certPath }), /no PKCS#11 token labelled "nope"/);
    await t.rejects(createSigner({ kind: 'pkcs11', modulePath: MODULE, tokenLabel: 'hocba', keyLabel: 'nope', pin: '1234', certPath }), /expected one private key labelled "nope"/);
    await t.rejects(createSigner({ kind: 'pkcs11', modulePath: join(root, 'missing.so'), tokenLabel: 'hocba', keyLabel: 'province', pin: '1234', certPath }), /cannot load the PKCS#11 module/);
    await t.rejects(createSigner({ kind: 'pkcs11', modulePath: MODULE, tokenLabel: 'hocba', keyLabel: 'province', pin: '1234', certPath: other.provinceCert }), /does not match the certificate/);
  });

  t.test('reload: a certificate that does not fit the token key is refused and the old pair keeps signing', async (t) => {
    await copyFile(other.provinceCert, certPath);
    await t.rejects(signer.reload(), /does not match/);
    t.ok(verifyEnveloped(await signer.sign(packet(2)), trusted).valid);
    await copyFile(pki.provinceCert, certPath);
    await signer.reload();
    t.ok(verifyEnveloped(await signer.sign(packet(3)), trusted).valid, 'a good reload signs on');
  });

  t.test('the certificate can live on the token beside the key', async (t) => {
    const fromToken = await createSigner({ kind: 'pkcs11', modulePath: MODULE, tokenLabel: 'hocba', keyLabel: 'province', pin: '1234' });
    t.equal(fromToken.certificatePem(), signer.certificatePem());
    const signed = await fromToken.sign(packet(4));
    if (xmlsecSkip === false) t.ok((await xmlsecVerify(signed, pki.caCert)).ok);
    // Two signers share the module: closing one leaves the other signing.
    await fromToken.close?.();
    t.ok(verifyEnveloped(await signer.sign(packet(5)), trusted).valid, 'the first signer still signs');
  });
}
