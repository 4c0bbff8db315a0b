import type { CanonicalRecord } from '../../canonical/record.js';
import type { ValidationContext } from '../context.js';
import type { FieldError } from '../types.js';
import { fieldError } from './field-error.js';

// Personal ID number (mã định danh cá nhân), Circular 59/2021/TT-BCA: 12 digits =
//   3-digit province of birth registration + 1 century/sex digit + last 2 digits of the birth year
//   + 6 random digits.
// Century/sex digit: 0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s (and so on by pairs),
// so even = male, odd = female, and floor(digit / 2) counts centuries from 1900.

const PATH = '/student/personalId';
const TWELVE_DIGITS = /^[0-9]{12}$/;

/** The century/sex digit for a birth year and sex, or undefined outside the range the digit can express. */
function centurySexDigit(birthYear: number, sex: 'M' | 'F'): number | undefined {
  const centuryIndex = Math.floor(birthYear / 100) - 19;
  if (centuryIndex < 0 || centuryIndex > 4) return undefined;
  return centuryIndex * 2 + (sex === 'F' ? 1 : 0);
}

/** Nationality of a Vietnamese citizen: identified by the personal ID. */
const CITIZEN = 'VN';

/**
 * Who the student is, by the documents a student can have: a Vietnamese citizen by the personal
 * ID (or personalIdPending while it is not issued: the record is then held, see
 * `pendingPersonalId`), a foreign student by a passport or travel document. Then the ID itself.
 */
export function checkPersonalId(record: CanonicalRecord, ctx: ValidationContext): FieldError[] {
  const st = record.student;
  if (st.nationality !== CITIZEN) {
    const errors: FieldError[] = [];
    for (const field of ['personalId', 'personalIdPending', 'birthRegistrationCountry'] as const) {
      if (st[field] === undefined || st[field] === false) continue;
      errors.push(fieldError(`/student/${field}`, 'PERSONAL_ID_NOT_EXPECTED', `nationality ${st.nationality}`, `quốc tịch ${st.nationality}`));
    }
    if (!st.identityDocument) errors.push(fieldError('/student/identityDocument', 'IDENTITY_DOCUMENT_MISSING', `nationality ${st.nationality}`, `quốc tịch ${st.nationality}`));
    return errors;
  }
  if (st.identityDocument) return [fieldError('/student/identityDocument', 'IDENTITY_DOCUMENT_FOR_CITIZEN', `nationality ${CITIZEN}`, `quốc tịch ${CITIZEN}`)];
  if (st.personalId === undefined) return st.personalIdPending === true ? [] : [fieldError(PATH, 'PERSONAL_ID_MISSING')];
  if (st.personalIdPending === true) return [fieldError('/student/personalIdPending', 'PERSONAL_ID_PENDING_WITH_ID')];
  return checkIdDigits(st.personalId, st, ctx);
}

/** The hold of a valid record whose student's personal ID is not issued yet (PERSONAL_ID_PENDING), or null. */
export function pendingPersonalId(record: CanonicalRecord): (FieldError & { code: 'PERSONAL_ID_PENDING' }) | null {
  const st = record.student;
  return st.nationality === CITIZEN && st.personalId === undefined && st.personalIdPending === true
    ? { ...fieldError('/student/personalIdPending', 'PERSONAL_ID_PENDING', 'held until a later version carries the personal ID', 'giữ lại tới khi phiên bản sau có mã định danh cá nhân'), code: 'PERSONAL_ID_PENDING' }
    : null;
}

/**
 * Checks the personal ID against sex and birth year, and its first three digits against the
 * known birth-registration province codes (config/provinces.json), or against the code of the
 * country where the birth was registered abroad. Run on a record that passed the schema, so the
 * fields have their declared types; the format check is kept for callers that skip it.
 */
