import type { ErrorCode } from '../../errors/catalogue.js';

// Every check a record can fail, with the code it reports: the source of docs/rules.md
// (`npm run docs:rules`) and of the test that every code has a fixture breaking it alone.
// Messages live in the error catalogue; here is what each rule checks and where it comes from.

export type RuleScope = 'schema' | 'record' | 'batch' | 'stored';

export interface RuleDoc {
  code: ErrorCode;
  scope: RuleScope;
  /** Heading the rule is listed under. */
  area: string;
  /** What the rule checks, for vendors. */
  checks: string;
  /** Settings (config/default.json `rules`) the rule reads. */
  settings?: string[];
}

const r = (code: ErrorCode, scope: RuleScope, area: string, checks: string, settings?: string[]): RuleDoc => (settings ? { code, scope, area, checks, settings } : { code, scope, area, checks });

export const RULES: readonly RuleDoc[] = Object.freeze([
  r('SCHEMA_REQUIRED', 'schema', 'Schema', 'A field the profile requires is present.'),
  r('SCHEMA_TYPE', 'schema', 'Schema', 'Every field has its type: string, integer, number, boolean, object or array.'),
  r('SCHEMA_ENUM', 'schema', 'Schema', 'Coded fields hold one of the profile\'s codes (subjects, levels, ratings, results, roles).'),
  r('SCHEMA_PATTERN', 'schema', 'Schema', 'Formatted fields follow their format: dates yyyy-mm-dd, date-times with offset, 12-digit personal ID, 2-digit province code, school year YYYY-YYYY, ISO country code.'),
  r('SCHEMA_RANGE', 'schema', 'Schema', 'Numbers stay in range: scores 0-10, grade 1-12, version from 1, periods and absences not negative.'),
  r('SCHEMA_LENGTH', 'schema', 'Schema', 'Texts and lists have an allowed length: 5 qualities, 8 to 10 competencies, names up to 100 characters, and so on.'),
  r('SCHEMA_UNKNOWN_FIELD', 'schema', 'Schema', 'No field outside the profile.'),
  r('SCHOOL_YEAR_ORDER', 'record', 'Record', 'The school year is two consecutive years, earlier first.'),
  r('GRADE_BEFORE_PROGRAMME', 'record', 'Record', 'The grade followed the 2018 programme in that school year (grade 1 from 2020-2021, 2 and 6 from 2021-2022, 3, 7 and 10 from 2022-2023, 4, 8 and 11 from 2023-2024, 5, 9 and 12 from 2024-2025).'),
  r('RESULTS_LEVEL_MISMATCH', 'record', 'Record', 'Grades 1-5 carry `primary` results, grades 6-12 `secondary` results, and never both.'),
  r('PERSONAL_ID_PROVINCE_UNKNOWN', 'record', 'Student', 'Digits 1-3 of the personal ID are a birth-registration province code (Circular 59/2021/TT-BCA) listed in config/provinces.json.'),
  r('PERSONAL_ID_SEX_MISMATCH', 'record', 'Student', 'Digit 4 of the personal ID is even for a male and odd for a female student.'),
  r('PERSONAL_ID_CENTURY_MISMATCH', 'record', 'Student', 'Digit 4 of the personal ID gives the century of birth: 0-1 for 1900-1999, 2-3 for 2000-2099, 4-5 for 2100-2199.'),
  r('PERSONAL_ID_BIRTH_YEAR_MISMATCH', 'record', 'Student', 'Digits 5-6 of the personal ID are the last two digits of the birth year.'),
  r('PERSONAL_ID_MISSING', 'record', 'Student', 'A Vietnamese student (nationality VN) has a personal ID, or `personalIdPending: true` while it is not issued yet: such a record is valid and held at the gateway (its state `held`, code PERSONAL_ID_PENDING) until a later version with the ID supersedes it; it is not sent before.'),
  r('PERSONAL_ID_PENDING_WITH_ID', 'record', 'Student', 'A record that gives the personal ID does not also say it is pending.'),
  r('PERSONAL_ID_NOT_EXPECTED', 'record', 'Student', 'A student of another nationality has no Vietnamese personal ID (nor one pending, nor a birth registration country for it).'),
  r('IDENTITY_DOCUMENT_MISSING', 'record', 'Student', 'A student of another nationality is identified by a passport or travel document (`identityDocument`: kind, number, issuing country).'),
  r('IDENTITY_DOCUMENT_FOR_CITIZEN', 'record', 'Student', 'A Vietnamese student is identified by the personal ID, not by a passport.'),
  r('PERSONAL_ID_COUNTRY_UNKNOWN', 'record', 'Student', 'A birth registered at a Vietnamese mission abroad (`birthRegistrationCountry`) is of a country whose code the gateway knows (config/provinces.json `birthRegistrationCountries`; the project reads them as ISO 3166-1 numeric codes until the official list is known).'),
  r('PERSONAL_ID_COUNTRY_MISMATCH', 'record', 'Student', 'The personal ID of a birth registered abroad opens with that country\'s 3-digit code instead of a province\'s (Circular 59/2021/TT-BCA).'),
  r('SCHOOL_PROVINCE_UNKNOWN', 'record', 'School', 'The province code is one in force or one from before 1 July 2025 (config/provinces.json).'),
  r('SCHOOL_PROVINCE_RETIRED', 'record', 'School', 'With `retiredProvinceCodes: "reject"`, the province code is one in force. With `"map"` (the default) an old code is replaced by the code of the province it merged into before validation.', ['retiredProvinceCodes']),
  r('SCHOOL_PROVINCE_NOT_OURS', 'record', 'School', 'The school is in this gateway\'s province (`provinceCode`).', ['requireOwnProvince']),
  r('SCHOOL_UNKNOWN', 'record', 'School', 'The school is on the province\'s school list (config/schools.json).', ['requireKnownSchool']),
  r('SCHOOL_GRADE_NOT_OFFERED', 'record', 'School', 'A school on the school list teaches the record\'s grade.'),
  r('SUBJECT_NOT_IN_GRADE', 'record', 'Subjects', 'Every subject is taught in the grade under the 2018 programme (for example Khoa học from grade 4, Tự nhiên và Xã hội up to grade 3, Lịch sử only at grades 10-12).'),
  r('SUBJECT_MISSING', 'record', 'Subjects', 'Every compulsory subject of the grade is there (Ngoại ngữ 1 is optional at grades 1-2; Tiếng dân tộc and Ngoại ngữ 2 are optional everywhere).'),
  r('SUBJECT_REPEATED', 'record', 'Subjects', 'No subject is listed twice (at secondary, across both lists).'),
  r('ELECTIVE_COUNT', 'record', 'Subjects', 'Grades 10-12 take exactly four electives among Địa lí, Giáo dục kinh tế và pháp luật, Vật lí, Hóa học, Sinh học, Công nghệ, Tin học, Âm nhạc, Mĩ thuật.'),
  r('EXEMPT_SUBJECT_ASSESSED', 'record', 'Exemptions and disabilities', 'A subject the student is exempted from (`exemptSubjects`, miễn) is not also among the assessed subjects. An exempted subject counts as present for SUBJECT_MISSING (and among the four electives) and is left out of the year-end and learning results.'),
  r('EXEMPTION_REASON_INVALID', 'record', 'Exemptions and disabilities', 'A health exemption is from Giáo dục thể chất (or Giáo dục quốc phòng và an ninh); an exemption for a disability needs the student\'s `disability`. A student with `disability.individualPlan` is assessed by the individual education plan: the year-end result (primary) and the learning results (secondary) stand as the school states them, and PRIMARY_YEAR_END_RESULT_INCONSISTENT, LEARNING_RESULT_INCONSISTENT and LEARNING_RESULT_NOT_RAISED are not applied; averages, conduct, completion and promotion are checked as for every student.'),
  r('PRIMARY_TEST_SCORE_MISSING', 'record', 'Primary (Circular 27/2020)', 'A tested subject (Tiếng Việt, Toán; Ngoại ngữ 1 and Tin học và Công nghệ from grade 3; Khoa học, Lịch sử và Địa lí from grade 4) has its end-of-year test score.'),
  r('PRIMARY_TEST_SCORE_NOT_EXPECTED', 'record', 'Primary (Circular 27/2020)', 'Untested subjects carry no test scores; mid-term scores only for Tiếng Việt and Toán at grades 4-5.'),
  r('PRIMARY_SCORE_NOT_WHOLE', 'record', 'Primary (Circular 27/2020)', 'Periodic test scores are whole numbers.'),
  r('PRIMARY_SCORE_BELOW_MINIMUM', 'record', 'Primary (Circular 27/2020)', 'Periodic test scores are at least `primaryMinTestScore` (default 0, as Circular 27 allows; the Ministry\'s C1 template uses 1).', ['primaryMinTestScore']),
  r('PRIMARY_RATING_REPEATED', 'record', 'Primary (Circular 27/2020)', 'Each quality and competency is rated once.'),
  r('PRIMARY_RATING_MISSING', 'record', 'Primary (Circular 27/2020)', 'Each of the 5 qualities and each competency the grade rates is there: 10 competencies from grade 3, 8 at grades 1-2.'),
  r('PRIMARY_COMPETENCY_NOT_IN_GRADE', 'record', 'Primary (Circular 27/2020)', 'Grades 1-2 rate no Công nghệ or Tin học competency (the subject Tin học và Công nghệ starts at grade 3, as in the C1 template). A vendor that leaves them out at grades 1-2 is read as not rating them; HTXS and HTT are decided on the eight the grade rates.'),
  r('PRIMARY_YEAR_END_RESULT_INCONSISTENT', 'record', 'Primary (Circular 27/2020)', 'The year-end result follows art. 9: HTXS with every subject T, every rating Tốt and end-of-year scores 9+; HTT the same with scores 7+; HT with no subject C, no rating Cần cố gắng and scores 5+; CHT otherwise.'),
  r('PRIMARY_COMPLETION_INCONSISTENT', 'record', 'Primary (Circular 27/2020)', 'A student with a year-end result of HT or better has completed the class programme.'),
  r('PRIMARY_PROMOTION_INCONSISTENT', 'record', 'Primary (Circular 27/2020)', 'A student who completed the class programme is promoted; one who did not is promoted exactly when the supplementary assessment after the summer completes it.'),
  r('PRIMARY_SUPPLEMENTARY_MISSING', 'record', 'Primary (Circular 27/2020)', 'A student who did not complete the class programme is assessed again after the summer (đánh giá bổ sung: `supplementaryAssessment` with its date and whether the programme is then completed); a record the principal has signed carries it, since the principal signs after it.'),
  r('PRIMARY_SUPPLEMENTARY_NOT_EXPECTED', 'record', 'Primary (Circular 27/2020)', 'A supplementary assessment is there only for a student who did not complete the class programme in the year.'),
  r('ASSESSMENT_KIND_MISMATCH', 'record', 'Secondary (Circular 22/2021)', 'Giáo dục thể chất, Âm nhạc, Mĩ thuật, Hoạt động trải nghiệm hướng nghiệp and Nội dung giáo dục địa phương are in `commentSubjects`; every other subject in `scoreSubjects` (art. 5).'),
  r('REGULAR_ASSESSMENT_COUNT', 'record', 'Secondary (Circular 22/2021)', 'Each term has its regular assessments (art. 7): a subject assessed by score as many as its periods a year call for, 2 up to 35 periods, 3 up to 70, 4 above; a subject assessed by comment 2, whatever its periods. Exactly, or at least with `regularAssessmentCount: "atLeast"`. At grades 10-12 each chuyên đề cluster the record states (`topicClusters`) adds one, and the subject\'s own periods set the rest: with `topicPeriods: "withTopics"` (the default, the project\'s reading) the periods a year include 35 per cluster, so 105 periods with one cluster are 70 of the subject (3) plus 1. A record that states no clusters is counted by its periods alone.', ['regularAssessmentCount', 'topicPeriods']),
  r('TOPIC_CLUSTERS_NOT_EXPECTED', 'record', 'Secondary (Circular 22/2021)', 'Chuyên đề clusters (`topicClusters`) are in subjects that have them, at grades 10-12: Ngữ văn, Toán, Lịch sử, Địa lí, Giáo dục kinh tế và pháp luật, Vật lí, Hóa học, Sinh học, Công nghệ, Tin học, Âm nhạc, Mĩ thuật. Each cluster adds one regular assessment a term (REGULAR_ASSESSMENT_COUNT).'),
  r('TOPIC_CLUSTER_COUNT', 'record', 'Secondary (Circular 22/2021)', 'A student takes at most three chuyên đề clusters a year, across subjects.'),
  r('ORIENTATION_NOT_EXPECTED', 'record', 'Secondary (Circular 22/2021)', 'An orientation (`orientation`: CONG_NGHIEP, NONG_NGHIEP) is stated for Công nghệ at grades 10-12 only.'),
  r('SECONDARY_SCORE_PRECISION', 'record', 'Secondary (Circular 22/2021)', 'Scores and averages have at most one decimal.'),
  r('TERM_AVERAGE_MISMATCH', 'record', 'Secondary (Circular 22/2021)', 'Each term average is (sum of regular scores + 2 x mid-term + 3 x end-of-term) / (number of regular scores + 5) rounded half up to one decimal (art. 9): an exact x.x5 rounds up, and only binary floating-point noise is tolerated unless `averageTolerance` is set above 0.', ['averageTolerance']),
  r('YEAR_AVERAGE_MISMATCH', 'record', 'Secondary (Circular 22/2021)', 'The year average is (term I average + 2 x term II average) / 3 rounded half up to one decimal (art. 9); `averageTolerance` as for term averages.', ['averageTolerance']),
  r('COMMENT_TERM_RESULT_INCONSISTENT', 'record', 'Secondary (Circular 22/2021)', 'A comment subject\'s term result is Đạt exactly when it has all its regular assessments and every assessment is Đạt (art. 9).'),
  r('COMMENT_YEAR_RESULT_INCONSISTENT', 'record', 'Secondary (Circular 22/2021)', 'A comment subject\'s year result is its term II result (art. 9).'),
  r('LEARNING_RESULT_INCONSISTENT', 'record', 'Secondary (Circular 22/2021)', 'Each learning result (term I, term II, year) follows art. 9 from the averages and comment results of that period: Tốt with every comment subject Đạt, every average 6.5+ and six of them 8.0+; Khá with every comment subject Đạt, every average 5.0+ and six 6.5+; Đạt with at most one comment subject Chưa đạt, six averages 5.0+ and none under 3.5; Chưa đạt otherwise. Where one subject alone pulls a Tốt or Khá down two levels or more, the result is the next level up (art. 9.3; stating the unraised one is LEARNING_RESULT_NOT_RAISED). Âm nhạc and Mĩ thuật at grades 6-9 count as two subjects, or as one (Nghệ thuật, Đạt when both are) with `lowerSecondaryArts: "together"`.', ['lowerSecondaryArts']),
  r('LEARNING_RESULT_NOT_RAISED', 'record', 'Secondary (Circular 22/2021)', 'Where one subject alone (with its average or comment result put right, the others give Tốt or Khá) pulls a learning result down two levels or more, art. 9.3 raises it one level: the record states the raised result, not the one art. 9.2 gives, and promotion follows the raised one.'),
  r('CONDUCT_YEAR_INCONSISTENT', 'record', 'Secondary (Circular 22/2021)', 'The year\'s conduct result follows from the two terms (art. 8): Tốt when term II is Tốt and term I Khá or better; Khá when term II is Khá and term I Đạt or better, term II Đạt and term I Tốt, or term II Tốt and term I Đạt or Chưa đạt; Đạt when term II is Đạt and term I Khá, Đạt or Chưa đạt, or term II Khá and term I Chưa đạt; Chưa đạt otherwise.'),
  r('SUMMER_REVIEW_NOT_EXPECTED', 'record', 'Secondary (Circular 22/2021)', 'A result after the summer (`afterSummer`: retest, summer training) is there only when the year\'s result is Chưa đạt.'),
  r('RETEST_NOT_EXPECTED', 'record', 'Secondary (Circular 22/2021)', 'A retest (`retestScore`, `retestResult`: kiểm tra lại) is there only when the year\'s learning result is Chưa đạt, and only for a subject with a year average under 5.0 or a comment result Chưa đạt. Retest scores have one decimal (SECONDARY_SCORE_PRECISION).'),
  r('LEARNING_AFTER_RETEST_INCONSISTENT', 'record', 'Secondary (Circular 22/2021)', 'With retests, the learning result after the summer is the one art. 9 gives (art. 9.3 raise included) with each retest in place of its subject\'s year average or result. A record that states a result after the summer without any retest is not checked against its subjects (vendors that do not carry retests would lose every such record).'),
  r('SUMMER_TRAINING_LEVEL', 'record', 'Secondary (Circular 22/2021)', 'Conduct after summer training (`conductResult.afterSummer`, rèn luyện trong hè) is Đạt or Chưa đạt.'),
  r('SECONDARY_PROMOTION_INCONSISTENT', 'record', 'Secondary (Circular 22/2021)', 'The student is promoted exactly when learning and conduct (after the summer, if reviewed) are Đạt or better and the sessions missed are at most `maxAbsentSessions` (art. 12).', ['maxAbsentSessions']),
  r('SUBJECT_PARTS_NOT_EXPECTED', 'record', 'Primary (Circular 27/2020)', 'Only Tin học và Công nghệ carries `parts` (phần Tin học and phần Công nghệ, as the C1 template splits it).'),
  r('SUBJECT_PARTS_LEVEL_INCONSISTENT', 'record', 'Primary (Circular 27/2020)', 'With its parts, the level of Tin học và Công nghệ is the lower of the two parts\' levels: Hoàn thành tốt only when both parts are (the project\'s reading).'),
  r('SUBJECT_PARTS_SCORE_INCONSISTENT', 'record', 'Primary (Circular 27/2020)', 'With its parts, a periodic test score of Tin học và Công nghệ (end of term I, end of year) is the mean of the two parts\' scores for that test, rounded half up to a whole number: 7 and 8 give 8 (the project\'s reading).'),
  r('FORM_ETHNICITY_CODE_MISMATCH', 'record', 'Record form (v2)', '`form.ethnicityCode` is the code of `student.ethnicity` in QĐ 4998\'s list (the 54 ethnic groups, 01 Kinh … 54 Rơ-măm, names compared without diacritics, hyphens or spaces), or 55 for a student of another nationality. A name outside the list is not checked.'),
  r('FORM_DATE_OUT_OF_YEAR', 'record', 'Record form (v2)', 'The enrolment date is not after the record\'s school year; a transfer in the school history falls within its entry\'s school year (1 August to 31 July).'),
  r('FORM_HISTORY_ORDER', 'record', 'Record form (v2)', 'The school history lists its entries earliest first: school years and grades never go back.'),
  r('FORM_HISTORY_CURRENT', 'record', 'Record form (v2)', 'The school history\'s last entry is this record\'s school year, grade and class (and school, where the entry names one).'),
  r('FORM_COMMENT_NOT_ASSESSED', 'record', 'Record form (v2)', 'Each subject comment is on a subject the record assesses, and each subject has at most one.'),
  r('FORM_PHYSICAL_NOT_PRIMARY', 'record', 'Record form (v2)', 'Height and weight (`form.physical`) are on records of grades 1-5 only.'),
  r('FORM_MEASURE_PRECISION', 'record', 'Record form (v2)', 'Height in cm and weight in kg have at most one decimal.'),
  r('FORM_TITLE_LEVEL', 'record', 'Record form (v2)', 'Titles of the level: HOC_SINH_GIOI at grades 6-12, HOC_SINH_TIEU_BIEU at grades 1-5, HOC_SINH_XUAT_SAC at both.'),
  r('FORM_TITLE_NOT_EARNED', 'record', 'Record form (v2)', 'A title follows the results (TT27 art. 15, TT22 art. 15): at grades 1-5 Xuất sắc needs the year-end result HTXS and Tiêu biểu HTT; at grades 6-12 Giỏi needs learning and conduct Tốt for the year, and Xuất sắc also at least six subjects assessed by score with a year average of 9.0 or more.'),
  r('END_OF_LEVEL_NOT_IN_GRADE', 'record', 'End of level', 'Each outcome that closes a level is on the record of the grade that closes it: `primary.completedPrimary` at grade 5, `secondary.lowerSecondaryCompletion` (decision number and date) at grade 9, `secondary.graduationReviewEligible` at grade 12. All three are optional.'),
  r('LEVEL_COMPLETION_INCONSISTENT', 'record', 'End of level', 'Completion of primary equals the grade 5 programme completed; the confirmation of completing lower secondary is given only to a student who completed grade 9 (promoted) and is dated in the school year\'s second calendar year or later; graduation review eligibility equals the grade 12 programme completed (promoted: learning and conduct Đạt or better, sessions missed within the limit).'),
  r('SIGNATURE_REPEATED', 'record', 'Signatures', 'Each role (homeroom teacher, principal, school seal) signs once.'),
  r('SIGNATURE_MISSING', 'record', 'Signatures', 'The record carries every signature in `requiredSignatures` (default all three).', ['requiredSignatures']),
  r('TEXT_INVALID_CHARACTER', 'record', 'Text', 'Texts hold only characters XML 1.0 allows (no control characters but tab and line ends).'),
  r('DUPLICATE_IN_BATCH', 'batch', 'Batch', 'A record key (learner ID and school year) appears once in a batch; the later records with it are rejected.'),
  r('DUPLICATE_PERSONAL_ID_IN_BATCH', 'batch', 'Batch', 'A personal ID appears once per school year in a batch, so one student is not sent under two learner IDs.'),
  r('VERSION_NOT_HIGHER', 'stored', 'Versions', 'New content for a record key has a higher version than any this gateway accepted for it; the same content at the same version is a re-send and passes.'),
]);
