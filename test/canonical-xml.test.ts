import { createHash } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import t from 'tap';
import { ExclusiveCanonicalization } from 'xml-crypto';
import type { CanonicalRecord } from '../src/canonical/record.js';
import { contentHashOf, recordToXml } from '../src/canonical/xml.js';
import { loadValid } from './helpers/records.js';

// recordToXml claims to write exclusive canonical XML directly, so that the content hash is a
// hash of its bytes. Here an independent c14n (xml-crypto's) of the parsed output must give
// back exactly those bytes.

function record(remarks: string, fullName = 'Nguyễn Thị Ánh'): CanonicalRecord {
  const r = loadValid('g04-4');
  r.student.fullName = fullName;
  r.school.name = 'Trường Tiểu học "Kim Liên" & <Đống Đa>';
  r.homeroomTeacher = "Trần Văn Bình's class";
  r.primary!.commendations = [];
  r.primary!.remarks = remarks;
  return r;
}

/**
 * Parses as an XML 1.0 processor does. @xmldom/xmldom 0.9 by default also turns U+0085, U+2028
 * and U+2029 into LF (XML 1.1 line-end rules), which would change record text that XML 1.0 leaves
 * alone; only CRLF and CR are line ends in XML 1.0 (section 2.11).
 */
function c14nOf(xml: string): string {
  const errors: string[] = [];
  const doc = new DOMParser({
    normalizeLineEndings: (s: string) => s.replace(/\r\n?/g, '\n'),
    onError: (level: string, message: string) => void errors.push(`${level}: ${message}`),
  }).parseFromString(xml, 'text/xml');
  if (errors.length) throw new Error(errors.join('; '));
  return new ExclusiveCanonicalization().process(doc.documentElement as unknown as Element, {});
}

const awkward: Array<[string, string]> = [
  ['markup characters', 'a & b < c > d; "double" and \'single\' quotes; ]]> and &amp; literally'],
  ['Vietnamese diacritics', 'Em học tốt, chăm chỉ; cần rèn chữ viết. Ứng xử lễ phép với thầy cô.'],
  ['carriage returns', 'line one\r\nline two\rline three\nline four\r'],
  ['tabs and spaces', '\t leading and trailing \t'],
  ['unicode line separators', 'pasted from Word\u2028next\u0085line\u2029end'],
  ['characters outside the BMP', 'ngôi sao ⭐ 😀 𝕏'],
  ['empty text', ''],
];

for (const [label, remarks] of awkward) {
  t.test(`recordToXml writes exclusive canonical XML: ${label}`, async (t) => {
    const xml = recordToXml(record(remarks));
    const c14n = c14nOf(xml);
    t.equal(c14n, xml, 'c14n of the parsed output is the output itself');
    t.equal(contentHashOf(xml), createHash('sha256').update(c14n, 'utf8').digest('hex'), 'content hash = SHA-256 of the c14n');
  });
}

t.test('the record element is the root, with its namespace declared once', async (t) => {
  const xml = recordToXml(record('x'));
  t.match(xml, /^<hocba xmlns="urn:moet:hocba:record:v1"><recordId>HB-01009876-2024-\d{4}<\/recordId>/);
  t.equal(xml.match(/xmlns=/g)?.length, 1);
  t.match(xml, /<commendations><\/commendations>/, 'an empty array is an empty element, not <a/>');
  t.match(xml, /<remarks>x<\/remarks><\/primary><attendance>/);
  t.match(xml, /<signatures><signature><role>HOMEROOM_TEACHER<\/role><signedAt>[^<]+<\/signedAt><\/signature>/, 'array items are named after the array');
  t.match(xml, /<\/signatures><\/hocba>$/);
});

t.test('NFC and NFD spellings of a name hash differently (c14n does not normalise Unicode)', async (t) => {
  const nfc = recordToXml(record('', 'Nguyễn Thị Ánh'.normalize('NFC')));
  const nfd = recordToXml(record('', 'Nguyễn Thị Ánh'.normalize('NFD')));
  t.equal(c14nOf(nfd), nfd);
  t.not(contentHashOf(nfc), contentHashOf(nfd), 'so the same record from two vendors must be normalised before hashing');
});

// XML 1.0 forbids most C0 controls, U+FFFE/U+FFFF and lone surrogates even as character
// references. xmldom and xml-crypto accept them, but libxml2 (xmlsec1, and any conforming
// Ministry parser) refuses the whole packet as not well-formed.
t.test(
  'recordToXml refuses characters that XML 1.0 does not allow',
  async (t) => {
    for (const bad of ['\u0000', '\u0001', '\u000b', '\u001f', '\ufffe', '\uffff', '\ud800']) {
      t.throws(() => recordToXml(record(`before${bad}after`)), `U+${bad.charCodeAt(0).toString(16).padStart(4, '0')}`);
    }
  },
);
