import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import t from 'tap';
import { BatchFormatError, formatFor, formatNamed, readXmlBatch } from '../src/adapters/adapter.js';
import { BodyUnreadableError } from '../src/adapters/adapter.js';
import { getAdapter } from '../src/adapters/registry.js';
import { renderSmasBatch, sampleSmasBatchText, sampleSmasBatchXml, sampleSmasEnvelope, sampleSmasRecords, smasAdapter } from '../src/adapters/smas/index.js';
import { parseXmlTree, serializeTree, type XNode } from '../src/adapters/xml-tree.js';
import type { CanonicalRecord } from '../src/canonical/record.js';
import { openStore } from '../src/storage/open-store.js';
import { runBatchIntake } from '../src/pipeline/batch-intake.js';
import { intake, type IntakeResult } from '../src/pipeline/intake.js';
import type { FieldError } from '../src/validation/types.js';
import { validateRecord } from '../src/validation/validate.js';
import { dataDir, ensureBuilt } from './helpers/processes.js';
import { applyChanges, contextWith, FIXTURES, loadValid, type Change } from './helpers/records.js';
import { find } from './helpers/smas.js';

const ctx = contextWith();
const SPEC = join(import.meta.dirname, '..', 'specs', 'vendors', 'smas', 'v1');
const EXAMPLES = join(import.meta.dirname, '..', 'examples', 'smas');
const format = smasAdapter.formats[0]!;

/** Reads a batch body and maps and validates every pupil: the records and [index, code, path] of every problem. */
async function run(xml: string): Promise<{ records: CanonicalRecord[]; problems: [number, string, string][] }> {
  const { items, context } = await format.read(xml);
  const records: CanonicalRecord[] = [];
  const problems: [number, string, string][] = [];
  items.forEach((item, i) => {
    const o = smasAdapter.map(item, context);
    const errors: FieldError[] = o.ok ? validateRecord(o.record, ctx) : o.errors;
    if (o.ok) records.push(o.record);
    for (const e of errors) problems.push([i, e.code, e.path]);
  });
  return { records, problems };
}

/** One sample pupil, its XML changed by `edit`, mapped: [code, path] of each problem. */
async function problemsAfter(edit: (xml: string) => string, schoolId = '01004001'): Promise<[string, string][]> {
  const { problems } = await run(edit(renderSmasBatch(sampleSmasRecords(1, 5, { schoolId }))));
  return problems.map(([, c, p]) => [c, p]);
}

t.test('registered, with its XML format and SOAP service', async (t) => {
  t.equal(getAdapter('smas'), smasAdapter);
  t.equal(formatFor(smasAdapter, 'text/xml; charset=utf-8'), format);
  t.equal(formatNamed(smasAdapter, 'xml'), format);
  t.same(smasAdapter.sampleSchools, ['01004001', '01004002']);
  t.equal(smasAdapter.soap?.path, '/soap/smas/v1');
});

t.test('samples of grades 6-9, 10-12 and (another school) 1-5 map back to the very records they were made from, all valid', async (t) => {
  for (const [schoolId, grades] of [['01004001', [6, 7, 8, 9]], ['01004002', [10, 11, 12]], ['01005002', [1, 2, 3, 4, 5, 6, 7, 8, 9]]] as const) {
    const made = sampleSmasRecords(36, 7, { schoolId });
    const { records, problems } = await run(renderSmasBatch(made));
    t.same(problems, [], `school ${schoolId}`);
    t.same(records, made, 'the same canonical records, field for field and in order');
    t.same([...new Set(records.map((r) => r.grade))].sort((a, b) => a - b), grades);
    t.ok(records.every((r) => r.student.learnerId.startsWith(`${schoolId}S`) && r.recordId.startsWith(`SMAS-${schoolId}-2024-`)), 'SMAS keys');
  }
});

t.test('sample(): the SubmitBatch envelope of a demo school', async (t) => {
  const s = await smasAdapter.sample({ records: 4, seed: 3 });
  t.match(s.mediaType, /^text\/xml/);
  const tree = parseXmlTree(String(s.body), { maxDepth: 64, maxElements: 1e6, maxChars: 1e8 });
  t.equal(tree.name, 'Envelope');
  t.equal(find(tree, 'SchoolCode')?.text, '01004001');
  t.equal(find(parseXmlTree(String((await smasAdapter.sample({ records: 1, seed: 3, grade: 11 })).body), { maxDepth: 64, maxElements: 1e6, maxChars: 1e8 }), 'SchoolCode')?.text, '01004002');
  t.throws(() => smasAdapter.sample({ records: 1, seed: 3, grade: 3 }), RangeError);
});

