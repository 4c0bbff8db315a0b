import { recordKeyOf, type CanonicalRecord } from '../canonical/record.js';
import { contentHashOf } from '../canonical/xml.js';
import { facetsOf } from '../pipeline/intake.js';
import type { XmlLimits } from '../signing/xml-prescan.js';
import { checkXmlChars } from '../validation/rules/xml-chars.js';
import type { ValidationContext } from '../validation/context.js';
import type { FieldError } from '../validation/types.js';
import { pendingPersonalId, validateRecord } from '../validation/validate.js';
import type { HoldCode } from '../storage/outbox/first-event.js';
import type { SignerRole } from './format.js';
import type { SignaturePolicy } from './policy.js';
import type { TrustStore } from './trust-store.js';
import { verifySignedDocument, type SignatureReport } from './verify-document.js';

// One signed học bạ document from the door to the outbox's decision: its signatures, then its
// content (the same validation as a vendor batch), then the signature policy. Runs in the
// verification workers; everything it returns is plain data.

export interface SignedRecordOutcome {
  status: 'queued' | 'held' | 'rejected';
  /** Held: what it waits for (signatures unless said otherwise). */
  holdCode?: HoldCode;
  recordKey?: string;
  /** The canonical <hocba> the signatures cover; stored and sent as is. */
  recordXml?: string;
  contentHash?: string;
  /** The record's own version (for the version-only-goes-up rule). */
  version?: number;
  signatures: SignatureReport[];
  /** Roles the policy requires that no valid signature provides. */
  missing: SignerRole[];
  errors: FieldError[];
  /** What the record is about (school, learner, grade, class, year), for the acceptance step and searches. */
  facets?: ReturnType<typeof facetsOf>;
}

export function checkSignedRecord(xml: string, trust: TrustStore, policy: SignaturePolicy, ctx: ValidationContext, now = new Date(), limits?: XmlLimits): SignedRecordOutcome {
  const verdict = verifySignedDocument(xml, trust, { now, maxClockSkewMs: policy.maxClockSkewMs, matchSignerNames: policy.matchSignerNames, roles: policy.roles, limits });
  if (!verdict.ok) {
    return { status: 'rejected', signatures: [], missing: [], errors: [{ path: verdict.path ?? '', code: verdict.code, detail_en: verdict.detail, detail_vi: verdict.detail }] };
  }
  const { signatures } = verdict;
  const record = verdict.record as CanonicalRecord;
  const contentErrors = validateRecord(record, ctx);
  const recordErrors: FieldError[] = contentErrors.length ? contentErrors : checkXmlChars(record);
  const recordKey = recordErrors.length === 0 ? recordKeyOf(record) : undefined;
  // A forged or broken signature is never held: the whole document is refused with its code.
  const errors: FieldError[] = [
    ...signatures.filter((s) => !s.valid).map((s): FieldError => ({ path: `/signatures/${s.id ?? ''}`, code: s.code!, detail_en: s.detail, detail_vi: s.detail })),
    ...recordErrors,
  ];
  const base = {
    recordKey,
    recordXml: verdict.recordXml,
    contentHash: contentHashOf(verdict.recordXml),
    version: typeof record.version === 'number' ? record.version : undefined,
    signatures,
    facets: facetsOf(record),
  };
  const present = new Set(signatures.filter((s) => s.valid).map((s) => s.role));
  const missing = policy.required.filter((r) => !present.has(r));
  if (errors.length) return { ...base, status: 'rejected', missing: [], errors };
  if (missing.length === 0) {
    // Signed in full, but for a student whose personal ID is not issued yet: held until a version with it.
    const pending = pendingPersonalId(record);
    return pending ? { ...base, status: 'held', holdCode: 'PERSONAL_ID_PENDING', missing, errors: [pending] } : { ...base, status: 'queued', missing, errors };
  }
  const incomplete: FieldError = { path: '/signatures', code: 'SIGNATURES_INCOMPLETE', detail_en: `missing: ${missing.join(', ')}`, detail_vi: `còn thiếu: ${missing.join(', ')}` };
  return { ...base, status: policy.whenIncomplete === 'hold' ? 'held' : 'rejected', missing, errors: [incomplete] };
}
