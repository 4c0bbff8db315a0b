import { createRequire } from 'node:module';

// @xmldom/xmldom 0.9 builds a fresh Unicode RegExp (its `grammar.reg`) for every end tag it
// parses and for every name it matches; on a signed học bạ that was a quarter of verification
// time. The expressions depend only on their parts, so they are built once and shared (they
// have no `g` or `y` flag, so sharing carries no lastIndex state). The parser calls
// `grammar.reg` through the module object, so wrapping the export is enough. If a later xmldom
// changes this, the wrapper is simply not used; the tests compare verdicts either way.

interface Grammar {
  reg: (...parts: (RegExp | string)[]) => RegExp;
  __hocbaCached?: boolean;
}

const grammar = createRequire(import.meta.url)('@xmldom/xmldom/lib/grammar.js') as Grammar;

type Node = Map<RegExp | string, Node> & { re?: RegExp };

if (typeof grammar.reg === 'function' && !grammar.__hocbaCached) {
  const original = grammar.reg;
  // Keyed by the identity of the parts (the grammar's own constant RegExps and short strings), as
  // a trie: building a string key from the long Unicode sources cost as much as the RegExp.
  const root: Node = new Map();
  let size = 0;
  grammar.reg = function cachedReg(this: unknown, ...parts: (RegExp | string)[]): RegExp {
    let node = root;
    for (const p of parts) {
      let next = node.get(p);
      if (!next) {
        next = new Map() as Node;
        if (size < 1000) node.set(p, next);
      }
      node = next;
    }
    if (!node.re) {
      node.re = original.apply(this, parts);
      size += 1;
    }
    return node.re;
  };
  grammar.__hocbaCached = true;
}
