import { loadReferenceData } from '../../config/validation-context.js';
import { LAST_PRIMARY_GRADE } from '../../canonical/record.js';
import type { ReferenceData, SchoolEntry } from '../../validation/context.js';
import { makePersonalId } from '../../validation/rules/personal-id.js';
import type { VneduBatch, VneduStudent } from './format.js';
import { primaryPart } from './sample-primary.js';
import { ETHNIC_MINORITIES, fullName, pad, pick, prng, tierOf } from './sample-random.js';
import { secondaryPart } from './sample-secondary.js';

// Synthetic vnEdu batches for `hocba-gw sample`, tests and examples. Every value comes from a
// seeded PRNG so a seed always gives the same batch. The school and the provinces come from the
// reference data (config/schools.json, config/provinces.json): this file lists no codes.
// Results follow Circulars 27/2020 and 22/2021 closely enough that every record validates.

export interface SampleOptions {
  /** A school of the reference data; default: the one teaching the most grades (1-12 in the demo list). */
  schoolId?: string;
  /** Default "2024-2025", the first year every grade followed Circulars 27 and 22. */
  schoolYear?: string;
  /** Default: config/provinces.json and config/schools.json. */
  reference?: ReferenceData;
  /** Circular 22 art. 12 absence limit the promotion decisions follow (rules.maxAbsentSessions). */
  maxAbsentSessions?: number;
  /** Every student in this grade (one the school teaches); default: the school's grades in turn. */
  grade?: number;
}

const DEFAULT_FILES = { provincesFile: 'config/provinces.json', schoolsFile: 'config/schools.json' };
const LOOKUP_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function schoolFor(reference: ReferenceData, schoolId?: string): SchoolEntry {
  if (schoolId !== undefined) {
    const s = reference.schools.get(schoolId);
    if (!s) throw new RangeError(`school ${schoolId} is not in the school list`);
    return s;
  }
  const all = [...reference.schools.values()];
  if (all.length === 0) throw new RangeError('the school list is empty: a sample needs a school');
  return all.reduce((best, s) => (s.grades.to - s.grades.from > best.grades.to - best.grades.from ? s : best));
}

/** Birth-registration codes of the school's province (before and after the 2025 merger), for most students. */
function homeBirthCodes(reference: ReferenceData, provinceCode: string): string[] {
  return [...reference.provinces.birthRegistrationCodes].filter((c) => {
    const two = c.slice(1);
    return two === provinceCode || reference.provinces.retired.get(two)?.now === provinceCode;
  });
}

/** A valid vnEdu batch of `count` distinct students at one school, its grades in turn. */
export function sampleVneduBatch(count: number, seed = 1, opts: SampleOptions = {}): VneduBatch {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
  const reference = opts.reference ?? loadReferenceData(DEFAULT_FILES);
  const school = schoolFor(reference, opts.schoolId);
  const schoolYear = opts.schoolYear ?? '2024-2025';
  const maxAbsent = opts.maxAbsentSessions ?? 45;
  const home = homeBirthCodes(reference, school.provinceCode);
  const anywhere = [...reference.provinces.birthRegistrationCodes];
  const rng = prng(seed);
  const principal = fullName(rng, rng() < 0.7 ? 'F' : 'M');
  const startYear = Number(schoolYear.slice(0, 4));
  const gradeCount = school.grades.to - school.grades.from + 1;
  if (opts.grade !== undefined && !(opts.grade >= school.grades.from && opts.grade <= school.grades.to)) {
    throw new RangeError(`school ${school.schoolId} teaches grades ${school.grades.from}-${school.grades.to}, not ${opts.grade}`);
  }
  const teachers = new Map<string, string>();
  const personalIds = new Set<string>();
  const lookupCodes = new Set<string>();
  const students: VneduStudent[] = [];

  for (let i = 0; i < count; i++) {
    const grade = opts.grade ?? school.grades.from + (i % gradeCount);
    const primary = grade <= LAST_PRIMARY_GRADE;
    const className = primary ? `${grade}${pick(rng, ['A', 'B', 'C', 'D'])}` : `${grade}A${pick(rng, [1, 2, 3, 4])}`;
    if (!teachers.has(className)) teachers.set(className, fullName(rng, rng() < 0.8 ? 'F' : 'M'));
    const sex = rng() < 0.5 ? 'M' : 'F';
    // A child enters grade 1 in the calendar year it turns 6.
    const birth = new Date(Date.UTC(startYear - 5 - grade, 0, 1 + Math.floor(rng() * 365)));
    const [by, bm, bd] = [birth.getUTCFullYear(), birth.getUTCMonth() + 1, birth.getUTCDate()];
    const birthCodes = home.length > 0 && rng() < 0.8 ? home : anywhere;
    let personalId: string;
    do personalId = makePersonalId(pick(rng, birthCodes), `${by}-${pad(bm, 2)}-${pad(bd, 2)}`, sex, Math.floor(rng() * 1e6));
    while (personalIds.has(personalId));
    personalIds.add(personalId);
    let lookupCode: string;
    do lookupCode = Array.from({ length: 10 }, () => pick(rng, [...LOOKUP_ALPHABET])).join('');
    while (lookupCodes.has(lookupCode));
    lookupCodes.add(lookupCode);

    const minority = rng() < 0.15;
    const tier = tierOf(rng);
    const excused = Math.floor(rng() * 8);
    const unexcused = rng() < 0.8 ? 0 : Math.floor(rng() * 4);
    const results = primary ? primaryPart(rng, grade, tier, minority) : secondaryPart(rng, grade, tier, minority, excused + unexcused, maxAbsent);
    const endYear = startYear + 1;
    // A primary student who did not complete the grade is assessed again after the summer (here:
    // still not completed); the principal and the seal sign after that, not in May.
    const summer = 'DanhGiaCuoiNam' in results && results.DanhGiaCuoiNam === 'CHT';

    students.push({
      MaHocSinh: `${school.schoolId}${pad(i + 1, 5)}`,
      MaDinhDanh: personalId,
      HoTen: fullName(rng, sex),
      NgaySinh: `${pad(bd, 2)}/${pad(bm, 2)}/${by}`,
      GioiTinh: sex === 'M' ? 'Nam' : 'Nữ',
      DanToc: minority ? pick(rng, ETHNIC_MINORITIES) : 'Kinh',
      QuocTich: 'Việt Nam',
      Khoi: grade,
      Lop: className,
      GVCN: teachers.get(className)!,
      SoHocBa: `HB-${school.schoolId}-${startYear}-${pad(i + 1, 4)}`,
      MaTraCuu: lookupCode,
      NgayHieuLuc: `31/05/${endYear}`,
      PhienBan: 1,
      ...results,
      ...(summer ? { DanhGiaBoSung: { Ngay: `14/08/${endYear}`, HoanThanh: false } } : {}),
      SoBuoiNghiCoPhep: excused,
      SoBuoiNghiKhongPhep: unexcused,
      ChuKy: summer
        ? { GVCN: `${endYear}-08-14T16:30:00+07:00`, HieuTruong: `${endYear}-08-17T09:15:00+07:00`, DauTruong: `${endYear}-08-17T09:20:00+07:00` }
        : { GVCN: `${endYear}-05-26T16:30:00+07:00`, HieuTruong: `${endYear}-05-29T09:15:00+07:00`, DauTruong: `${endYear}-05-29T09:20:00+07:00` },
    });
  }
  return { MaSoGD: school.provinceCode, MaTruong: school.schoolId, TenTruong: school.name, NamHoc: schoolYear, HieuTruong: principal, DanhSachHocSinh: students };
}
