// The native JSON batch of MISA EMIS as the gateway receives it (see README.md beside this file).
// Field names are English camelCase; dates ISO yyyy-mm-dd or yyyyMMdd; sex 1/2; results English
// upper-case codes or their numbers (codes.ts). Types describe a well-formed batch; the mapper
// still reads every field as unknown because vendors send what they send. One batch is one
// school and one school year; a student has primaryAssessment (grades 1-5) or
// secondaryAssessment (grades 6-12).

export type EmisCode = string | number;

/** Periodic tests of a primary subject (Circular 27 art. 7), whole numbers. */
export interface EmisPrimaryScores {
  midTerm1?: number;
  endTerm1?: number;
  midTerm2?: number;
  endYear?: number;
}

export interface EmisPrimarySubject {
  subjectCode: string;
  achievement: EmisCode; // COMPLETED_WELL | COMPLETED | NOT_COMPLETED, or 3/2/1
  scores?: EmisPrimaryScores;
  /** Tin học và Công nghệ only: its two parts, each with its achievement and end-of-term scores. */
  parts?: { informatics: EmisSubjectPart; technology: EmisSubjectPart };
}

export interface EmisSubjectPart {
  achievement: EmisCode;
  scores?: { endTerm1?: number; endYear?: number };
}

export interface EmisRating {
  code: string;
  rating: EmisCode; // GOOD | PASS | NEEDS_EFFORT, or 3/2/1
}

export interface EmisPrimaryAssessment {
  subjects: EmisPrimarySubject[];
  qualities: EmisRating[];
  competencies: EmisRating[];
  finalResult: EmisCode; // OUTSTANDING | COMPLETED_WELL | COMPLETED | NOT_COMPLETED, or 4..1
  programmeCompleted: boolean;
  promoted: boolean;
  awards?: string[];
  teacherComment: string;
  /** Subjects the student is exempted from (reason HEALTH or DISABILITY). */
  exemptions?: { subjectCode: string; reason: string }[];
  /** Grade 5: completed primary. */
  primaryCompleted?: boolean;
  /** After a year not completed: the supplementary assessment after the summer (date yyyy-mm-dd). */
  supplementaryAssessment?: { date: string; completed: boolean };
}

/** One semester of a subject assessed by score: ĐĐGtx, ĐĐGgk, ĐĐGck, ĐTBmhk. */
export interface EmisScoreSemester {
  regular: number[];
  midterm: number;
  final: number;
  average: number;
}

export interface EmisScoredSubject {
  subjectCode: string;
  /** Công nghệ at grades 10-12: INDUSTRY or AGRICULTURE. */
  orientation?: string;
  periods: number;
  /** Grades 10-12: chuyên đề clusters taken in this subject. */
  topicClusters?: number;
  semester1: EmisScoreSemester;
  semester2: EmisScoreSemester;
  yearAverage: number;
  /** The retest (kiểm tra lại) score after a failed year. */
  retestScore?: number;
}

/** One semester of a subject assessed by comment: PASS / FAIL (1/0). */
export interface EmisCommentSemester {
  regular: EmisCode[];
  midterm: EmisCode;
  final: EmisCode;
  result: EmisCode;
}

export interface EmisCommentedSubject {
  subjectCode: string;
  periods: number;
  topicClusters?: number;
  semester1: EmisCommentSemester;
  semester2: EmisCommentSemester;
  yearResult: EmisCode;
  /** The retest (kiểm tra lại) result after a failed year: PASS / FAIL. */
  retestResult?: EmisCode;
}

/** Learning or conduct results: EXCELLENT / GOOD / PASS / FAIL (4..1). */
export interface EmisTermResults {
  semester1: EmisCode;
  semester2: EmisCode;
  year: EmisCode;
  afterSummer?: EmisCode;
}

export interface EmisSecondaryAssessment {
  scoredSubjects: EmisScoredSubject[];
  commentedSubjects: EmisCommentedSubject[];
  academicPerformance: EmisTermResults;
  conduct: EmisTermResults;
  promoted: boolean;
  awards?: string[];
  teacherComment: string;
  exemptions?: { subjectCode: string; reason: string }[];
  /** Grade 9: the principal's confirmation of completing lower secondary (date yyyy-mm-dd). */
  lowerSecondaryCompletion?: { decisionNo: string; date: string };
  /** Grade 12: eligible for the graduation review. */
  graduationReviewEligible?: boolean;
}

export interface EmisSignature {
  signer: string; // TEACHER | PRINCIPAL | SEAL
  signedAt: string; // ISO 8601 date-time with offset
}

export interface EmisStudent {
  studentCode: string;
  citizenId?: string;
  fullName: string;
  dateOfBirth: string; // yyyy-mm-dd or yyyyMMdd
  sex: number | string; // 1 male, 2 female
  ethnicity: string;
  nationality: string; // ISO 3166-1 alpha-2
  /** true while a Vietnamese student's citizen ID is not issued yet (citizenId left out): the record is held. */
  citizenIdPending?: boolean;
  /** A foreign student's passport or travel document (type PASSPORT or TRAVEL_DOCUMENT), instead of citizenId. */
  travelDocument?: { type: string; number: string; issuingCountry: string };
  /** ISO alpha-2 of a birth registered at a Vietnamese mission abroad. */
  birthRegistrationCountry?: string;
  /** type MOBILITY, HEARING_SPEECH, VISUAL, NEURO_PSYCHIATRIC, INTELLECTUAL or OTHER; individualPlan: assessed by an individual education plan. */
  disability?: { type: string; individualPlan: boolean };
  gradeLevel: number;
  className: string;
  homeroomTeacher: string;
  recordNo: string;
  lookupCode: string;
  issuedDate: string; // yyyy-mm-dd or yyyyMMdd
  revision: number;
  primaryAssessment?: EmisPrimaryAssessment;
  secondaryAssessment?: EmisSecondaryAssessment;
  absences: { excused: number; unexcused: number };
  signatures: EmisSignature[];
  /** Profile v2: the rest of the học bạ form (README.md, "profile"). */
  profile?: EmisProfile;
}

/** profile: lý lịch and the rest of the học bạ form, every field optional. */
export interface EmisProfile {
  ethnicCode?: string;
  placeOfBirth?: string;
  hometown?: string;
  address?: string;
  policyGroup?: string;
  registerNo?: string;
  enrolledOn?: string; // yyyy-mm-dd or yyyyMMdd
  guardians?: { relation: string; name: string; birthYear?: number; job?: string }[];
  history?: { year: string; grade: number; schoolCode?: string; schoolName: string; className: string; transfer?: { direction: string; date: string; otherSchool?: string } }[];
  subjectComments?: { subjectCode: string; comment: string }[];
  qualityComments?: { code: string; comment: string }[];
  competencyComments?: { code: string; comment: string }[];
  height?: number; // cm
  weight?: number; // kg
  titles?: string[];
}

export interface EmisBatch {
  provinceCode: string;
  schoolCode: string;
  schoolName: string;
  academicYear: string; // "2024-2025"
  principalName: string;
  exportedAt?: string;
  students: EmisStudent[];
}

/** What `split` hands to `map` for every student: the batch-level fields. */
export type EmisContext = Omit<EmisBatch, 'students' | 'exportedAt'>;
