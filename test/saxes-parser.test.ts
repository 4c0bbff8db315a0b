import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { SaxesParserWithHandlers } from '../src/adapters/saxes-parser.js';
import { parseXmlTree } from '../src/adapters/xml-tree.js';
import { ensureBuilt } from './helpers/processes.js';

// saxes adds a property to the parser for each handler given to on(); with TreeParser's seven
// (and the simulator's nine) V8 turned the parser into a dictionary-mode object and saxes read at
// a fifth of its speed (src/adapters/saxes-parser.ts). Checked here from V8 itself, in a child
// process that may use its natives syntax: the parser keeps fast properties with every handler set.

ensureBuilt();
const MODULE = fileURLToPath(new URL('../dist/adapters/saxes-parser.js', import.meta.url));

t.test('a parser given every handler saxes has keeps fast (in-object) properties', async (t) => {
  const events = ['xmldecl', 'text', 'processinginstruction', 'doctype', 'comment', 'opentagstart', 'attribute', 'opentag', 'closetag', 'cdata', 'error', 'end', 'ready'];
  const script = `
    const { SaxesParserWithHandlers } = await import(${JSON.stringify(MODULE)});
    const p = new SaxesParserWithHandlers({ xmlns: true, position: true });
    for (const name of ${JSON.stringify(events)}) p.on(name, () => {});
    p.write('<a xmlns="urn:x"><b>text</b></a>').close();
    console.log(JSON.stringify({ fast: %HasFastProperties(p) }));`;
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8' });
  t.same(JSON.parse(out), { fast: true });
});

t.test('the parser reads as saxes does: events, namespaces, positions and errors', async (t) => {
  const p = new SaxesParserWithHandlers({ xmlns: true, position: true });
  const seen: string[] = [];
  p.on('opentag', (tag) => seen.push(`open ${tag.local} ${tag.uri}`));
  p.on('text', (text) => seen.push(`text ${text}`));
  p.on('closetag', (tag) => seen.push(`close ${tag.name}`));
  p.write('<r xmlns="urn:r"><x:a xmlns:x="urn:x">1 &amp; 2</x:a></r>').close();
  t.same(seen, ['open r urn:r', 'open a urn:x', 'text 1 & 2', 'close x:a', 'close r']);
  t.equal(p.line, 1);
  const bad = new SaxesParserWithHandlers({ xmlns: true, position: true });
  bad.on('error', (e) => {
    throw e;
  });
  t.throws(() => bad.write('<a><b></a>').close(), /unexpected close tag|mismatched/i, 'not well-formed: the error handler is called');
  t.equal(parseXmlTree('<a><b>x</b></a>', { maxDepth: 8, maxElements: 10, maxChars: 100 }).children[0]!.text, 'x', 'TreeParser reads through it');
});
