import { ethnicityCodeOf, ETHNICITY_BY_CODE, FOREIGN_ETHNICITY_CODE } from '../../canonical/ethnicities.js';
import { LAST_PRIMARY_GRADE, type CanonicalRecord } from '../../canonical/record.js';
import { hasOneDecimal } from '../calc/circular22.js';
import type { FieldError } from '../types.js';
import { fieldError } from './field-error.js';

// The record form of profile v2 (issue 15 item 9): what its fields must agree with in the rest of
// the record. Titles follow TT22 art. 15 (grades 6-12: Học sinh Xuất sắc with learning and conduct
// Tốt and at least six subjects assessed by score averaging 9.0 or more; Học sinh Giỏi with
// learning and conduct Tốt) and TT27 art. 15 (grades 1-5: Học sinh Xuất sắc for Hoàn thành xuất
// sắc; Học sinh Tiêu biểu for Hoàn thành tốt).

const XUAT_SAC_SUBJECTS = 6;
const XUAT_SAC_AVERAGE = 9.0;

/** The first and last day a date of the school year may fall on (1 August to 31 July). */
function yearBounds(schoolYear: string): [string, string] {
  return [`${schoolYear.slice(0, 4)}-08-01`, `${schoolYear.slice(5, 9)}-07-31`];
}

export function checkRecordForm(r: CanonicalRecord): FieldError[] {
  const f = r.form;
  if (!f) return [];
  const errors: FieldError[] = [];
  const primary = r.grade <= LAST_PRIMARY_GRADE;

  if (f.ethnicityCode !== undefined) {
    const foreign = r.student.nationality !== 'VN';
    const expected = foreign ? FOREIGN_ETHNICITY_CODE : ethnicityCodeOf(r.student.ethnicity);
    if (expected !== undefined && f.ethnicityCode !== expected) {
      const named = ETHNICITY_BY_CODE[f.ethnicityCode] ?? (f.ethnicityCode === FOREIGN_ETHNICITY_CODE ? 'người nước ngoài' : f.ethnicityCode);
      errors.push(fieldError('/form/ethnicityCode', 'FORM_ETHNICITY_CODE_MISMATCH',
        `code ${f.ethnicityCode} is ${named}; the student is ${foreign ? `of nationality ${r.student.nationality} (code ${FOREIGN_ETHNICITY_CODE})` : `${r.student.ethnicity} (code ${expected})`}`,
        `mã ${f.ethnicityCode} là ${named}; học sinh ${foreign ? `quốc tịch ${r.student.nationality} (mã ${FOREIGN_ETHNICITY_CODE})` : `dân tộc ${r.student.ethnicity} (mã ${expected})`}`));
    }
  }

  if (f.enrolmentDate !== undefined && f.enrolmentDate > yearBounds(r.schoolYear)[1]) {
    errors.push(fieldError('/form/enrolmentDate', 'FORM_DATE_OUT_OF_YEAR', `enrolled on ${f.enrolmentDate}, after the school year ${r.schoolYear}`, `nhập học ngày ${f.enrolmentDate}, sau năm học ${r.schoolYear}`));
  }

  if (f.schoolHistory) {
    const h = f.schoolHistory;
    h.forEach((e, i) => {
      const prev = h[i - 1];
      if (prev && (e.schoolYear < prev.schoolYear || e.grade < prev.grade)) {
        errors.push(fieldError(`/form/schoolHistory/${i}`, 'FORM_HISTORY_ORDER', `${e.schoolYear} grade ${e.grade} after ${prev.schoolYear} grade ${prev.grade}: earliest first`, `${e.schoolYear} khối ${e.grade} đứng sau ${prev.schoolYear} khối ${prev.grade}: ghi năm trước lên trước`));
      }
      if (e.transfer) {
        const [from, to] = yearBounds(e.schoolYear);
        if (e.transfer.date < from || e.transfer.date > to) {
          errors.push(fieldError(`/form/schoolHistory/${i}/transfer/date`, 'FORM_DATE_OUT_OF_YEAR', `transfer on ${e.transfer.date}, outside the school year ${e.schoolYear}`, `chuyển trường ngày ${e.transfer.date}, ngoài năm học ${e.schoolYear}`));
        }
      }
    });
    const last = h[h.length - 1]!;
    if (last.schoolYear !== r.schoolYear || last.grade !== r.grade || last.className !== r.className || (last.schoolId !== undefined && last.schoolId !== r.school.schoolId)) {
      errors.push(fieldError(`/form/schoolHistory/${h.length - 1}`, 'FORM_HISTORY_CURRENT',
        `the last entry (${last.schoolYear}, grade ${last.grade}, class ${last.className}) is not this record's year, grade, class and school (${r.schoolYear}, ${r.grade}, ${r.className}, ${r.school.schoolId})`,
        `dòng cuối (${last.schoolYear}, khối ${last.grade}, lớp ${last.className}) không phải năm học, khối, lớp và trường của học bạ này (${r.schoolYear}, ${r.grade}, ${r.className}, ${r.school.schoolId})`));
    }
  }

  if (f.subjectComments) {
    const assessed = new Set<string>(
      r.primary ? r.primary.subjects.map((s) => s.subject) : r.secondary ? [...r.secondary.scoreSubjects, ...r.secondary.commentSubjects].map((s) => s.subject) : [],
    );
    const seen = new Set<string>();
    f.subjectComments.forEach((c, i) => {
      if (!assessed.has(c.subject) || seen.has(c.subject)) {
        errors.push(fieldError(`/form/subjectComments/${i}/subject`, 'FORM_COMMENT_NOT_ASSESSED', seen.has(c.subject) ? `${c.subject} is commented on twice` : `${c.subject} is not among the subjects the record assesses`, seen.has(c.subject) ? `môn ${c.subject} có hai nhận xét` : `môn ${c.subject} không có trong các môn học bạ đánh giá`));
      }
      seen.add(c.subject);
    });
  }

  if (f.physical) {
    if (!primary) errors.push(fieldError('/form/physical', 'FORM_PHYSICAL_NOT_PRIMARY', `height and weight are kept at grades 1-5; the record is grade ${r.grade}`, `chiều cao, cân nặng chỉ ghi ở khối 1-5; học bạ là khối ${r.grade}`));
    for (const k of ['heightCm', 'weightKg'] as const) {
      if (!hasOneDecimal(f.physical[k])) errors.push(fieldError(`/form/physical/${k}`, 'FORM_MEASURE_PRECISION', `${f.physical[k]} has more than one decimal`, `${f.physical[k]} có hơn một chữ số thập phân`));
    }
  }

  f.titles?.forEach((title, i) => {
    const path = `/form/titles/${i}`;
    if ((primary && title === 'HOC_SINH_GIOI') || (!primary && title === 'HOC_SINH_TIEU_BIEU')) {
      errors.push(fieldError(path, 'FORM_TITLE_LEVEL', `${title} is not a title of grade ${r.grade}`, `${title} không phải danh hiệu của khối ${r.grade}`));
      return;
    }
    const why = titleNotEarned(r, title);
    if (why) errors.push(fieldError(path, 'FORM_TITLE_NOT_EARNED', why.en, why.vi));
  });
  return errors;
}

