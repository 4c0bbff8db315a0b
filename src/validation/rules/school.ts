import type { CanonicalRecord } from '../../canonical/record.js';
import type { ValidationContext } from '../context.js';
import type { FieldError } from '../types.js';
import { fieldError } from './field-error.js';

// The school's province and identity against the province's reference data: province codes
// in force (config/provinces.json) and the school list (config/schools.json).

/**
 * The province code a record's school belongs to now: a code in force as it is, a retired one
 * mapped to the province it merged into (when the setting maps), otherwise undefined.
 */
export function currentProvinceOf(code: string, ctx: ValidationContext): string | undefined {
  if (ctx.reference.provinces.current.has(code)) return code;
  const retired = ctx.reference.provinces.retired.get(code);
  return retired && ctx.rules.retiredProvinceCodes === 'map' ? retired.now : undefined;
}

export function checkSchool(r: CanonicalRecord, ctx: ValidationContext): FieldError[] {
  const { provinces, schools } = ctx.reference;
  const code = r.school.provinceCode;
  const retired = provinces.retired.get(code);
  if (!provinces.current.has(code) && !retired) {
    return [fieldError('/school/provinceCode', 'SCHOOL_PROVINCE_UNKNOWN', `got ${code}`, `nhận được ${code}`)];
  }
  if (retired && ctx.rules.retiredProvinceCodes === 'reject') {
    const now = `${retired.now} (${provinces.current.get(retired.now)})`;
    return [fieldError('/school/provinceCode', 'SCHOOL_PROVINCE_RETIRED', `${code} (${retired.name}) is now ${now}`, `${code} (${retired.name}) nay là ${now}`)];
  }
  const province = currentProvinceOf(code, ctx)!;
  if (ctx.rules.requireOwnProvince && province !== ctx.provinceCode) {
    return [
      fieldError(
        '/school/provinceCode',
        'SCHOOL_PROVINCE_NOT_OURS',
        `the school is in ${province}, this gateway serves ${ctx.provinceCode}`,
        `trường thuộc tỉnh ${province}, cổng kết nối này của tỉnh ${ctx.provinceCode}`,
      ),
    ];
  }
  const school = schools.get(r.school.schoolId);
  if (!school) {
    return ctx.rules.requireKnownSchool ? [fieldError('/school/schoolId', 'SCHOOL_UNKNOWN', `got ${r.school.schoolId}`, `nhận được ${r.school.schoolId}`)] : [];
  }
  const { from, to } = school.grades;
  if (r.grade < from || r.grade > to) {
    return [fieldError('/grade', 'SCHOOL_GRADE_NOT_OFFERED', `${school.schoolId} teaches grades ${from}-${to}`, `trường ${school.schoolId} dạy khối ${from}-${to}`)];
  }
  return [];
}
