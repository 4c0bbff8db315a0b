import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { SIGNATURE_ROLES } from '../canonical/codes.js';
import type { ProvinceDirectory, ReferenceData, RetiredProvince, RuleSettings, SchoolEntry, ValidationContext } from '../validation/context.js';
import { PACKAGE_ROOT, type Settings } from './settings.js';

// Builds the validation context from configuration: rule settings from `rules`, province and
// school codes from the files named in `referenceData`. A malformed file or setting stops the
// gateway at start-up with a message naming it, instead of rejecting records later.

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(where: string, what: string): never {
  throw new ConfigError(`${where}: ${what}`);
}

function code(v: unknown, digits: number, where: string): string {
  if (typeof v !== 'string' || !new RegExp(`^[0-9]{${digits}}$`).test(v)) fail(where, `expected a ${digits}-digit code, got ${JSON.stringify(v)}`);
  return v;
}

/** Reads config/provinces.json: `provinces` in force, `before2025` (the 63 earlier codes, where each went, birth-registration codes) and `birthRegistrationCountries`. */
export function parseProvinces(json: unknown, where = 'provinces'): ProvinceDirectory {
  if (!isObject(json) || !Array.isArray(json.provinces) || !Array.isArray(json.before2025)) fail(where, 'expected { provinces: [...], before2025: [...] }');
  const current = new Map<string, string>();
  const birthRegistrationCodes = new Set<string>();
  json.provinces.forEach((p: unknown, i) => {
    const w = `${where}.provinces[${i}]`;
    if (!isObject(p) || typeof p.name !== 'string') fail(w, 'expected { code, name }');
    const c = code(p.code, 2, w);
    if (current.has(c)) fail(w, `code ${c} listed twice`);
    current.set(c, p.name);
    if (p.birthRegistrationCode !== undefined) birthRegistrationCodes.add(code(p.birthRegistrationCode, 3, w));
  });
  const retired = new Map<string, RetiredProvince>();
  json.before2025.forEach((p: unknown, i) => {
    const w = `${where}.before2025[${i}]`;
    if (!isObject(p) || typeof p.name !== 'string') fail(w, 'expected { code, name, birthRegistrationCode, now }');
    const c = code(p.code, 2, w);
    const now = code(p.now, 2, w);
    if (!current.has(now)) fail(w, `"now" ${now} is not a province in force`);
    birthRegistrationCodes.add(code(p.birthRegistrationCode, 3, w));
    if (!current.has(c)) retired.set(c, { name: p.name, now });
    else if (now !== c) fail(w, `code ${c} is still in force but is said to be now ${now}`);
  });
  // Births registered at a Vietnamese mission abroad: the ID opens with the country's code.
  const birthRegistrationCountries = new Map<string, string>();
  if (json.birthRegistrationCountries !== undefined) {
    const w = `${where}.birthRegistrationCountries`;
    if (!isObject(json.birthRegistrationCountries)) fail(w, 'expected { "US": "840", ... }');
    for (const [country, c] of Object.entries(json.birthRegistrationCountries)) {
      if (!/^[A-Z]{2}$/.test(country) || country === 'VN') fail(w, `expected an ISO 3166-1 alpha-2 code other than VN, got ${JSON.stringify(country)}`);
      birthRegistrationCountries.set(country, code(c, 3, `${w}.${country}`));
    }
  }
  return { current, retired, birthRegistrationCodes, birthRegistrationCountries };
}

/** Reads config/schools.json: `schools` with schoolId, name, provinceCode and grades { from, to }. */
export function parseSchools(json: unknown, provinces: ProvinceDirectory, where = 'schools'): Map<string, SchoolEntry> {
  if (!isObject(json) || !Array.isArray(json.schools)) fail(where, 'expected { schools: [...] }');
  const out = new Map<string, SchoolEntry>();
  json.schools.forEach((s: unknown, i) => {
    const w = `${where}.schools[${i}]`;
    if (!isObject(s) || typeof s.schoolId !== 'string' || !s.schoolId || typeof s.name !== 'string' || !isObject(s.grades)) {
      fail(w, 'expected { schoolId, name, provinceCode, grades: { from, to } }');
    }
    const provinceCode = code(s.provinceCode, 2, w);
    if (!provinces.current.has(provinceCode)) fail(w, `province ${provinceCode} is not in force`);
    const { from, to } = s.grades;
    if (!Number.isInteger(from) || !Number.isInteger(to) || (from as number) < 1 || (to as number) > 12 || (from as number) > (to as number)) {
      fail(w, 'grades must be whole numbers with 1 <= from <= to <= 12');
    }
    if (out.has(s.schoolId)) fail(w, `school ${s.schoolId} listed twice`);
    out.set(s.schoolId, { schoolId: s.schoolId, name: s.name, provinceCode, grades: { from: from as number, to: to as number } });
  });
  return out;
}

