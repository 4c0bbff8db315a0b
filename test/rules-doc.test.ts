import { readFileSync } from 'node:fs';
import t from 'tap';
import { readRuleFixtures, renderRulesDoc, RULES_DOC_PATH } from '../src/tools/rules-doc.js';
import { RULES } from '../src/validation/rules/registry.js';

// docs/rules.md is generated; CI fails here when a rule, message, setting or fixture changed
// without `npm run docs:rules`.

t.test('docs/rules.md is what `npm run docs:rules` writes', async (t) => {
  const committed = readFileSync(RULES_DOC_PATH, 'utf8');
  const generated = renderRulesDoc(readRuleFixtures());
  t.ok(committed === generated, 'docs/rules.md is current (run `npm run docs:rules`)');
  for (const rule of RULES) {
    t.match(committed, new RegExp(`^### ${rule.code}$`, 'm'), `${rule.code} is listed`);
    const section = committed.split(`### ${rule.code}\n`)[1]!.split('\n### ')[0]!;
    t.match(section, /\| fails \| .*Reported at `\/.*`/, `${rule.code} has a failing example with its path`);
  }
});
