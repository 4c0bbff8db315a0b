import type { SignatureRole } from '../canonical/codes.js';

// What business rules need besides the record: the province's rule settings and its reference
// data (province and school codes). Rules are pure functions of (record, context); the context
// is built once from configuration (config/validation-context.ts) and passed in.

/** Rule settings (config/default.json `rules`); each varies between provinces or years. */
export interface RuleSettings {
  /** Lowest valid primary periodic test score: 0 by Circular 27/2020, 1 in the Ministry's C1 Excel template. */
  primaryMinTestScore: number;
  /** How far a stated average may be from the half-up rounding of its formula; 0: exactly that rounding. */
  averageTolerance: number;
  /** Regular assessments per term: exactly the number Circular 22 sets for the subject's load, or at least it. */
  regularAssessmentCount: 'exact' | 'atLeast';
  /** Periods a year a record states for a subject with chuyên đề clusters: `withTopics` includes 35 per cluster, `subjectOnly` does not. */
  topicPeriods: 'withTopics' | 'subjectOnly';
  /** Âm nhạc and Mĩ thuật at grades 6-9 (Nghệ thuật): two subjects, or one for the learning result's "at most one Chưa đạt". */
  lowerSecondaryArts: 'separate' | 'together';
  /** Circular 22 art. 12: a student who missed more sessions than this is not promoted. */
  maxAbsentSessions: number;
  /** Signatures a record must carry before the gateway forwards it. */
  requiredSignatures: SignatureRole[];
  /** A pre-2025 province code: `map` it to the province it merged into, or `reject` the record. */
  retiredProvinceCodes: 'map' | 'reject';
  /** Refuse records of schools in another province than the gateway's own. */
  requireOwnProvince: boolean;
  /** Refuse records of schools missing from the school list (config/schools.json). */
  requireKnownSchool: boolean;
}

/** One line on each setting, for docs/rules.md. */
export const RULE_SETTING_DOCS: Readonly<Record<keyof RuleSettings, string>> = Object.freeze({
  primaryMinTestScore: 'Lowest valid primary periodic test score: 0 by Circular 27/2020, 1 in the Ministry\'s C1 Excel template.',
  averageTolerance: 'How far a stated average may be from the half-up rounding of its formula; 0 (the default): none, an exact x.x5 has one right answer.',
  regularAssessmentCount: '`exact`: each term has exactly the regular assessments Circular 22 sets for the subject\'s load; `atLeast`: no fewer.',
  topicPeriods: '`withTopics`: the periods a year of a subject with chuyên đề clusters include 35 per cluster (the subject\'s own periods set its regular assessments, and each cluster adds one); `subjectOnly`: they are the subject\'s own.',
  lowerSecondaryArts: '`separate`: Âm nhạc and Mĩ thuật at grades 6-9 count as two subjects for the learning result\'s "at most one Chưa đạt"; `together`: as one, Nghệ thuật, Đạt only when both are.',
  maxAbsentSessions: 'Circular 22 art. 12: a student who missed more sessions than this is not promoted.',
  requiredSignatures: 'Signatures a record must carry: HOMEROOM_TEACHER, PRINCIPAL, SCHOOL_SEAL.',
  retiredProvinceCodes: '`map`: a province code from before 1 July 2025 becomes the code of the province it merged into; `reject`: the record is refused.',
  requireOwnProvince: 'Refuse records of schools in another province than the gateway\'s own (`provinceCode`).',
  requireKnownSchool: 'Refuse records of schools missing from the school list (`referenceData.schoolsFile`).',
});

export interface RetiredProvince {
  name: string;
  /** The code of the province it belongs to since 1 July 2025. */
  now: string;
}

export interface ProvinceDirectory {
  /** The provinces in force, by 2-digit code. */
  current: ReadonlyMap<string, string>;
  /** Codes no longer in force, and the province each merged into. */
  retired: ReadonlyMap<string, RetiredProvince>;
  /** 3-digit birth-registration province codes found in personal ID numbers (Circular 59/2021/TT-BCA). */
  birthRegistrationCodes: ReadonlySet<string>;
  /** 3-digit codes that open the personal ID of a birth registered abroad, by ISO 3166-1 alpha-2 country. */
  birthRegistrationCountries: ReadonlyMap<string, string>;
}

export interface SchoolEntry {
  schoolId: string;
  name: string;
  provinceCode: string;
  grades: { from: number; to: number };
}

export interface ReferenceData {
  provinces: ProvinceDirectory;
  /** The schools this gateway serves, by Ministry school ID (config/schools.json). */
  schools: ReadonlyMap<string, SchoolEntry>;
}

export interface ValidationContext {
  rules: RuleSettings;
  reference: ReferenceData;
  /** The gateway's own province code (settings.provinceCode). */
  provinceCode: string;
}