function titleNotEarned(r: CanonicalRecord, title: string): { en: string; vi: string } | undefined {
  if (r.primary) {
    const need = title === 'HOC_SINH_XUAT_SAC' ? 'HTXS' : 'HTT';
    if (r.primary.yearEndResult !== need) return { en: `${title} needs the year-end result ${need}, the record states ${r.primary.yearEndResult}`, vi: `${title} cần kết quả cuối năm ${need}, học bạ ghi ${r.primary.yearEndResult}` };
    return undefined;
  }
  const s = r.secondary;
  if (!s) return undefined;
  const learning = s.learningResult.year;
  const conduct = s.conductResult.year;
  if (learning !== 'TOT' || conduct !== 'TOT') {
    return { en: `${title} needs learning and conduct Tốt for the year; the record states ${learning} and ${conduct}`, vi: `${title} cần kết quả học tập và rèn luyện cả năm mức Tốt; học bạ ghi ${learning} và ${conduct}` };
  }
  if (title === 'HOC_SINH_XUAT_SAC') {
    const high = s.scoreSubjects.filter((x) => x.yearAverage >= XUAT_SAC_AVERAGE).length;
    if (high < XUAT_SAC_SUBJECTS) {
      return { en: `Học sinh Xuất sắc needs at least ${XUAT_SAC_SUBJECTS} subjects assessed by score with a year average of ${XUAT_SAC_AVERAGE.toFixed(1)} or more; the record has ${high}`, vi: `Học sinh Xuất sắc cần ít nhất ${XUAT_SAC_SUBJECTS} môn đánh giá bằng điểm số có điểm trung bình cả năm từ ${XUAT_SAC_AVERAGE.toFixed(1)}; học bạ có ${high}` };
    }
  }
  return undefined;
}
