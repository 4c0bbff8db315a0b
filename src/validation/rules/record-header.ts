import { LAST_PRIMARY_GRADE, type CanonicalRecord } from '../../canonical/record.js';
import { FIRST_SCHOOL_YEAR_BY_GRADE } from '../curriculum.js';
import type { FieldError } from '../types.js';
import { fieldError } from './field-error.js';

// The record's frame: school year, the programme the grade was under that year, and which
// results block the grade carries.

/** School year "YYYY-YYYY": consecutive years in order, and the grade already under Circular 27/22 that year. */
export function checkSchoolYear(r: CanonicalRecord): FieldError[] {
  const [first, second] = r.schoolYear.split('-').map(Number) as [number, number];
  if (second !== first + 1) {
    return [fieldError('/schoolYear', 'SCHOOL_YEAR_ORDER', `got ${r.schoolYear}, expected ${first}-${first + 1}`, `nhận được ${r.schoolYear}, cần ${first}-${first + 1}`)];
  }
  const since = FIRST_SCHOOL_YEAR_BY_GRADE[r.grade];
  if (since !== undefined && first < since) {
    const circular = r.grade <= LAST_PRIMARY_GRADE ? '27/2020' : '22/2021';
    return [
      fieldError(
        '/schoolYear',
        'GRADE_BEFORE_PROGRAMME',
        `grade ${r.grade} follows Circular ${circular} from ${since}-${since + 1}`,
        `khối ${r.grade} đánh giá theo Thông tư ${circular} từ năm học ${since}-${since + 1}`,
      ),
    ];
  }
  return [];
}

/** Which results block the grade needs; one error when the record carries the other block (or both), or none. */
export function checkResultsLevel(r: CanonicalRecord): { level: 'primary' | 'secondary' | null; errors: FieldError[] } {
  const want = r.grade <= LAST_PRIMARY_GRADE ? 'primary' : 'secondary';
  const other = want === 'primary' ? 'secondary' : 'primary';
  if (r[other] !== undefined) {
    const en = `grade ${r.grade} carries "${want}" results, not "${other}"`;
    return { level: null, errors: [fieldError(`/${other}`, 'RESULTS_LEVEL_MISMATCH', en, `khối ${r.grade} ghi kết quả "${want}", không ghi "${other}"`)] };
  }
  if (r[want] === undefined) {
    return { level: null, errors: [fieldError(`/${want}`, 'RESULTS_LEVEL_MISMATCH', `grade ${r.grade} needs "${want}" results`, `khối ${r.grade} cần kết quả "${want}"`)] };
  }
  return { level: want, errors: [] };
}
