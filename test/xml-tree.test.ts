import t from 'tap';
import { parseXmlTree, standaloneElement, TreeParser, XmlTreeError, type RawSpan } from '../src/adapters/xml-tree.js';

// The tree reader's handling of attributes and namespaces: it reads saxes's attribute and
// namespace maps only for start tags that have attributes (counted as saxes reports them), so
// these check both kinds of tag side by side.

const LIMITS = { maxDepth: 16, maxElements: 1000, maxChars: 10_000 };
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

t.test('attributes are kept (never namespace declarations), xsi:nil is read, tags without attributes have none', async (t) => {
  const root = parseXmlTree(`<r xmlns="urn:r" xmlns:xsi="${XSI}" id="1"><a>x</a><b xsi:nil="true"/><c xmlns:p="urn:p" p:k="v" k="w"/><d xsi:nil="false"/></r>`, LIMITS);
  t.same(root.attrs, [{ name: 'id', ns: '', value: '1' }]);
  const [a, b, c, d] = root.children;
  t.equal(a!.attrs, undefined);
  t.equal(a!.ns, 'urn:r', 'the default namespace inherited');
  t.equal(b!.nil, true);
  t.same(c!.attrs, [{ name: 'k', ns: 'urn:p', value: 'v' }, { name: 'k', ns: '', value: 'w' }]);
  t.equal(d!.nil, undefined);
  t.throws(() => parseXmlTree(`<r>${'<e/>'.repeat(2)}<f ${Array.from({ length: 65 }, (_, i) => `a${i}="1"`).join(' ')}/></r>`, LIMITS), XmlTreeError);
});

t.test('a raw element carries the bindings in effect where it stands, and stands alone with them', async (t) => {
  const text = '<s:E xmlns:s="urn:s"><s:B><Op xmlns="urn:op"><Batch xmlns:q="urn:q" q:a="1"><q:x>1</q:x><y/></Batch><Plain><z/></Plain></Op></s:B></s:E>';
  const spans: RawSpan[] = [];
  const p = new TreeParser(LIMITS, { capture: () => false, onTree: () => {}, raw: (path) => path.length === 4, onRaw: (s) => spans.push(s) });
  p.write(text);
  p.close();
  t.same(spans.map((s) => [s.qname, s.declared, { ...s.ns }]), [
    ['Batch', ['q'], { s: 'urn:s', '': 'urn:op', q: 'urn:q' }],
    ['Plain', [], { s: 'urn:s', '': 'urn:op' }],
  ]);
  const batch = parseXmlTree(standaloneElement(text, spans[0]!), LIMITS);
  t.same([batch.name, batch.ns, batch.children.map((c) => [c.name, c.ns])], ['Batch', 'urn:op', [['x', 'urn:q'], ['y', 'urn:op']]]);
  t.same(batch.attrs, [{ name: 'a', ns: 'urn:q', value: '1' }]);
  t.equal(standaloneElement(text, spans[1]!), '<Plain xmlns:s="urn:s" xmlns="urn:op"><z/></Plain>');
});
