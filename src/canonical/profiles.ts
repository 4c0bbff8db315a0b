// The record profiles the gateway and the simulator can read, by the namespace of `<hocba>`.
// A record declares its profile by that namespace; v0 stays readable so that records queued
// before an upgrade (and vendors still on v0) can be delivered. XML carries no types, so each
// profile lists which elements are arrays, numbers and booleans; everything else is a string.

export interface RecordProfile {
  version: string;
  namespace: string;
  /** The profile's JSON Schema, relative to the package root. */
  schemaFile: string;
  arrays: ReadonlySet<string>;
  numbers: ReadonlySet<string>;
  booleans: ReadonlySet<string>;
}

const V0: RecordProfile = {
  version: 'v0',
  namespace: 'urn:moet:hocba:record:v0',
  schemaFile: 'specs/ministry-profile/v0/record.schema.json',
  arrays: new Set(['subjects', 'qualities', 'competencies', 'commendations']),
  numbers: new Set(['grade', 'version', 'testScore']),
  booleans: new Set(['completedProgramme', 'promoted']),
};

const V1: RecordProfile = {
  version: 'v1',
  namespace: 'urn:moet:hocba:record:v1',
  schemaFile: 'specs/ministry-profile/v1/record.schema.json',
  arrays: new Set([...V0.arrays, 'scoreSubjects', 'commentSubjects', 'regularScores', 'regularResults', 'signatures', 'exemptSubjects']),
  numbers: new Set([
    'grade',
    'version',
    'midTermI',
    'endOfTermI',
    'midTermII',
    'endOfYear',
    'periodsPerYear',
    'topicClusters',
    'score',
    'midTermScore',
    'endOfTermScore',
    'average',
    'yearAverage',
    'retestScore',
    'excusedAbsences',
    'unexcusedAbsences',
  ]),
  booleans: new Set([...V0.booleans, 'personalIdPending', 'individualPlan', 'completedPrimary', 'graduationReviewEligible']),
};

/** v1 with the rest of the record form (`form`, issue 15 item 9). */
const V2: RecordProfile = {
  version: 'v2',
  namespace: 'urn:moet:hocba:record:v2',
  schemaFile: 'specs/ministry-profile/v2/record.schema.json',
  arrays: new Set([...V1.arrays, 'family', 'schoolHistory', 'subjectComments', 'qualityComments', 'competencyComments', 'titles']),
  numbers: new Set([...V1.numbers, 'birthYear', 'heightCm', 'weightKg']),
  booleans: V1.booleans,
};

export const RECORD_PROFILES: ReadonlyMap<string, RecordProfile> = new Map([V0, V1, V2].map((p) => [p.namespace, p]));

/**
 * Array fields and the name of the element each item is written as (the XML rendition repeats an
 * element named after the array's item). Shared by every profile: a name means the same in each.
 */
export const ITEM_NAMES: Readonly<Record<string, string>> = Object.freeze({
  subjects: 'subject',
  qualities: 'quality',
  competencies: 'competency',
  commendations: 'commendation',
  scoreSubjects: 'scoreSubject',
  commentSubjects: 'commentSubject',
  regularScores: 'score',
  regularResults: 'result',
  signatures: 'signature',
  exemptSubjects: 'exemptSubject',
  family: 'member',
  schoolHistory: 'entry',
  subjectComments: 'subjectComment',
  qualityComments: 'qualityComment',
  competencyComments: 'competencyComment',
  titles: 'title',
});
