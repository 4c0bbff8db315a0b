import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import t from 'tap';
import { recordFromXml } from '../src/canonical/from-xml.js';
import type { CanonicalRecord } from '../src/canonical/record.js';
import { recordToXml } from '../src/canonical/xml.js';
import { loadSettings } from '../src/config/settings.js';
import { validationContextFrom } from '../src/config/validation-context.js';
import { demoPkiPaths } from '../src/pki/demo.js';
import { checkSignedRecord } from '../src/record-signatures/check-record.js';
import { DemoSigners, sampleRecords, signedDocument } from '../src/record-signatures/demo-documents.js';
import type { SignerRole } from '../src/record-signatures/format.js';
import type { SignaturePolicy } from '../src/record-signatures/policy.js';
import { signRecordDocument, withRecordId, type RecordSigner } from '../src/record-signatures/sign-record.js';
import { TrustStore } from '../src/record-signatures/trust-store.js';
import { verifySignedDocument } from '../src/record-signatures/verify-document.js';
import { excC14n } from '../src/signing/exc-c14n.js';
import { DSIG_NS } from '../src/signing/signature-format.js';
import { api, startTestGateway } from './helpers/gateway.js';
import { makeRecordPki } from './helpers/record-pki.js';
import { xmlsecSkip, xmlsecVerify } from './helpers/xmlsec.js';

// Hostile signed học bạ (issue 14): documents whose signatures hold but whose XML the Ministry
// (libxml2) would refuse, or that carry what the profile does not, or that are built to exhaust
// the gateway. Each is signed over exactly what the gateway would canonicalise, so that only the
// new checks stand between it and the outbox; xmllint and xmlsec1 give the independent verdict.

const NS = 'urn:moet:hocba:record:v1';
const w = await makeRecordPki(t);
const caPem = await readFile(w.pki.caCert, 'utf8');
const trust = await TrustStore.create({ anchors: [caPem], intermediates: [], crls: [w.crl] });
const record = w.records[0];
const ALL: SignerRole[] = ['teacher', 'principal', 'seal'];
const policy: SignaturePolicy = { required: ALL, whenIncomplete: 'hold', matchSignerNames: true, maxClockSkewMs: 300_000 };
const settings = loadSettings({});
const ctx = validationContextFrom(settings);

const run = (cmd: string, args: string[]) =>
  new Promise<{ code: number; output: string }>((resolve) => execFile(cmd, args, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr })));

async function signersFor(r: CanonicalRecord): Promise<RecordSigner[]> {
  const at = new Date();
  return Promise.all(
    ALL.map(async (role) => {
      const s = await w.signers.get(role, role === 'teacher' ? r.homeroomTeacher : role === 'principal' ? r.principal : r.school.name, r.school.schoolId);
      return { role, key: s.key, certificates: [s.certificate], signingTime: at };
    }),
  );
}

/**
 * A document whose signatures cover `hocba` (a `<hocba xmlns=… Id="HB-1">` element, written as
 * is) exactly as the gateway's DOM and c14n read it, with an optional prolog: so the signatures
 * hold for the gateway and whatever it refuses, it refuses for the XML, not the signature.
 */
async function signRaw(hocba: string, prolog = '', covered?: string, r: CanonicalRecord = record): Promise<string> {
  covered ??= excC14n(new DOMParser({ onError: () => undefined }).parseFromString(hocba, 'text/xml').documentElement as unknown as Element);
  return prolog + signRecordDocument(hocba, 'HB-1', await signersFor(r), covered);
}

const canonical = withRecordId(recordToXml(record), 'HB-1');
const good = await signRaw(canonical);
const verdict = (xml: string) => {
  const v = verifySignedDocument(xml, trust);
  return v.ok ? { ok: true, codes: v.signatures.map((s) => s.code ?? 'valid') } : { ok: false, code: v.code, detail: v.detail, path: (v as { path?: string }).path };
};
const xmlsecArgs = ['--id-attr:Id', `${NS}:hocba`, '--id-attr:Id', `${DSIG_NS}:Signature`, '--node-id', 'sig-gvcn'];

