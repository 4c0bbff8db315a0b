import type { CanonicalRecord } from '../canonical/record.js';
import { primaryCompetency } from '../validation/curriculum.js';

/**
 * Every adapter gives each competency of the canonical list, unrated where the vendor's document
 * has no rating, so that a gap is reported where it is (SCHEMA_REQUIRED at its rating). At grades
 * 1-2, which rate no Công nghệ or Tin học competency (validation/curriculum.ts), an unrated one
 * is no gap: it is left out here. One the vendor did rate stays, and validation refuses it
 * (PRIMARY_COMPETENCY_NOT_IN_GRADE). Called on each adapter's mapped record (vnEdu, and C1
 * through it; EMIS; SMAS).
 */
export function withoutUnratedCompetencies<R>(record: R): R {
  const r = record as Partial<CanonicalRecord>;
  const p = r.primary;
  if (typeof r.grade !== 'number' || !p || !Array.isArray(p.competencies)) return record;
  const grade = r.grade;
  const kept = p.competencies.filter((c) => !(c !== null && typeof c === 'object' && c.rating === undefined && !primaryCompetency.rated(c.code, grade)));
  return kept.length === p.competencies.length ? record : ({ ...r, primary: { ...p, competencies: kept } } as R);
}
