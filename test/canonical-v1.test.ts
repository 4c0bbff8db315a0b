import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DOMParser } from '@xmldom/xmldom';
import t from 'tap';
import { ExclusiveCanonicalization } from 'xml-crypto';
import * as codes from '../src/canonical/codes.js';
import { recordFromXml } from '../src/canonical/from-xml.js';
import { recordToXml } from '../src/canonical/xml.js';
import { FIXTURES, loadValid, validNames } from './helpers/records.js';

// The XML rendition of profile v1: golden files for several records, every valid fixture
// valid against record.xsd (checked by xmllint, an independent XSD validator), the XSD's code
// lists equal to canonical/codes.ts, and XML read back to the same JSON.

const run = promisify(execFile);
const XSD = join(import.meta.dirname, '..', 'specs', 'ministry-profile', 'v1', 'record.xsd');
const GOLDEN = join(FIXTURES, 'golden');
const goldenNames = readdirSync(GOLDEN).filter((f) => f.endsWith('.xml')).map((f) => f.slice(0, -4));
const parse = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml').documentElement as unknown as Element;

async function xmllint(files: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const { stderr } = await run('xmllint', ['--noout', '--schema', XSD, ...files]);
    return { ok: true, output: stderr };
  } catch (e) {
    return { ok: false, output: String((e as { stderr?: string }).stderr ?? e) };
  }
}

t.test('golden XML: the gateway writes exactly these bytes, and they read back to the record', async (t) => {
  t.ok(goldenNames.length >= 6, `${goldenNames.length} golden files`);
  const grades = new Set<number>();
  for (const name of goldenNames) {
    const record = loadValid(name);
    grades.add(record.grade);
    const golden = readFileSync(join(GOLDEN, `${name}.xml`), 'utf8');
    t.equal(recordToXml(record), golden, `${name}: same bytes`);
    t.equal(new ExclusiveCanonicalization().process(parse(golden), {}), golden, `${name}: already exclusive canonical`);
    t.same(recordFromXml(parse(golden)), record, `${name}: reads back to the same JSON`);
  }
  t.ok([...grades].some((g) => g <= 5) && [...grades].some((g) => g >= 6 && g <= 9) && [...grades].some((g) => g >= 10), 'primary, lower and upper secondary');
});

t.test('every valid record is valid against record.xsd', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hocba-xsd-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const files = validNames().map((name) => {
    const file = join(dir, `${name}.xml`);
    writeFileSync(file, recordToXml(loadValid(name)));
    return file;
  });
  const result = await xmllint(files);
  t.ok(result.ok, 'xmllint accepts them all');
  t.equal(result.output.match(/ validates$/gm)?.length, files.length, 'each one validates');
});

t.test('record.xsd refuses what the rules refuse', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hocba-xsd-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const primary = loadValid('g04-4');
  primary.primary!.subjects[0]!.testScores!.endOfYear = 8.5;
  const secondary = loadValid('g08-2');
  secondary.secondary!.scoreSubjects[0]!.termI.average = 8.25;
  const both = loadValid('g08-2');
  both.primary = loadValid('g04-4').primary;
  const cases: [string, object][] = [['fractional primary score', primary], ['two decimals', secondary], ['both results blocks', both]];
  for (const [name, record] of cases) {
    const file = join(dir, 'x.xml');
    // Both blocks: move primary before secondary, as the element order requires.
    const r = record as Record<string, unknown>;
    const ordered = 'primary' in r && 'secondary' in r ? Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a === 'primary' && b === 'secondary' ? -1 : a === 'secondary' && b === 'primary' ? 1 : 0))) : r;
    writeFileSync(file, recordToXml(ordered as never));
    t.notOk((await xmllint([file])).ok, `${name} fails the XSD`);
  }
});

t.test('record.xsd lists the same codes as canonical/codes.ts', async (t) => {
  const xsd = readFileSync(XSD, 'utf8');
  const enumOf = (type: string) => {
    const block = xsd.split(`<xs:simpleType name="${type}">`)[1]!.split('</xs:simpleType>')[0]!;
    return [...block.matchAll(/<xs:enumeration value="([^"]+)"\/>/g)].map((m) => m[1]);
  };
  t.same(enumOf('PrimarySubject'), [...codes.PRIMARY_SUBJECTS]);
  t.same(enumOf('SecondarySubject'), [...codes.SECONDARY_SUBJECTS]);
  t.same(enumOf('SubjectLevel'), [...codes.SUBJECT_LEVELS]);
  t.same(enumOf('Rating'), [...codes.RATINGS]);
  t.same(enumOf('YearEndResult'), [...codes.YEAR_END_RESULTS]);
  t.same(enumOf('Quality'), [...codes.QUALITIES]);
  t.same(enumOf('Competency'), [...codes.COMPETENCIES]);
  t.same(enumOf('CommentResult'), [...codes.COMMENT_RESULTS]);
  t.same(enumOf('ResultLevel'), [...codes.RESULT_LEVELS]);
  t.same(enumOf('SignatureRole'), [...codes.SIGNATURE_ROLES]);
  t.same(enumOf('DisabilityType'), [...codes.DISABILITY_TYPES]);
  t.same(enumOf('ExemptionReason'), [...codes.EXEMPTION_REASONS]);
  t.same(enumOf('IdentityDocumentKind'), [...codes.IDENTITY_DOCUMENT_KINDS]);
  t.same(enumOf('TechnologyOrientation'), [...codes.TECHNOLOGY_ORIENTATIONS]);
});