async function xmllint(xml: string): Promise<{ refused: boolean; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'hocba-xmllint-'));
  try {
    await writeFile(join(dir, 'doc.xml'), xml);
    const r = await run('xmllint', ['--noout', join(dir, 'doc.xml')]);
    // xmllint reports namespace and ID errors without failing; any error counts as a refusal.
    return { refused: r.code !== 0 || /error/.test(r.output), output: r.output };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

t.test('the control: the same construction, without a defect, is accepted by all three', async (t) => {
  t.same(verdict(good), { ok: true, codes: ['valid', 'valid', 'valid'] });
  t.match(checkSignedRecord(good, trust, policy, ctx), { status: 'queued' });
  if (xmlsecSkip === false) {
    t.notOk((await xmllint(good)).refused, 'xmllint');
    const r = await xmlsecVerify(good, w.pki.caCert, xmlsecArgs);
    t.ok(r.ok, `xmlsec1: ${r.output}`);
  }
});

t.test('not well-formed, or not in the encoding it says: refused, as libxml2 refuses it (item 8)', async (t) => {
  const name = record.student.fullName;
  const inName = (s: string) => canonical.replace(`<fullName>${name}</fullName>`, `<fullName>${s}</fullName>`);
  // independent: what xmllint and xmlsec1 make of it. 'refuse': both refuse (xmlsec1 reporting
  // a parser error counts); 'xmlsec1': xmlsec1 refuses, xmllint reads well-formed XML; 'none':
  // the gateway is stricter than libxml2 by the profile's choice, or the case has no UTF-8 bytes.
  const cases: { what: string; doc: string; detail: RegExp; independent: 'refuse' | 'xmlsec1' | 'none' }[] = [
    { what: 'a character reference to U+0001', doc: await signRaw(inName(`${name}&#1;`)), detail: /U\+0001/, independent: 'refuse' },
    { what: 'a character reference to U+001F in hex', doc: await signRaw(inName(`${name}&#x1f;`)), detail: /U\+001F/, independent: 'refuse' },
    { what: 'a raw U+0001', doc: await signRaw(inName(`${name}\u0001`)), detail: /U\+0001/, independent: 'refuse' },
    // Only a JSON body can carry one ("\ud800"); UTF-8 bytes cannot, so libxml2 never sees it.
    { what: 'a lone surrogate', doc: await signRaw(inName(`${name}\uD800`)), detail: /U\+D800/, independent: 'none' },
    { what: '"]]>" in text', doc: await signRaw(inName(`${name} ]]> x`)), detail: /\]\]>/, independent: 'refuse' },
    { what: 'an undefined entity', doc: await signRaw(inName(`${name}&nbsp;`)), detail: /entity/, independent: 'refuse' },
    // c14n drops comments: the signatures cover the record without it.
    { what: '"--" in a comment', doc: await signRaw(inName(`${name}<!-- a -- b -->`), '', canonical), detail: /--/, independent: 'refuse' },
    {
      what: 'ISO-8859-1 declared over UTF-8',
      doc: await signRaw(canonical, '<?xml version="1.0" encoding="ISO-8859-1"?>'),
      detail: /encoding ISO-8859-1/,
      independent: 'xmlsec1', // well-formed Latin-1 to libxml2; xmlsec1 then digests other characters
    },
    // libxml2 reads XML 1.1 as 1.0; the profile (and the Ministry's parser settings) is XML 1.0.
    { what: 'XML 1.1', doc: await signRaw(canonical, '<?xml version="1.1"?>'), detail: /1\.0/, independent: 'none' },
    {
      what: 'a duplicate xml:id',
      doc: await signRaw(canonical.replace('<student>', '<student xml:id="s">').replace('<school>', '<school xml:id="s">')),
      detail: /xml:id/,
      independent: 'refuse',
    },
  ];
  for (const c of cases) {
    const v = verdict(c.doc);
    t.match(v, { ok: false, code: 'SIGNED_RECORD_MALFORMED', detail: c.detail }, `the gateway refuses ${c.what}`);
    if (xmlsecSkip !== false) continue;
    if (c.independent === 'none') continue;
    if (c.independent === 'refuse') t.ok((await xmllint(c.doc)).refused, `xmllint refuses ${c.what}`);
    const x = await xmlsecVerify(c.doc, w.pki.caCert, xmlsecArgs);
    // libxml2 reports a duplicate xml:id as an error and xmlsec1 goes on: the error is its verdict on the XML.
    t.ok(!x.ok || /error/.test(x.output), `xmlsec1 refuses ${c.what}: ${x.output.split('\n')[0]}`);
  }
  // A DTD, even one that defines nothing: the profile allows none (xmlsec1 would expand its entities).
  const dtd = await signRaw(canonical, '<!DOCTYPE signedHocba>');
  t.match(verdict(dtd), { ok: false, code: 'SIGNED_RECORD_MALFORMED', detail: /DTD/ });
  const entities = `<!DOCTYPE signedHocba [<!ENTITY big "${'x'.repeat(100)}">]>` + good.replace(name, `${name}&big;`);
  t.match(verdict(entities), { ok: false, code: 'SIGNED_RECORD_MALFORMED', detail: /DTD/ });
});

