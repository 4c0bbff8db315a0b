import type { KeyObject } from 'node:crypto';
import { getAdapter } from '../adapters/registry.js';
import { splitVneduBatch } from '../adapters/vnedu/map.js';
import { sampleVneduBatch } from '../adapters/vnedu/sample.js';
import type { CanonicalRecord } from '../canonical/record.js';
import { recordToXml } from '../canonical/xml.js';
import { issueCertificate, type CaFiles } from '../pki/signer-certificates.js';
import type { SignerRole } from './format.js';
import { SEAL_IDENTIFIER_PREFIX } from './policy.js';
import { signRecordDocument, withRecordId } from './sign-record.js';

// Signed học bạ documents as a school's SIS would send them, made from the vnEdu sample: one
// certificate per homeroom teacher, one for the principal, one for the school seal, all from the
// demo CA. For `hocba-gw sample --signed`, the tests and the benchmark.

export interface DemoSigner {
  key: KeyObject;
  certificate: Buffer;
}

export class DemoSigners {
  readonly #byName = new Map<string, Promise<DemoSigner>>();
  constructor(private readonly ca: CaFiles) {}

  /**
   * The certificate of `name` for `role`, issued on first use. A seal is the school's organisation
   * certificate: its subject carries organizationIdentifier MOETVN-<schoolId> (the profile's rule).
   */
  get(role: SignerRole, name: string, schoolId?: string): Promise<DemoSigner> {
    const key = `${role}:${name}:${role === 'seal' ? (schoolId ?? '') : ''}`;
    let s = this.#byName.get(key);
    if (!s) {
      s = issueCertificate(
        this.ca,
        role === 'seal' ? { commonName: name, organization: name, ...(schoolId ? { organizationIdentifier: `${SEAL_IDENTIFIER_PREFIX}${schoolId}` } : {}) } : { commonName: name },
      );
      this.#byName.set(key, s);
    }
    return s;
  }
}

export function sampleRecords(count: number, seed = 1): CanonicalRecord[] {
  const adapter = getAdapter('vnedu')!;
  const { items, context } = splitVneduBatch(sampleVneduBatch(count, seed));
  return items.map((item) => {
    const m = adapter.map(item, context);
    if (!m.ok) throw new Error('the vnEdu sample does not map');
    return m.record;
  });
}

/** Signs `record` with the given roles (all three by default) at `signingTime`. */
export async function signedDocument(
  signers: DemoSigners,
  record: CanonicalRecord,
  opts: { roles?: SignerRole[]; signingTime?: Date; recordId?: string } = {},
): Promise<string> {
  const recordId = opts.recordId ?? `HB-${record.recordId.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
  const at = opts.signingTime ?? new Date();
  const roles = opts.roles ?? ['teacher', 'principal', 'seal'];
  const nameOf = (r: SignerRole) => (r === 'teacher' ? record.homeroomTeacher : r === 'principal' ? record.principal : record.school.name);
  const parties = await Promise.all(roles.map(async (role) => ({ role, s: await signers.get(role, nameOf(role), record.school.schoolId) })));
  return signRecordDocument(
    withRecordId(recordToXml(record), recordId),
    recordId,
    parties.map(({ role, s }) => ({ role, key: s.key, certificates: [s.certificate], signingTime: at })),
  );
}
