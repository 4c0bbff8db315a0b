import { ROLES, type SignerRole } from './format.js';

// Which signatures a record needs before it is sent, and what happens otherwise. Settings:
// signedRecords.required ("teacher+principal+seal", "seal", "none") and whenIncomplete
// ("reject", or "hold" the record until a document with the rest arrives).

export interface SignaturePolicy {
  required: SignerRole[];
  whenIncomplete: 'reject' | 'hold';
  matchSignerNames: boolean;
  maxClockSkewMs: number;
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

export function policyFromSettings(s: { required: string; whenIncomplete: string; matchSignerNames: boolean; maxClockSkewSeconds: number }): SignaturePolicy {
  if (s.whenIncomplete !== 'reject' && s.whenIncomplete !== 'hold') throw new Error('signedRecords.whenIncomplete must be "reject" or "hold"');
  return { required: parseRequired(s.required), whenIncomplete: s.whenIncomplete, matchSignerNames: s.matchSignerNames, maxClockSkewMs: s.maxClockSkewSeconds * 1000 };
}
