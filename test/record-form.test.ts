import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { recordFromXmlText } from '../src/canonical/from-xml.js';
import { ethnicityCodeOf } from '../src/canonical/ethnicities.js';
import type { CanonicalRecord } from '../src/canonical/record.js';
import { contentHashOf, recordToXml } from '../src/canonical/xml.js';
import { intake } from '../src/pipeline/intake.js';
import { validateRecord } from '../src/validation/validate.js';
import { canonicalAdapter, contextWith, FIXTURES, loadValid } from './helpers/records.js';

// Profile v2 (issue 15 item 9): a record with the rest of the học bạ form passes, is written in
// the v2 namespace, valid against v2's XSD, and reads back to the same JSON; a record without the
// form stays a v1 record byte for byte, so earlier hashes and signatures hold.

const forms: { name: string; record: CanonicalRecord }[] = JSON.parse(readFileSync(join(FIXTURES, 'records', 'form-records.json'), 'utf8'));
const specs = join(import.meta.dirname, '..', 'specs', 'ministry-profile');

t.test('whole record forms pass, written as profile v2', async (t) => {
  t.equal(forms.length, 2);
  const dir = mkdtempSync(join(tmpdir(), 'hocba-form-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const files: string[] = [];
  for (const { name, record } of forms) {
    t.same(validateRecord(record, contextWith()), [], `${name} with its form is valid`);
    const result = intake(canonicalAdapter, [record], null, contextWith());
    t.equal(result.records[0]!.state, 'queued', `${name} is queued`);
    const xml = result.records[0]!.recordXml!;
    t.match(xml, /^<hocba xmlns="urn:moet:hocba:record:v2">/, 'in the v2 namespace');
    t.match(xml, /<form><ethnicityCode>01<\/ethnicityCode><birthPlace>/, 'the form last, in schema order');
    t.same(recordFromXmlText(xml), JSON.parse(JSON.stringify(record)), 'and reads back to the same record');
    const file = join(dir, `${name}.xml`);
    writeFileSync(file, xml);
    files.push(file);
  }
  const { stderr } = await promisify(execFile)('xmllint', ['--noout', '--schema', join(specs, 'v2', 'record.xsd'), ...files]);
  t.match(stderr, /validates/, 'xmllint: valid against the v2 XSD');
  t.equal(stderr.split('\n').filter((l) => l.endsWith(' validates')).length, files.length, 'every one');
});

t.test('a record without the form is a v1 record, byte for byte', async (t) => {
  const plain = loadValid(forms[0]!.name);
  const xml = recordToXml(plain);
  t.match(xml, /^<hocba xmlns="urn:moet:hocba:record:v1">/);
  t.notMatch(xml, /<form>/);
  const withForm = recordToXml(forms[0]!.record);
  t.equal(withForm.replace('record:v2', 'record:v1').replace(/<form>.*<\/form>/, ''), xml, 'the v2 rendition is the v1 one plus the form');
  t.not(contentHashOf(withForm), contentHashOf(xml));
});

t.test('the v2 XSD refuses what the v2 schema refuses', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hocba-form-bad-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bad = structuredClone(forms[0]!.record);
  (bad.form as Record<string, unknown>).titles = ['HOC_SINH_GIOI_NHAT'];
  const file = join(dir, 'bad.xml');
  writeFileSync(file, recordToXml(bad));
  const out = await promisify(execFile)('xmllint', ['--noout', '--schema', join(specs, 'v2', 'record.xsd'), file]).then(
    () => 'validated',
    (e: { stderr: string }) => e.stderr,
  );
  t.match(out, /title.*not an element of the set|not a valid value/, 'an unknown title');
  t.match(validateRecord(bad, contextWith()), [{ code: 'SCHEMA_ENUM', path: '/form/titles/0' }]);
});

t.test('ethnicity names to their QĐ 4998 codes, spelled as people write them', async (t) => {
  t.equal(ethnicityCodeOf('Kinh'), '01');
  t.equal(ethnicityCodeOf('Gia Rai'), '10');
  t.equal(ethnicityCodeOf('Ê Đê'), '12');
  t.equal(ethnicityCodeOf('Khơ-me'), '05');
  t.equal(ethnicityCodeOf('H\'Mông'), '08');
  t.equal(ethnicityCodeOf('Rơ Măm'), '54');
  t.equal(ethnicityCodeOf('Klingon'), undefined);
});