t.test('attributes the profile does not have are refused, naming the attribute (item 1a)', async (t) => {
  const cases: { what: string; hocba: string; path: RegExp }[] = [
    // The packet's own SignatureProperties Id: the Ministry would refuse the whole packet (DUPLICATE_ID).
    { what: "an Id equal to the packet signature's", hocba: canonical.replace('<student>', '<student Id="pkt-sig-props">'), path: /\/hocba\/student\/@Id$/ },
    { what: 'any attribute on a field', hocba: canonical.replace('<fullName>', '<fullName note="x">'), path: /\/hocba\/student\/fullName\/@note$/ },
    { what: 'a character reference to a control character in an attribute', hocba: canonical.replace('Id="HB-1"', 'Id="HB-1" x="&#1;"'), path: /\/hocba\/@x$/ },
    { what: 'xml:lang', hocba: canonical.replace('<fullName>', '<fullName xml:lang="vi">'), path: /\/hocba\/student\/fullName\/@xml:lang$/ },
    { what: 'a namespaced attribute on the record', hocba: canonical.replace('Id="HB-1"', 'Id="HB-1" xmlns:x="urn:x" x:y="1"'), path: /\/hocba\/@x:y$/ },
  ];
  for (const c of cases) {
    const doc = await signRaw(c.hocba);
    t.match(verdict(doc), { ok: false, code: 'SIGNED_RECORD_MALFORMED' }, c.what);
    const o = checkSignedRecord(doc, trust, policy, ctx);
    t.match(o, { status: 'rejected', errors: [{ code: 'SIGNED_RECORD_MALFORMED', path: c.path }] }, `${c.what}: rejected with the attribute's path`);
  }
  // On the signatures, the attributes XMLDSig defines stay accepted; others do not.
  t.same(verdict(good.replace('<ds:KeyInfo>', '<ds:KeyInfo Id="ki">')), { ok: true, codes: ['valid', 'valid', 'valid'] }, 'an Id on KeyInfo (XMLDSig allows it)');
  t.match(verdict(good.replace('<ds:KeyInfo>', '<ds:KeyInfo foo="1">')), { ok: false, code: 'SIGNED_RECORD_MALFORMED', path: /Signature\[1\]\/ds:KeyInfo\/@foo$/ });
  // Namespace declarations stay allowed where they are redundant or unused: c14n drops them.
  const redundant = await signRaw(canonical.replace('<student>', `<student xmlns="${NS}" xmlns:unused="urn:x">`));
  t.same(verdict(redundant), { ok: true, codes: ['valid', 'valid', 'valid'] }, 'namespace declarations');
  t.match(verdict(await signRaw(canonical.replace('<student>', '<student xmlns:p="">'))), { ok: false, code: 'SIGNED_RECORD_MALFORMED' }, 'an empty prefixed namespace (XML Namespaces 1.0 forbids it)');
});