t.test('mapping errors name the SMAS element; missing values are reported at the canonical path', async (t) => {
  t.same(await problemsAfter((x) => x.replace(/<BirthDate>[^<]*</, '<BirthDate>31-02-2012<')), [['VENDOR_FIELD_INVALID', '/BirthDate']]);
  t.same(await problemsAfter((x) => x.replace(/<Genre>[^<]*</, '<Genre>2<')), [['VENDOR_FIELD_INVALID', '/Genre']]);
  t.same(await problemsAfter((x) => x.replace(/<EthnicCode>[^<]*</, '<EthnicCode>99<')), [['VENDOR_FIELD_INVALID', '/EthnicCode']]);
  t.same(await problemsAfter((x) => x.replace('<SubjectCode>TOAN<', '<SubjectCode>MATH<')), [['VENDOR_FIELD_INVALID', '/SecondaryResult/Subjects/Subject[2]/SubjectCode']]);
  t.same(await problemsAfter((x) => x.replace(/<Year>[^<]*</, '<Year>5<')), [['VENDOR_FIELD_INVALID', '/SecondaryResult/Capacity/Year']]);
  t.same(await problemsAfter((x) => x.replace(/<IsCommenting>0</, '<IsCommenting>x<')), [['VENDOR_FIELD_INVALID', '/SecondaryResult/Subjects/Subject[1]/IsCommenting']]);
  t.same(await problemsAfter((x) => x.replace(/<Role>HT</, '<Role>BOSS<')), [['VENDOR_FIELD_INVALID', '/Signatures/Signature[2]/Role']]);
  t.same(await problemsAfter((x) => x.replace(/<FullName>[^<]*<\/FullName>/, '')), [['SCHEMA_REQUIRED', '/student/fullName']]);
  t.same(await problemsAfter((x) => x.replace(/<Revision>1</, '<Revision>one<')), [['SCHEMA_TYPE', '/version']]);
  t.same(await problemsAfter((x) => x.replace(/<Comment>[^<]*<\/Comment>/, '<Comment/>')), [], 'remarks may be empty');
  t.same(await problemsAfter((x) => x.replace(/<Comment>[^<]*<\/Comment>/, '')), [['SCHEMA_REQUIRED', '/secondary/remarks']]);
  t.same(await problemsAfter((x) => x.replace(/<Rating>1<\/Rating>/, '<Rating>9</Rating>'), '01005001'), [['VENDOR_FIELD_INVALID', '/PrimaryResult/Qualities/Evaluation[1]/Rating']]);
  // Unknown elements are ignored; signatures in any order give the same record (and content hash).
  const a = await run(renderSmasBatch(sampleSmasRecords(1, 5)));
  const b = await run(renderSmasBatch(sampleSmasRecords(1, 5)).replace('<PupilCode>', '<Extra>x</Extra><PupilCode>').replace(/(<Signature>[\s\S]*?<\/Signature>\s*)(<Signature>[\s\S]*?<\/Signature>\s*)/, '$2$1'));
  t.same(b.records, a.records);
});

t.test('the header: required fields, AcademicYear as SMAS writes it, and before <Pupils>', async (t) => {
  const xml = sampleSmasBatchXml(2, 5);
  const codes = (e: unknown) => (e as BatchFormatError).errors.map((x) => [x.code, x.path]);
  t.same(codes(await Promise.resolve().then(() => format.read(xml.replace(/<SchoolCode>[^<]*<\/SchoolCode>/, ''))).catch((e) => e)), [['SCHEMA_REQUIRED', '/SchoolCode']]);
  t.same(codes(await Promise.resolve().then(() => format.read(xml.replace('<AcademicYear>2024<', '<AcademicYear>2024-2025<'))).catch((e) => e)), [['VENDOR_FIELD_INVALID', '/AcademicYear']]);
  const late = xml.replace(/<HeadMaster>[^<]*<\/HeadMaster>/, '').replace('</Pupils>', '</Pupils><HeadMaster>X</HeadMaster>');
  t.same(codes(await Promise.resolve().then(() => format.read(late)).catch((e) => e)), [['VENDOR_FIELD_INVALID', '/HeadMaster']]);
  const empty = xml.replace(/<Pupils>[\s\S]*<\/Pupils>/, '<Pupils></Pupils>');
  t.same(codes(await Promise.resolve().then(() => format.read(empty)).catch((e) => e)), [['VENDOR_FIELD_INVALID', '/Pupils']]);
  t.same(codes(await Promise.resolve().then(() => format.read('<Other/>')).catch((e) => e)), [['VENDOR_FIELD_INVALID', '']]);
  const { context } = await format.read(xml);
  t.same(context, { provinceCode: '01', schoolId: '01004001', schoolName: 'Trường THCS Lê Quý Đôn', schoolYear: '2024-2025', principal: (context as { principal: string }).principal });
});

