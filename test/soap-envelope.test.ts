import t from 'tap';
import { smasAdapter, sampleSmasEnvelope } from '../src/adapters/smas/index.js';
import { readEnvelope, readEnvelopeHead } from '../src/adapters/soap-envelope.js';
import { standaloneElement, XmlTreeError, type XNode } from '../src/adapters/xml-tree.js';
import { runBatchIntake } from '../src/pipeline/batch-intake.js';
import { contextWith } from './helpers/records.js';

// The two readings of a vendor's SOAP envelope: its head on the event loop (up to the batch's
// start tag, no further) and the whole of it with its batch in an intake thread, in one pass.

const service = smasAdapter.soap!;
const ctx = contextWith();
const format = smasAdapter.formats[0]!;

t.test('the head ends at the batch element\'s start tag: nothing after it is read', async (t) => {
  const envelope = sampleSmasEnvelope(2, 71, { schoolId: '01004002', idempotencyKey: 'head-1' }).replace('<soap:Body>', '<soap:Header><t:Trace xmlns:t="urn:t">1</t:Trace></soap:Header><soap:Body>');
  const start = envelope.indexOf('<SchoolBatch');
  // Whatever follows the start tag, even text that is not XML, is the intake's to read.
  const head = readEnvelopeHead(envelope.slice(0, envelope.indexOf('>', start) + 1) + '&not xml <<<', service);
  t.equal(head.batchFollows, true);
  t.same([head.root?.name, head.operation?.name, head.operation?.ns], ['Envelope', 'SubmitBatch', service.namespace]);
  t.equal(head.header?.children[0]?.name, 'Trace');
  t.equal(head.op, undefined, 'the operation is not complete in a head');
  // What comes before the batch is read and judged.
  t.throws(() => readEnvelopeHead(envelope.replace('<soap:Header>', '<soap:Header>&bogus;'), service), XmlTreeError);
  // Without a batch element the head is the whole envelope.
  const without = readEnvelopeHead(envelope.slice(0, start) + '</SubmitBatch></soap:Body></soap:Envelope>', service);
  t.equal(without.batchFollows, false);
  t.equal(without.op?.children.find((c) => c.name === 'IdempotencyKey')?.text, 'head-1');
});

t.test('the head read from bytes: decoded a piece at a time, characters split across pieces kept whole', async (t) => {
  // A header of Vietnamese text long enough to cross several 16 KB pieces at every byte offset of its characters.
  const note = 'Sở Giáo dục và Đào tạo Hà Nội — học bạ số '.repeat(2000);
  const envelope = sampleSmasEnvelope(1, 74, { schoolId: '01004002' }).replace('<soap:Body>', `<soap:Header><t:Note xmlns:t="urn:t">${note}</t:Note></soap:Header><soap:Body>`);
  const fromText = readEnvelopeHead(envelope, service);
  const fromBytes = readEnvelopeHead(Buffer.from(envelope), service);
  t.ok(Buffer.byteLength(envelope.slice(0, envelope.indexOf('<SchoolBatch'))) > 3 * 16 * 1024, 'the head spans pieces');
  t.equal(fromBytes.header?.children[0]?.text, note);
  t.same(fromBytes, fromText);
  const noBatch = Buffer.from(envelope.slice(0, envelope.indexOf('<SchoolBatch')) + '</SubmitBatch></soap:Body></soap:Envelope>');
  t.equal(readEnvelopeHead(noBatch, service).op?.name, 'SubmitBatch', 'read to the end when there is no batch');
  t.throws(() => readEnvelopeHead(Buffer.from(envelope.slice(0, 1000)), service), XmlTreeError, 'a truncated head');
});

t.test('read whole: the batch read where it lies gives the pupils of the batch read alone, and the same fingerprint', async (t) => {
  const envelope = sampleSmasEnvelope(4, 72, { schoolId: '01004002', idempotencyKey: 'whole-1' });
  const pupils: XNode[] = [];
  const read = readEnvelope(envelope, service, format.xmlBatch!((item) => pupils.push(item as XNode)));
  t.equal(read.batches, 1);
  t.same(read.op?.children.map((c) => c.name), ['IdempotencyKey', 'DryRun'], 'the batch is not in the operation\'s tree');
  const alone = standaloneElement(envelope, read.batchSpan!);
  // The same trees; their lines are the envelope's (where the vendor's text has them), six more here.
  const shifted = (n: XNode, by: number): XNode => ({ ...n, line: n.line + by, children: n.children.map((c) => shifted(c, by)) });
  const offset = envelope.slice(0, envelope.indexOf('<SchoolBatch')).split('\n').length - 1;
  t.equal(offset, 6);
  t.same(pupils, ((await format.read(alone)).items as XNode[]).map((p) => shifted(p, offset)));

  const viaEnvelope = await runBatchIntake({ vendor: 'smas', envelope: Buffer.from(envelope) }, ctx, 1000);
  const viaText = await runBatchIntake({ vendor: 'smas', mediaType: service.batchMediaType, body: alone }, ctx, 1000);
  if (viaEnvelope.kind !== 'envelope' || viaEnvelope.batch?.kind !== 'ok' || viaText.kind !== 'ok') return t.fail(`${viaEnvelope.kind} ${viaText.kind}`);
  // The IdempotencyKey fingerprint of the batch passed on as text, as stored before this reading.
  t.equal(viaEnvelope.batch.requestHash, viaText.requestHash);
  t.same(viaEnvelope.batch.result.records.map((r) => r.contentHash), viaText.result.records.map((r) => r.contentHash));
  t.equal(viaEnvelope.batch.result.records.length, 4);
});

t.test('read whole: a batch format error is kept and the envelope read on; bounds and well-formedness throw', async (t) => {
  const envelope = sampleSmasEnvelope(2, 73, { schoolId: '01004002' });
  const noYear = envelope.replace(/<AcademicYear>[^<]*<\/AcademicYear>/, '');
  let seen = 0;
  const read = readEnvelope(noYear.replace('</SubmitBatch>', '<Note>after</Note></SubmitBatch>'), service, format.xmlBatch!(() => (seen += 1)));
  t.same(read.formatError?.errors.map((e) => e.path), ['/AcademicYear']);
  t.equal(seen, 0, 'no pupil of a batch without its school year');
  t.same(read.op?.children.map((c) => c.name), ['IdempotencyKey', 'DryRun', 'Note'], 'the rest of the envelope was read');
  t.throws(() => readEnvelope(noYear.replace('</soap:Body>', '<oops></soap:Body>'), service, format.xmlBatch!(() => {})), XmlTreeError);
  // The batch's own bounds hold inside the envelope: one pupil of more than 5,000 elements.
  const huge = envelope.replace('<PupilCode>', `${'<x/>'.repeat(5001)}<PupilCode>`);
  t.throws(() => readEnvelope(huge, service, format.xmlBatch!(() => {})), XmlTreeError);
  const outcome = await runBatchIntake({ vendor: 'smas', envelope: huge }, ctx, 1000);
  t.equal(outcome.kind, 'envelope-malformed');
});
