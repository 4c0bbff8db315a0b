import type { CanonicalRecord } from '../canonical/record.js';
import type { ValidationContext } from '../validation/context.js';

// Changes the gateway makes to a mapped record before validating it. Only one so far: a
// province code from before 1 July 2025 becomes the code of the province it merged into, when
// the `rules.retiredProvinceCodes` setting says `map` (validation reports it otherwise).

export function normaliseRecord(record: CanonicalRecord, ctx: ValidationContext): CanonicalRecord {
  const school = (record as Partial<CanonicalRecord>).school;
  if (ctx.rules.retiredProvinceCodes !== 'map' || !school || typeof school.provinceCode !== 'string') return record;
  const retired = ctx.reference.provinces.retired.get(school.provinceCode);
  if (!retired) return record;
  // Spreads keep the key order, which is the XML element order.
  return { ...record, school: { ...school, provinceCode: retired.now } };
}