t.test('hostile XML: no DTD, bounded depth and size, element names never become keys', async (t) => {
  const malformed = async (xml: string) => t.rejects(Promise.resolve().then(() => format.read(xml)), BodyUnreadableError, xml.slice(0, 50));
  await malformed('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><SchoolBatch>&lol2;</SchoolBatch>');
  await malformed('<SchoolBatch><ProvinceCode>&xxe;</ProvinceCode></SchoolBatch>');
  await malformed('<SchoolBatch>' + '<a>'.repeat(20) + '</a>'.repeat(20) + '</SchoolBatch>');
  await malformed(`<SchoolBatch><ProvinceCode>01</ProvinceCode><SchoolCode>1</SchoolCode><AcademicYear>2024</AcademicYear><Pupils><PupilProfile>${'<x/>'.repeat(6000)}</PupilProfile></Pupils></SchoolBatch>`);
  await malformed('<SchoolBatch><ProvinceCode>01</ProvinceCode>');
  const proto = sampleSmasBatchXml(1, 5).replace('<PupilCode>', '<__proto__><polluted>yes</polluted></__proto__><constructor><prototype>1</prototype></constructor><PupilCode>');
  const { records, problems } = await run(proto);
  t.same(problems, []);
  t.equal(records.length, 1);
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
  const odd = await format.read(sampleSmasBatchXml(1, 5).replace(/<PupilProfile>/, '<__proto__>').replace(/<\/PupilProfile>/, '</__proto__>'));
  const o = smasAdapter.map(odd.items[0], odd.context);
  t.same(o.ok ? [] : o.errors.map((e) => [e.code, e.path]), [['VENDOR_FIELD_INVALID', '']]);
  // What crosses to an intake thread is plain data.
  t.same(structuredClone(odd.items[0]), odd.items[0]);
});

t.test('stream(): a large file a chunk of pupils at a time, every chunk with the header', async (t) => {
  const text = [...sampleSmasBatchText(1200, 9)].join('');
  const chunks: { items: unknown[]; context: unknown }[] = [];
  // Fed in small pieces, as a file is read.
  const pieces = text.match(/[\s\S]{1,4096}/g)!;
  for await (const c of format.stream(Readable.from(pieces), 500)) chunks.push(c);
  t.same(chunks.map((c) => c.items.length), [500, 500, 200]);
  t.ok(chunks.every((c) => (c.context as { schoolId: string }).schoolId === '01004001'));
  const keys = new Set<string>();
  for (const c of chunks) for (const item of c.items) keys.add(find(item as XNode, 'PupilCode')!.text);
  t.equal(keys.size, 1200, 'every pupil its own key');
  const broken = text.slice(0, 200_000) + '<oops></Pupils>';
  await t.rejects(async () => {
    for await (const _ of format.stream(Readable.from([broken]), 500));
  }, BatchFormatError);
});

t.test('xmlBatch(): the pupils read() gives, each handed on as soon as it is read', async (t) => {
  const xml = sampleSmasBatchXml(40, 12);
  const whole = await format.read(xml);
  const each: { item: unknown; context: unknown }[] = [];
  readXmlBatch(format.xmlBatch!((item, context) => each.push({ item, context })), xml);
  t.same(each.map((e) => e.item), whole.items, 'the same pupils in the same order');
  t.ok(each.every((e) => t.same(e.context, whole.context)), 'each with the header as read() gives it');
  // Handed on while reading: a document broken after 3 pupils has given those 3 already, and
  // answers as read() does (BODY_MALFORMED).
  const cut = xml.indexOf('<PupilProfile>', xml.indexOf('</PupilProfile>', xml.indexOf('</PupilProfile>', xml.indexOf('</PupilProfile>') + 1) + 1));
  const broken = xml.slice(0, cut) + '<PupilProfile>&bogus;</PupilProfile></Pupils></SchoolBatch>';
  let seen = 0;
  t.throws(() => readXmlBatch(format.xmlBatch!(() => (seen += 1)), broken), BodyUnreadableError);
  t.equal(seen, 3);
  t.throws(() => readXmlBatch(format.xmlBatch!(() => {}), xml.replace('<Pupils>', '<AcademicYear>2024</AcademicYear><Pupils>')), BatchFormatError);
});