t.test('elements named __proto__, constructor, prototype are unknown fields, not prototypes (item 4)', async (t) => {
  const el = new DOMParser().parseFromString(canonical.replace('<student>', '<student><__proto__><extra>1</extra></__proto__>'), 'text/xml').documentElement as unknown as Element;
  const read = recordFromXml(el) as Record<string, Record<string, unknown>>;
  t.ok(Object.hasOwn(read.student, '__proto__'), '__proto__ is an own field');
  t.equal((read.student as { extra?: unknown }).extra, undefined, 'nothing is inherited from it');
  t.equal(Object.getPrototypeOf(read.student), null, 'objects read from XML have no prototype');
  for (const name of ['__proto__', 'constructor', 'prototype']) {
    // Inside the student, carrying a field the schema requires elsewhere; and at the top level.
    for (const [where, hocba] of [
      ['student', canonical.replace('<student>', `<student><${name}><fullName>X</fullName></${name}>`)],
      ['record', canonical.replace('<version>', `<${name}><grade>5</grade></${name}><version>`)],
    ] as const) {
      const o = checkSignedRecord(await signRaw(hocba), trust, policy, ctx);
      t.equal(o.status, 'rejected', `${name} in the ${where}`);
      t.ok(
        o.errors.some((e) => e.code === 'SCHEMA_UNKNOWN_FIELD'),
        `${name} in the ${where}: an unknown field (${o.errors.map((e) => `${e.code} ${e.path}`).join(', ')})`,
      );
    }
  }
});

t.test('size, element count and depth are bounded before a tree is built (items 6, 7)', async (t) => {
  const head = `<signedHocba xmlns="${NS}"><hocba Id="HB-1">`;
  const tail = '</hocba></signedHocba>';
  // 1.5 million tiny elements (6 MB): refused by count, and the tree is never built.
  const many = head + '<a/>'.repeat(1_500_000) + tail;
  global.gc?.();
  const before = process.memoryUsage().rss;
  const v = verifySignedDocument(many, trust, { limits: { maxDocumentBytes: 64 * 1024 * 1024 } });
  const grown = process.memoryUsage().rss - before;
  t.match(v, { ok: false, code: 'DOCUMENT_LIMIT_EXCEEDED', detail: /elements/ });
  t.ok(grown < 200 * 1024 * 1024, `memory grew by ${Math.round(grown / 1024 / 1024)} MB`);
  // With the default limits the same document is refused for its size alone.
  t.match(verifySignedDocument(many, trust), { ok: false, code: 'DOCUMENT_TOO_LARGE' });
  // 100,000 levels: refused by depth, not a stack overflow.
  const deep = head + '<a>'.repeat(100_000) + '</a>'.repeat(100_000) + tail;
  t.match(verifySignedDocument(deep, trust), { ok: false, code: 'DOCUMENT_LIMIT_EXCEEDED', detail: /deep/ });
  t.match(checkSignedRecord(deep, trust, policy, ctx), { status: 'rejected', errors: [{ code: 'DOCUMENT_LIMIT_EXCEEDED' }] });
  // Attributes.
  const attrs = head.replace('Id="HB-1"', `Id="HB-1" ${Array.from({ length: 5000 }, (_, i) => `a${i}="1"`).join(' ')}`) + tail;
  t.match(verifySignedDocument(attrs, trust), { ok: false, code: 'DOCUMENT_LIMIT_EXCEEDED', detail: /attributes/ });
});