/** Checks the `rules` settings and returns them typed. */
export function parseRuleSettings(raw: unknown, where = 'rules'): RuleSettings {
  if (!isObject(raw)) fail(where, 'expected an object');
  const num = (k: string, min: number, max: number): number => {
    const v = raw[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) fail(`${where}.${k}`, `expected a number from ${min} to ${max}, got ${JSON.stringify(v)}`);
    return v;
  };
  const oneOf = <T extends string>(k: string, allowed: readonly T[]): T => {
    const v = raw[k];
    if (!allowed.includes(v as T)) fail(`${where}.${k}`, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
    return v as T;
  };
  const bool = (k: string): boolean => {
    if (typeof raw[k] !== 'boolean') fail(`${where}.${k}`, `expected true or false, got ${JSON.stringify(raw[k])}`);
    return raw[k] as boolean;
  };
  const sigs = raw.requiredSignatures;
  if (!Array.isArray(sigs) || !sigs.every((s) => (SIGNATURE_ROLES as readonly unknown[]).includes(s))) {
    fail(`${where}.requiredSignatures`, `expected a list of ${SIGNATURE_ROLES.join(', ')}`);
  }
  const minScore = num('primaryMinTestScore', 0, 10);
  if (!Number.isInteger(minScore)) fail(`${where}.primaryMinTestScore`, 'expected a whole number');
  const maxAbsent = num('maxAbsentSessions', 0, 1000);
  if (!Number.isInteger(maxAbsent)) fail(`${where}.maxAbsentSessions`, 'expected a whole number');
  return {
    primaryMinTestScore: minScore,
    averageTolerance: num('averageTolerance', 0, 1),
    regularAssessmentCount: oneOf('regularAssessmentCount', ['exact', 'atLeast'] as const),
    topicPeriods: oneOf('topicPeriods', ['withTopics', 'subjectOnly'] as const),
    lowerSecondaryArts: oneOf('lowerSecondaryArts', ['separate', 'together'] as const),
    maxAbsentSessions: maxAbsent,
    requiredSignatures: [...new Set(sigs)] as RuleSettings['requiredSignatures'],
    retiredProvinceCodes: oneOf('retiredProvinceCodes', ['map', 'reject'] as const),
    requireOwnProvince: bool('requireOwnProvince'),
    requireKnownSchool: bool('requireKnownSchool'),
  };
}

function readJson(path: string): unknown {
  const full = isAbsolute(path) ? path : join(PACKAGE_ROOT, path);
  try {
    return JSON.parse(readFileSync(full, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${full}: ${(e as Error).message}`);
  }
}

/** Province and school codes from the files named in settings (paths relative to the package root). */
export function loadReferenceData(files: Settings['referenceData']): ReferenceData {
  const provinces = parseProvinces(readJson(files.provincesFile), files.provincesFile);
  return { provinces, schools: parseSchools(readJson(files.schoolsFile), provinces, files.schoolsFile) };
}

/** The context every record is validated in, from the gateway's settings. */
/** The settings a validation context is made from: plain data, so it can be handed to worker threads. */
export type ValidationContextSource = Pick<Settings, 'rules' | 'referenceData' | 'provinceCode'>;

export function validationContextFrom(settings: ValidationContextSource): ValidationContext {
  const reference = loadReferenceData(settings.referenceData);
  if (!reference.provinces.current.has(settings.provinceCode)) {
    throw new ConfigError(`provinceCode ${settings.provinceCode} is not a province in force in ${settings.referenceData.provincesFile}`);
  }
  return { rules: parseRuleSettings(settings.rules), reference, provinceCode: settings.provinceCode };
}