t.test('the intake of a SMAS body reads it pupil by pupil, with the outcomes of mapping the whole batch read first', async (t) => {
  const xml = sampleSmasBatchXml(30, 14).replace(/<PupilCode>01004001S000007<\/PupilCode>/, '<PupilCode></PupilCode>');
  const viaEach = await runBatchIntake({ vendor: 'smas', mediaType: 'application/xml', body: xml }, ctx, 1000);
  const whole = await format.read(xml);
  const viaArray = intake(smasAdapter, whole.items, whole.context, ctx);
  t.equal(viaEach.kind, 'ok');
  if (viaEach.kind !== 'ok') return;
  const view = (r: IntakeResult) => r.outcomes.map((o) => [o.index, o.status, o.recordKey ?? null, (o.errors ?? []).map((e) => e.code)]);
  t.same(view(viaEach.result), view(viaArray));
  t.same(viaEach.result.outcomes.filter((o) => o.status === 'rejected').map((o) => o.index), [6], 'the pupil without a code, alone');
  t.same(viaEach.result.records.map((r) => r.contentHash), viaArray.records.map((r) => r.contentHash), 'the same records');
  // Past the limit the pupils are counted, not mapped: the answer names how many there were.
  t.same(await runBatchIntake({ vendor: 'smas', mediaType: 'application/xml', body: xml }, ctx, 20), { kind: 'too-many', requestHash: viaEach.requestHash, count: 30 });
});

t.test('xmllint: the XSD validates the samples, the WSDL\'s types the sample envelope\'s SubmitBatch, and the examples', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smas-xsd-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const lint = (schema: string, file: string) => execFileSync('xmllint', ['--noout', '--schema', schema, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const files: string[] = [];
  for (const schoolId of ['01004001', '01004002', '01005001']) {
    const f = join(dir, `batch-${schoolId}.xml`);
    writeFileSync(f, sampleSmasBatchXml(12, 4, { schoolId }));
    files.push(f);
  }
  for (const f of files) t.doesNotThrow(() => lint(join(SPEC, 'smas-batch.xsd'), f), f);
  // The WSDL's own schema (with its include of smas-batch.xsd) as a schema document of its own.
  const wsdl = readFileSync(join(SPEC, 'smas.wsdl'), 'utf8');
  const schema = wsdl.slice(wsdl.indexOf('<xs:schema'), wsdl.indexOf('</xs:schema>') + '</xs:schema>'.length);
  writeFileSync(join(dir, 'service.xsd'), `<?xml version="1.0"?>\n${schema.replace('<xs:schema ', '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:viettel:smas:hocba:v1" ')}`);
  writeFileSync(join(dir, 'smas-batch.xsd'), readFileSync(join(SPEC, 'smas-batch.xsd')));
  const envelope = parseXmlTree(sampleSmasEnvelope(5, 8, { schoolId: '01004002' }), { maxDepth: 64, maxElements: 1e6, maxChars: 1e8 });
  writeFileSync(join(dir, 'submit.xml'), serializeTree(find(envelope, 'SubmitBatch')!));
  t.doesNotThrow(() => lint(join(dir, 'service.xsd'), join(dir, 'submit.xml')), 'SubmitBatch of the sample envelope');
  // The golden fault's detail is a GatewayFault as the WSDL declares it.
  const fault = parseXmlTree(readFileSync(join(import.meta.dirname, 'fixtures', 'smas', 'fault-auth-missing.xml'), 'utf8'), { maxDepth: 64, maxElements: 1e6, maxChars: 1e8 });
  writeFileSync(join(dir, 'fault.xml'), serializeTree(find(fault, 'GatewayFault')!));
  t.doesNotThrow(() => lint(join(dir, 'service.xsd'), join(dir, 'fault.xml')), 'GatewayFault');
  // A broken batch is refused by xmllint (the XSD is not a formality).
  writeFileSync(join(dir, 'bad.xml'), readFileSync(files[0]!, 'utf8').replace(/<Genre>[^<]*</, '<Genre>2<'));
  t.throws(() => lint(join(SPEC, 'smas-batch.xsd'), join(dir, 'bad.xml')));
  // examples/smas
  t.doesNotThrow(() => lint(join(SPEC, 'smas-batch.xsd'), join(EXAMPLES, 'batch.xml')));
  const example = parseXmlTree(readFileSync(join(EXAMPLES, 'submit-batch.xml'), 'utf8'), { maxDepth: 64, maxElements: 1e6, maxChars: 1e8 });
  writeFileSync(join(dir, 'example-submit.xml'), serializeTree(find(example, 'SubmitBatch')!));
  t.doesNotThrow(() => lint(join(dir, 'service.xsd'), join(dir, 'example-submit.xml')));
  t.same((await run(readFileSync(join(EXAMPLES, 'batch.xml'), 'utf8'))).problems, []);
});

t.test('hocba-gw import --vendor smas --format xml streams a file into the outbox', async (t) => {
  ensureBuilt();
  const dir = dataDir(t);
  const file = join(dir, 'smas.xml');
  writeFileSync(file, [...sampleSmasBatchText(2000, 13)].join(''));
  const env = { ...process.env, DATA_DIR: dir, DATABASE_URL: join(dir, 'gateway.db') };
  const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'dist', 'cli', 'main.js'), 'import', '--vendor', 'smas', '--format', 'xml', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
  t.equal(out.code, 0, out.stderr);
  const summary = JSON.parse(out.stdout.trim().split('\n').pop()!);
  t.match(summary, { records: 2000, queued: 2000, rejected: 0, submissions: 4 });
  const store = await openStore(join(dir, 'gateway.db'));
  await store.migrate();
  t.teardown(() => store.close());
  t.equal((await store.countByState()).queued, 2000);
});

