import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ERRORS } from '../src/errors/catalogue.js';
import { intake } from '../src/pipeline/intake.js';
import { normaliseRecord } from '../src/pipeline/normalise.js';
import { applyVersionRule } from '../src/pipeline/versions.js';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import type { RuleFixture } from '../src/tools/rules-doc.js';
import { RULES } from '../src/validation/rules/registry.js';
import { toValidationErrors, validateRecord } from '../src/validation/validate.js';
import { applyChanges, canonicalAdapter, contextWith, FIXTURES, loadValid, validNames } from './helpers/records.js';

// Every rule has fixtures that break it alone; each must fail with exactly that code at exactly
// that path, and nothing else. The valid fixtures must pass every rule.

const fixtures: RuleFixture[] = JSON.parse(readFileSync(join(FIXTURES, 'records', 'rule-fixtures.json'), 'utf8'));
const policy = { maxAttempts: 3, baseDelayMs: 10, capDelayMs: 100 };

t.test('every rule code has a fixture, and every fixture a rule', async (t) => {
  const fixtureCodes = new Set(fixtures.map((f) => f.code));
  for (const rule of RULES) t.ok(fixtureCodes.has(rule.code), `${rule.code} has a fixture`);
  const ruleCodes = new Set<string>(RULES.map((r) => r.code));
  for (const code of fixtureCodes) t.ok(ruleCodes.has(code), `${code} is a documented rule`);
  for (const rule of RULES) t.ok(ERRORS[rule.code].en && ERRORS[rule.code].vi, `${rule.code} has messages in both languages`);
});

t.test('valid fixtures: at least 40 records across grades 1-12, all passing', async (t) => {
  const names = validNames();
  t.ok(names.length >= 40, `${names.length} valid records`);
  const ctx = contextWith();
  const grades = new Set<number>();
  for (const name of names) {
    const r = loadValid(name);
    grades.add(r.grade);
    t.same(validateRecord(r, ctx), [], `${name} is valid`);
  }
  t.same([...grades].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
});

for (const [i, f] of fixtures.entries()) {
  t.test(`fixture ${i}: ${f.code}${f.note ? ` (${f.note})` : ''}`, async (t) => {
    const ctx = contextWith(f.settings);
    const base = loadValid(f.base);
    const record = applyChanges(base, f.change);
    if (f.batchChange) {
      const result = intake(canonicalAdapter, [applyChanges(base, f.batchChange), record], null, ctx);
      t.same(result.validationErrors.map((e) => [e.index, e.code, e.path]), [[1, f.code, f.expect.path]]);
      t.same(result.outcomes.map((o) => o.status), ['queued', 'rejected']);
      return;
    }
    if (f.storedChange) {
      const store = new SqliteStore(':memory:');
      await store.migrate();
      t.teardown(() => store.close());
      const first = intake(canonicalAdapter, [applyChanges(base, f.storedChange)], null, ctx);
      t.same(first.validationErrors, [], 'the stored record is valid');
      await store.insertSubmission({ id: 's1', vendor: 'v', idempotencyKey: null, requestHash: 'h', response: {}, createdAt: Date.now() }, first.records, policy);
      const second = intake(canonicalAdapter, [record], null, ctx);
      t.same(second.validationErrors, [], 'the new record is valid on its own');
      applyVersionRule(second, await store.latestVersions(second.records.filter((r) => r.state === 'queued' && r.recordKey).map((r) => r.recordKey!)));
      t.same(second.validationErrors.map((e) => [e.index, e.code, e.path]), [[0, f.code, f.expect.path]]);
      t.equal(second.records[0]!.state, 'rejected');
      t.equal(second.records[0]!.recordXml, null, 'nothing of it would be sent');
      return;
    }
    const errors = validateRecord(normaliseRecord(record, ctx), ctx);
    t.same(errors.map((e) => [e.code, e.path]), [[f.code, f.expect.path]]);
    const [ve] = toValidationErrors(3, 'L/2024-2025', errors);
    t.ok(ve!.message_en.startsWith(ERRORS[f.code as keyof typeof ERRORS].en), 'English message from the catalogue');
    t.ok(ve!.message_vi.startsWith(ERRORS[f.code as keyof typeof ERRORS].vi), 'Vietnamese message from the catalogue');
    t.same(validateRecord(base, ctx), [], 'the base record itself is valid with these settings');
  });
}