function checkIdDigits(personalId: string, st: CanonicalRecord['student'], ctx: ValidationContext): FieldError[] {
  const { sex, birthDate } = st;
  if (!TWELVE_DIGITS.test(personalId)) {
    return [{ path: PATH, code: 'PERSONAL_ID_FORMAT', detail_en: `got ${personalId.length} characters` }];
  }
  const errors: FieldError[] = [];
  const opening = personalId.slice(0, 3);
  if (st.birthRegistrationCountry !== undefined) {
    const country = st.birthRegistrationCountry;
    const code = ctx.reference.provinces.birthRegistrationCountries.get(country);
    if (code === undefined) errors.push(fieldError('/student/birthRegistrationCountry', 'PERSONAL_ID_COUNTRY_UNKNOWN', country, country));
    else if (code !== opening) {
      errors.push(fieldError(PATH, 'PERSONAL_ID_COUNTRY_MISMATCH', `digits 1-3 are ${opening}, ${country} is ${code}`, `ba chữ số đầu là ${opening}, mã của ${country} là ${code}`));
    }
  } else if (!ctx.reference.provinces.birthRegistrationCodes.has(opening)) {
    errors.push({
      path: PATH,
      code: 'PERSONAL_ID_PROVINCE_UNKNOWN',
      detail_en: `digits 1-3 are ${opening}`,
      detail_vi: `ba chữ số đầu là ${opening}`,
    });
  }
  const digit = Number(personalId[3]);
  const idSex = digit % 2 === 0 ? 'M' : 'F';
  if (idSex !== sex) {
    errors.push({
      path: PATH,
      code: 'PERSONAL_ID_SEX_MISMATCH',
      detail_en: `digit 4 is ${digit} (${idSex === 'M' ? 'male' : 'female'}), sex is ${sex}`,
      detail_vi: `chữ số thứ 4 là ${digit} (${idSex === 'M' ? 'nam' : 'nữ'}), giới tính là ${sex === 'M' ? 'nam' : 'nữ'}`,
    });
  }
  const birthYear = Number(birthDate.slice(0, 4));
  const idCenturyStart = 1900 + Math.floor(digit / 2) * 100;
  if (Math.floor(birthYear / 100) * 100 !== idCenturyStart) {
    errors.push({
      path: PATH,
      code: 'PERSONAL_ID_CENTURY_MISMATCH',
      detail_en: `digit 4 is ${digit} (born ${idCenturyStart}-${idCenturyStart + 99}), birth year is ${birthYear}`,
      detail_vi: `chữ số thứ 4 là ${digit} (sinh năm ${idCenturyStart}-${idCenturyStart + 99}), năm sinh là ${birthYear}`,
    });
  }
  const yearDigits = String(birthYear % 100).padStart(2, '0');
  if (personalId.slice(4, 6) !== yearDigits) {
    errors.push({
      path: PATH,
      code: 'PERSONAL_ID_BIRTH_YEAR_MISMATCH',
      detail_en: `digits 5-6 are ${personalId.slice(4, 6)}, birth year is ${birthYear}`,
      detail_vi: `chữ số 5-6 là ${personalId.slice(4, 6)}, năm sinh là ${birthYear}`,
    });
  }
  return errors;
}

/**
 * A personal ID consistent with birth date and sex, for synthetic data.
 * provinceCode3: 3-digit code of the province of birth registration (e.g. '001' Hà Nội);
 * random6: the last 6 digits (an integer 0..999999 or a 6-digit string).
 */
export function makePersonalId(provinceCode3: string, birthDate: string, sex: 'M' | 'F', random6: number | string): string {
  if (!/^[0-9]{3}$/.test(provinceCode3)) throw new RangeError(`province code must be 3 digits: ${provinceCode3}`);
  const birthYear = Number(birthDate.slice(0, 4));
  const digit = centurySexDigit(birthYear, sex);
  if (digit === undefined) throw new RangeError(`birth year out of range: ${birthYear}`);
  const tail = String(random6).padStart(6, '0');
  if (!/^[0-9]{6}$/.test(tail)) throw new RangeError(`random part must be 6 digits: ${random6}`);
  return `${provinceCode3}${digit}${String(birthYear % 100).padStart(2, '0')}${tail}`;
}
