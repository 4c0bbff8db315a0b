import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DOMParser } from '@xmldom/xmldom';
import t from 'tap';
import { C14nUnsupported } from '../src/signing/exc-c14n.js';
import { inclusiveC14nOfLeaf } from '../src/signing/inclusive-c14n.js';

// Canonical XML 1.0 of a text-only element (what a time-stamp over a ds:SignatureValue hashes
// when XAdES names inclusive c14n or names none), against libxml2's implementation through lxml
// (Debian's python3-lxml, which python3-openpyxl brings): namespaces in scope from the ancestors,
// inherited xml:* attributes, attribute order, escapes.

const run = promisify(execFile);
const LXML = `
import sys
from lxml import etree
doc = etree.fromstring(sys.stdin.buffer.read())
el = doc.xpath('//*[local-name()="SignatureValue"]')[0]
sys.stdout.buffer.write(etree.tostring(el, method='c14n', exclusive=False, with_comments=False))
`;

async function lxml(xml: string): Promise<string> {
  const child = run('/usr/bin/python3', ['-c', LXML], { encoding: 'utf8' });
  child.child.stdin!.end(xml);
  return (await child).stdout;
}

const ours = (xml: string) => {
  const doc = new DOMParser().parseFromString(xml, 'text/xml') as unknown as Document;
  return inclusiveC14nOfLeaf(doc.getElementsByTagNameNS('*', 'SignatureValue')[0] as Element);
};

const DS = 'http://www.w3.org/2000/09/xmldsig#';
const cases: [string, string][] = [
  ['the profile\'s shape', `<signedHocba xmlns="urn:moet:hocba:record:v1"><hocba Id="HB-1"></hocba><ds:Signature xmlns:ds="${DS}" Id="sig-gvcn"><ds:SignedInfo></ds:SignedInfo><ds:SignatureValue>QUJD\nREVG</ds:SignatureValue></ds:Signature></signedHocba>`],
  ['more namespaces, an Id, attributes to sort, escapes', `<r xmlns="urn:a" xmlns:z="urn:z" xmlns:b="urn:b"><ds:Signature xmlns:ds="${DS}"><ds:SignatureValue b:x="1" Id="sv" xml:lang="vi">a&amp;b&#13;c</ds:SignatureValue></ds:Signature></r>`],
  ['a default namespace undone, a prefix redeclared', `<r xmlns="urn:a" xmlns:p="urn:p1"><s xmlns="" xmlns:p="urn:p2"><ds:SignatureValue xmlns:ds="${DS}" xml:lang="en">x</ds:SignatureValue></s></r>`],
  ['no namespace at all, text with > and a quote', `<r><SignatureValue a="q&quot;t&#9;">1 &gt; 0 "</SignatureValue></r>`],
];

for (const [name, xml] of cases) {
  t.test(name, async (t) => {
    t.equal(ours(xml), await lxml(xml));
  });
}

t.test('xml:* attributes of the ancestors are inherited by the apex (C14N 1.0, section 2.4)', async (t) => {
  // lxml's tostring() canonicalises an element as a document of its own and leaves them out;
  // the Recommendation (and Apache Santuario, which XAdES signers use) puts them in.
  const xml = `<r xmlns="urn:a" xml:lang="vi"><s xml:space="preserve" xml:lang="en"><ds:SignatureValue xmlns:ds="${DS}" Id="sv">x</ds:SignatureValue></s></r>`;
  t.equal(ours(xml), `<ds:SignatureValue xmlns="urn:a" xmlns:ds="${DS}" Id="sv" xml:lang="en" xml:space="preserve">x</ds:SignatureValue>`);
});

t.test('an element with element children is refused', async (t) => {
  let thrown: unknown;
  try {
    ours(`<r><ds:SignatureValue xmlns:ds="${DS}">a<b/></ds:SignatureValue></r>`);
  } catch (e) {
    thrown = e;
  }
  t.ok(thrown instanceof C14nUnsupported, String(thrown));
  t.match(String(thrown), /text content only/);
});
