import { ROLES, type SignerRole } from './format.js';

// Which signatures a record needs before it is sent, and what happens otherwise. Settings:
// signedRecords.required ("teacher+principal+seal", "seal", "none") and whenIncomplete
// ("reject", or "hold" the record until a document with the rest arrives). And what each
// signer's certificate must be (signedRecords.roles): the role comes from the signature's Id, so
// without these rules any trusted signing certificate could stand in for any role.

export type KeyUsageName = 'digitalSignature' | 'nonRepudiation';

export interface RoleRule {
  /** certificatePolicies OIDs; the certificate must carry at least one. Empty: any. */
  policyOids: string[];
  /** Key usages the certificate must all have. */
  keyUsage: KeyUsageName[];
}

export interface RoleRules {
  teacher: RoleRule;
  principal: RoleRule & {
    /** A deputy's certificate on sig-hieutruong ("KT. Hiệu trưởng"). */
    allowDeputy: boolean;
    /** Subject titles (2.5.4.12) that mark a deputy principal's certificate. */
    deputyTitles: string[];
  };
  seal: RoleRule & {
    /** The seal's subject organizationIdentifier is this prefix followed by the record's Ministry school ID. */
    schoolIdentifierPrefix: string;
  };
}

/** The profile's prefix for a school's organisation certificate (specs/ministry-profile/v1/signed-record.md). */
export const SEAL_IDENTIFIER_PREFIX = 'MOETVN-';

export const DEFAULT_ROLE_RULES: RoleRules = {
  teacher: { policyOids: [], keyUsage: ['digitalSignature', 'nonRepudiation'] },
  principal: { policyOids: [], keyUsage: ['digitalSignature', 'nonRepudiation'], allowDeputy: false, deputyTitles: ['Phó Hiệu trưởng', 'Phó hiệu trưởng'] },
  seal: { policyOids: [], keyUsage: ['digitalSignature', 'nonRepudiation'], schoolIdentifierPrefix: SEAL_IDENTIFIER_PREFIX },
};

export interface SignaturePolicy {
  required: SignerRole[];
  whenIncomplete: 'reject' | 'hold';
  matchSignerNames: boolean;
  maxClockSkewMs: number;
  roles?: RoleRules;
}

export function parseRequired(text: string): SignerRole[] {
  const t = text.trim();
  if (t === '' || t === 'none') return [];
  const roles = t.split('+').map((r) => r.trim());
  for (const r of roles) {
    if (!(ROLES as readonly string[]).includes(r)) throw new Error(`signedRecords.required: unknown signer ${JSON.stringify(r)} (use ${ROLES.join(', ')} joined by +, or none)`);
  }
  return [...new Set(roles)] as SignerRole[];
}

const KEY_USAGES: readonly string[] = ['digitalSignature', 'nonRepudiation'];
const OID = /^[0-2](\.\d+)+$/;

function roleRule(name: string, r: Partial<RoleRule> | undefined, base: RoleRule): RoleRule {
  const policyOids = r?.policyOids ?? base.policyOids;
  const keyUsage = r?.keyUsage ?? base.keyUsage;
  for (const o of policyOids) if (!OID.test(o)) throw new Error(`signedRecords.roles.${name}.policyOids: ${JSON.stringify(o)} is not an OID`);
  for (const k of keyUsage) if (!KEY_USAGES.includes(k)) throw new Error(`signedRecords.roles.${name}.keyUsage: ${JSON.stringify(k)} (use ${KEY_USAGES.join(', ')})`);
  return { policyOids: [...policyOids], keyUsage: [...keyUsage] };
}

export function roleRulesFromSettings(s: Partial<{ [K in keyof RoleRules]: Partial<RoleRules[K]> }> | undefined): RoleRules {
  const d = DEFAULT_ROLE_RULES;
  return {
    teacher: roleRule('teacher', s?.teacher, d.teacher),
    principal: {
      ...roleRule('principal', s?.principal, d.principal),
      allowDeputy: s?.principal?.allowDeputy ?? d.principal.allowDeputy,
      deputyTitles: [...(s?.principal?.deputyTitles ?? d.principal.deputyTitles)],
    },
    seal: { ...roleRule('seal', s?.seal, d.seal), schoolIdentifierPrefix: s?.seal?.schoolIdentifierPrefix ?? d.seal.schoolIdentifierPrefix },
  };
}

export function policyFromSettings(s: {
  required: string;
  whenIncomplete: string;
  matchSignerNames: boolean;
  maxClockSkewSeconds: number;
  roles?: Parameters<typeof roleRulesFromSettings>[0];
  tsa?: { trustAnchors: string[] };
}): SignaturePolicy {
  if (s.whenIncomplete !== 'reject' && s.whenIncomplete !== 'hold') throw new Error('signedRecords.whenIncomplete must be "reject" or "hold"');
  return { required: parseRequired(s.required), whenIncomplete: s.whenIncomplete, matchSignerNames: s.matchSignerNames, maxClockSkewMs: s.maxClockSkewSeconds * 1000, roles: roleRulesFromSettings(s.roles) };
}
