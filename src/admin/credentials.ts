import { randomBytes } from 'node:crypto';
import { adapters, getAdapter } from '../adapters/registry.js';
import { loadReferenceData } from '../config/validation-context.js';
import type { Settings } from '../config/settings.js';
import { hashKey, ROLES } from '../plugins/auth.js';
import type { AdminRole, Credential, Store } from '../storage/store.js';
import { audit, type Actor } from './audit.js';

// Issuing, listing, revoking and rotating keys: one set of functions for the CLI
// (`hocba-gw credentials …`, `hocba-gw admins …`) and the API (/admin/v1/credentials), each
// audited. A key is shown once, when made; only its SHA-256 is stored.
//
// Vendor keys name their schools, which must be on the province's school list
// (referenceData.schoolsFile): the acceptance step refuses any other school's record
// (SCHOOL_NOT_AUTHORISED). `anySchool` makes a key for every school of the province (schools
// null), for a vendor that serves the whole province; it is asked for explicitly, never implied.

export class CredentialError extends Error {}

export function newKey(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

const DURATION = /^(\d+)\s*(s|m|h|d|w)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** "7d", "12h", "30m", "90s", "2w" or a number of seconds, in milliseconds. */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number' || /^\d+$/.test(String(text))) return Number(text) * 1000;
  const m = DURATION.exec(text.trim());
  if (!m) throw new CredentialError(`not a duration: ${JSON.stringify(text)} (e.g. 7d, 12h, 30m)`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** An expiry: an ISO date or date-time (a bare date ends at the end of that day, UTC). */
export function parseExpiry(text: string, now: number): number {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T23:59:59.999Z`) : Date.parse(text);
  if (!Number.isFinite(t)) throw new CredentialError(`not a date: ${JSON.stringify(text)} (e.g. 2026-06-30)`);
  if (t <= now) throw new CredentialError(`the expiry ${text} is in the past`);
  return t;
}

export interface NewVendorKey {
  vendor: string;
  schools?: string[] | null;
  anySchool?: boolean;
  name?: string | null;
  expiresAt?: number | null;
}

export interface MadeKey {
  credential: Credential;
  key: string;
}

function checkSchools(settings: Pick<Settings, 'referenceData'>, schools: string[]): string[] {
  const known = loadReferenceData(settings.referenceData).schools;
  const unique = [...new Set(schools.map((s) => s.trim()).filter(Boolean))];
  if (unique.length === 0) throw new CredentialError('name at least one school (--schools CODE,CODE…), or --any-school');
  const unknown = unique.filter((s) => !known.has(s));
  if (unknown.length) throw new CredentialError(`not on the province's school list (${settings.referenceData.schoolsFile}): ${unknown.join(', ')}`);
  return unique;
}

export async function createVendorKey(store: Store, settings: Pick<Settings, 'referenceData'>, actor: Actor, input: NewVendorKey, now = Date.now()): Promise<MadeKey> {
  if (!getAdapter(input.vendor)) throw new CredentialError(`unknown vendor ${JSON.stringify(input.vendor)} (vendors: ${Object.keys(adapters).join(', ')})`);
  if (input.anySchool && input.schools?.length) throw new CredentialError('give either schools or any-school, not both');
  const schools = input.anySchool ? null : checkSchools(settings, input.schools ?? []);
  if (input.expiresAt != null && input.expiresAt <= now) throw new CredentialError('the expiry is in the past');
  const key = newKey(`vk_${input.vendor}`);
  const cred: Credential = { kind: 'vendor', vendor: input.vendor, schools, name: input.name ?? null, expiresAt: input.expiresAt ?? null, createdAt: now };
  await store.addCredential(hashKey(key), cred);
  const made = (await store.findCredential(hashKey(key)))!;
  await audit(store, actor, { action: 'credentials.create', target: { id: made.id, vendor: made.vendor, schools: made.schools, expiresAt: made.expiresAt }, count: null }, now);
  return { credential: made, key };
}

export async function createAdmin(store: Store, actor: Actor, input: { name: string; role: AdminRole; expiresAt?: number | null }, now = Date.now()): Promise<MadeKey> {
  if (!ROLES.includes(input.role)) throw new CredentialError(`role must be one of ${ROLES.join(', ')}`);
  if (!input.name?.trim()) throw new CredentialError('an admin account needs a name (--name)');
  const key = newKey('adm');
  await store.addCredential(hashKey(key), { kind: 'admin', vendor: null, schools: null, role: input.role, name: input.name.trim(), expiresAt: input.expiresAt ?? null, createdAt: now });
  const made = (await store.findCredential(hashKey(key)))!;
  await audit(store, actor, { action: 'admins.create', target: { id: made.id, name: made.name, role: made.role }, count: null }, now);
  return { credential: made, key };
}

export async function revokeCredential(store: Store, actor: Actor, id: string, reason: string | null = null, now = Date.now()): Promise<Credential | null> {
  const cred = await store.getCredential(id);
  if (!cred) return null;
  const changed = await store.revokeCredential(id, now);
  await audit(store, actor, { action: cred.kind === 'admin' ? 'admins.revoke' : 'credentials.revoke', target: { id }, count: changed ? 1 : 0, reason }, now);
  return store.getCredential(id);
}

export async function rotateCredential(store: Store, actor: Actor, id: string, graceMs: number, now = Date.now()): Promise<MadeKey | null> {
  const old = await store.getCredential(id);
  if (!old) return null;
  if (old.revokedAt != null) throw new CredentialError(`credential ${id} is revoked; make a new one instead`);
  const key = newKey(old.kind === 'admin' ? 'adm' : `vk_${old.vendor}`);
  const made = await store.rotateCredential(id, hashKey(key), now + graceMs, now);
  if (!made) return null;
  await audit(store, actor, { action: 'credentials.rotate', target: { id, newId: made.id, graceUntil: new Date(now + graceMs).toISOString() }, count: null }, now);
  return { credential: made, key };
}

const iso = (t: number | null | undefined) => (t == null ? null : new Date(t).toISOString());

/** A credential as the API and the CLI show it: never the key nor its hash. */
export function credentialView(c: Credential) {
  return {
    id: c.id!,
    kind: c.kind,
    vendor: c.vendor,
    name: c.name ?? null,
    role: c.role ?? null,
    schools: c.schools,
    createdAt: iso(c.createdAt),
    expiresAt: iso(c.expiresAt),
    revokedAt: iso(c.revokedAt),
    graceUntil: iso(c.graceUntil),
    replacedBy: c.replacedBy ?? null,
  };
}