t.test('over HTTP: a document too large is 413, one too deep 422, nothing answers 500', async (t) => {
  // Verified in the request's thread: worker threads would compile the TypeScript sources again
  // (40 s on a loaded machine); the limits reach them the same way (verify-pool.ts).
  const gw = await startTestGateway(t, { signedRecords: { verifyWorkers: 0 } });
  const good = await signedDocument(new DemoSigners(demoPkiPaths(join(gw.dir, 'pki'))), sampleRecords(1, 11)[0]);
  const xml = { 'content-type': 'application/xml' };
  const head = `<signedHocba xmlns="${NS}"><hocba Id="HB-1">`;
  const tail = '</hocba></signedHocba>';
  const big = head + '<a/>'.repeat(2_400_000) + tail; // 9.6 MB, under the request body limit
  const r1 = await api(gw, 'POST', '/v1/signed-records', { token: gw.vendorKey, raw: big, headers: xml });
  t.equal(r1.status, 413, r1.text.slice(0, 300));
  t.equal(r1.json?.code, 'DOCUMENT_TOO_LARGE');
  const deep = head + '<a>'.repeat(100_000) + '</a>'.repeat(100_000) + tail;
  const r2 = await api(gw, 'POST', '/v1/signed-records', { token: gw.vendorKey, raw: deep, headers: xml });
  t.equal(r2.status, 422, r2.text.slice(0, 300));
  t.equal(r2.json?.code, 'DOCUMENT_LIMIT_EXCEEDED');
  const r3 = await api(gw, 'POST', '/v1/signed-records', { token: gw.vendorKey, body: { documents: [good, deep] } });
  t.equal(r3.status, 202, 'a batch: the deep one is refused on its own');
  t.match(r3.json, { records: [{ status: 'queued' }, { status: 'rejected', errors: [{ code: 'DOCUMENT_LIMIT_EXCEEDED' }] }] });
  const overLimit = head + '<a/>'.repeat(270_000) + tail; // just over 1 MiB
  const r4 = await api(gw, 'POST', '/v1/signed-records', { token: gw.vendorKey, body: { documents: [good, overLimit] } });
  t.equal(r4.status, 413, 'one document too large refuses the request');
  t.match(r4.json, { code: 'DOCUMENT_TOO_LARGE', detail: /^Document 1 has/ });
});

t.test('c14n orders attributes by code point, as xmllint does (item 9)', async (t) => {
  // U+FF21 sorts before U+1D49C by code point, after it by UTF-16 code unit.
  const docs = [
    '<a xmlns="urn:x" \u{1D49C}="1" \uFF21="2"></a>',
    '<a xmlns:p="urn:x" xmlns:q="urn:y" p:\u{1D49C}="1" q:\uFF21="2" p:\uFF21="3"></a>',
    // Namespace declarations are ordered by prefix, by code point too.
    '<a xmlns:\u{1D49C}="urn:x" xmlns:\uFF21="urn:y" \u{1D49C}:b="1" \uFF21:b="2"></a>',
    '<\u{1D49C}:a xmlns:\u{1D49C}="urn:x" xmlns:\uFF21="urn:y" xmlns:\uFF22="urn:z" \uFF21:b="1" \uFF22:b="2"></\u{1D49C}:a>',
  ];
  const dir = await mkdtemp(join(tmpdir(), 'hocba-c14n-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const [i, xml] of docs.entries()) {
    const file = join(dir, `${i}.xml`);
    await writeFile(file, xml);
    const ref = await run('xmllint', ['--exc-c14n', file]);
    t.equal(ref.code, 0, ref.output);
    const ours = excC14n(new DOMParser().parseFromString(xml, 'text/xml').documentElement as unknown as Element);
    t.equal(ours, ref.output, xml);
  }
});
