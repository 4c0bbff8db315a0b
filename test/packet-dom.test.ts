import t from 'tap';
import { recordFromXml } from '../src/canonical/from-xml.js';
import { recordToXml } from '../src/canonical/xml.js';
import { sampleRecords } from '../src/record-signatures/demo-documents.js';
import { parseForVerification } from '../src/signing/enveloped-verifier.js';
import { excC14n } from '../src/signing/exc-c14n.js';
import { MalformedXml, parsePacketXml } from '../src/simulator/packet-dom.js';

// The simulator reads packets with saxes into a small tree (packet-dom.ts) instead of xmldom's
// DOM. Differential tests: on the same documents both must give the same exclusive c14n (what
// signatures and content hashes are computed on), the same record, and the same refusals.

const viaXmldom = (xml: string): Document => {
  const doc = parseForVerification(xml);
  if ('error' in doc) throw new Error(doc.error);
  return doc;
};
const viaPacketDom = (xml: string): Document => parsePacketXml(xml) as unknown as Document;

const tricky: [string, string][] = [
  ['attribute whitespace: literal tab, newline and CR are normalised, references are not', '<a x="1\t2\n3\r4\r\n5" y="&#9;&#10;&#13;&#x20;"/>'],
  ['markup characters in text and attributes', '<a q="&lt;&amp;&gt;&quot;&apos;">&lt;&amp;&gt;"\' ]]&gt; &#x1F600;</a>'],
  ['CR and CRLF in text become LF; NEL and LINE SEPARATOR stay', '<a>1\r2\r\n3\u0085 4\u2028 5</a>'],
  ['CDATA sections', '<a>x<![CDATA[<b>&amp;</b> ]] >]]>y</a>'],
  ['default namespace undeclared below a declared one', '<a xmlns="urn:a"><b xmlns=""><c/></b><d/></a>'],
  ['prefixes: used, unused, redeclared, on attributes', '<p:a xmlns:p="urn:p" xmlns:q="urn:q" xmlns:r="urn:r" q:at="1" b="2"><p:b xmlns:p="urn:p2"/><c r:x="y"/></p:a>'],
  ['xml:lang and attribute order', '<a z="1" xml:lang="vi" a="2" xmlns:n="urn:n" n:b="3" n:a="4"/>'],
  ['XML declaration and whitespace around the root', '<?xml version="1.0" encoding="UTF-8"?>\n<a>  <b>t</b>\n</a>\n'],
  ['Vietnamese text and combining marks', '<a t="Nguyễn Văn A">Đặng Thị Hồng a\u0301</a>'],
];

t.test('the same exclusive c14n as through xmldom', async (t) => {
  for (const [name, xml] of tricky) {
    t.equal(excC14n(viaPacketDom(xml).documentElement!), excC14n(viaXmldom(xml).documentElement!), name);
  }
});

t.test('the same record read back, and the same canonical text, for sample records', async (t) => {
  for (const r of sampleRecords(12, 3)) {
    const xml = recordToXml(r);
    const a = viaPacketDom(xml).documentElement!;
    const b = viaXmldom(xml).documentElement!;
    t.same(recordFromXml(a), recordFromXml(b));
    t.equal(excC14n(a), xml, 'the record as the gateway wrote it');
  }
});

t.test('what xmldom keeps as nodes a signature must not cover is kept here too', async (t) => {
  const doc = viaPacketDom('<!DOCTYPE a><a><!-- c --><?pi x?><b>t</b></a>');
  t.equal(doc.firstChild!.nodeType, 10, 'the DOCTYPE');
  const kinds = [];
  for (let n = doc.documentElement!.firstChild; n; n = n.nextSibling) kinds.push(n.nodeType);
  t.same(kinds, [8, 7, 1], 'comment, processing instruction, element');
  t.equal((doc.documentElement!.firstChild!.nextSibling as ProcessingInstruction).target, 'pi');
});

t.test('removeChild detaches a node and keeps the sibling links', async (t) => {
  const doc = viaPacketDom('<a><b/><c/><d/></a>');
  const root = doc.documentElement!;
  const c = root.firstChild!.nextSibling!;
  root.removeChild(c);
  t.equal(excC14n(root), '<a><b></b><d></d></a>');
  t.equal(root.firstChild!.nextSibling!.nextSibling, null);
  t.equal(c.parentNode, null);
  t.throws(() => root.removeChild(c), 'no longer a child');
});

t.test('what is not well-formed is refused, as xmldom refuses it', async (t) => {
  const bad = [
    ['unclosed element', '<a><b></a>'],
    ['two roots', '<a/><b/>'],
    ['text after the root', '<a/>x'],
    ['an unbound prefix', '<p:a/>'],
    ['an undefined entity', '<a>&nbsp;</a>'],
    ['a duplicate attribute', '<a x="1" x="2"/>'],
    ['no root at all', '   '],
    ['not XML', '{"packet": 1}'],
  ];
  for (const [name, xml] of bad) {
    const err = (() => {
      try {
        parsePacketXml(xml!);
      } catch (e) {
        return e;
      }
    })();
    t.ok(err instanceof MalformedXml, name);
    t.ok('error' in (parseForVerification(xml!) as object), `${name}: xmldom refuses it too`);
  }
  // Stricter than xmldom, which lets a control character through: XML 1.0 does not allow it
  // (and the gateway refuses it at the door, rule TEXT_INVALID_CHARACTER).
  t.throws(() => parsePacketXml('<a>\u0001</a>'), { name: 'MalformedXml' }, 'a character XML 1.0 does not allow');
  t.notOk('error' in (parseForVerification('<a>\u0001</a>') as object), 'which xmldom accepts');
});