t.test('every kind of student the rules know, in SMAS elements: rendered, valid against the XSD, mapped back to the same records', async (t) => {
  const kinds: { kind: string; base: string; change: Change[] }[] = JSON.parse(readFileSync(join(FIXTURES, 'records', 'forgotten-kinds.json'), 'utf8'));
  // SMAS carries them all: identity elements, disability, exemptions, the summer, retests, chuyên
  // đề clusters and the Công nghệ orientation, the end of each level, Tin học và Công nghệ's parts.
  const carried = kinds;
  t.equal(carried.length, 14);
  const records = carried.map((k) => applyChanges(loadValid(k.base), k.change));
  const dir = mkdtempSync(join(tmpdir(), 'smas-kinds-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [i, record] of records.entries()) {
    const xml = renderSmasBatch([record]);
    writeFileSync(join(dir, `${i}.xml`), xml);
    t.doesNotThrow(() => execFileSync('xmllint', ['--noout', '--schema', join(SPEC, 'smas-batch.xsd'), join(dir, `${i}.xml`)], { stdio: ['ignore', 'pipe', 'pipe'] }), `${carried[i]!.kind}: valid against smas-batch.xsd`);
    const back = await run(xml);
    t.same(back.problems, [], `${carried[i]!.kind}: no problems`);
    t.same(back.records, [record], `${carried[i]!.kind}: the same record back`);
  }
});

t.test('the record form (profile v2) in SMAS RecordForm: rendered, valid against the XSD, mapped back to the same v2 records', async (t) => {
  const forms: { name: string; record: CanonicalRecord }[] = JSON.parse(readFileSync(join(FIXTURES, 'records', 'form-records.json'), 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'smas-forms-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const { name, record } of forms) {
    const xml = renderSmasBatch([record]);
    t.match(xml, /<RecordForm>/);
    writeFileSync(join(dir, `${name}.xml`), xml);
    t.doesNotThrow(() => execFileSync('xmllint', ['--noout', '--schema', join(SPEC, 'smas-batch.xsd'), join(dir, `${name}.xml`)], { stdio: ['ignore', 'pipe', 'pipe'] }), `${name}: valid against smas-batch.xsd`);
    const back = await run(xml);
    t.same(back.problems, [], `${name}: no problems`);
    t.same(back.records, [record], `${name}: the same record back, form and all`);
  }
});
