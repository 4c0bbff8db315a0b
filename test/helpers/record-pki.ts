import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CanonicalRecord } from '../../src/canonical/record.js';
import { ensureDemoPki, type DemoPkiPaths } from '../../src/pki/demo.js';
import { issueCertificate, issueCrl, type IssuedCertificate } from '../../src/pki/signer-certificates.js';
import { DemoSigners, sampleRecords } from '../../src/record-signatures/demo-documents.js';

// Everything the signed-record tests need: the demo CA and its teacher, principal and seal
// certificates, plus the bad ones: expired, revoked (with a CRL), from an unknown CA, not for
// signing, and a teacher under an intermediate CA.

export interface RecordPki {
  dir: string;
  pki: DemoPkiPaths;
  unknownCa: DemoPkiPaths;
  signers: DemoSigners;
  records: CanonicalRecord[];
  expired: IssuedCertificate;
  revoked: IssuedCertificate;
  revokedLater: IssuedCertificate;
  compromisedLater: IssuedCertificate;
  unknown: IssuedCertificate;
  notForSigning: IssuedCertificate;
  intermediate: IssuedCertificate;
  underIntermediate: IssuedCertificate;
  crl: Buffer;
  /** When revokedLater and compromisedLater were revoked (two minutes ago). */
  revokedAt: Date;
}


export async function makeRecordPki(t: { teardown(fn: () => unknown): void }): Promise<RecordPki> {
  const dir = await mkdtemp(join(tmpdir(), 'hocba-record-pki-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const [pki, unknownCa] = await Promise.all([ensureDemoPki(join(dir, 'pki')), ensureDemoPki(join(dir, 'unknown-ca'), { provinceCode: '99' })]);
  const records = sampleRecords(4, 7);
  const teacher = records[0].homeroomTeacher;
  const now = Date.now();
  const [expired, revoked, revokedLater, compromisedLater, unknown, notForSigning, intermediate] = await Promise.all([
    // The demo CA is minutes old, so "expired" means a life that ended a minute ago.
    issueCertificate(pki, { commonName: teacher, notBefore: new Date(now - 240_000), notAfter: new Date(now - 60_000) }),
    issueCertificate(pki, { commonName: teacher }),
    issueCertificate(pki, { commonName: teacher }),
    issueCertificate(pki, { commonName: teacher }),
    issueCertificate(unknownCa, { commonName: teacher }),
    issueCertificate(pki, { commonName: teacher, usage: 'encipherment' }),
    issueCertificate(pki, { commonName: 'Demo Sub CA (personal certificates)', ca: true }),
  ]);
  const underIntermediate = await issueCertificate({ certPem: intermediate.pem, key: intermediate.cryptoKey }, { commonName: teacher });
  const revokedAt = new Date(now - 120_000);
  const crl = await issueCrl(pki, [
    { serialNumber: revoked.serialNumber, revocationDate: new Date(now - 200_000), reason: 4 },
    // Revoked two minutes ago: documents claiming an earlier signing time are still good, unless the key leaked.
    { serialNumber: revokedLater.serialNumber, revocationDate: revokedAt, reason: 5 },
    { serialNumber: compromisedLater.serialNumber, revocationDate: revokedAt, reason: 1 },
  ]);
  return { dir, pki, unknownCa, signers: new DemoSigners(pki), records, expired, revoked, revokedLater, compromisedLater, unknown, notForSigning, intermediate, underIntermediate, crl, revokedAt };
}
