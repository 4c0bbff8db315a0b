import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { ERRORS } from '../src/errors/catalogue.js';
import { intake } from '../src/pipeline/intake.js';
import { normaliseRecord } from '../src/pipeline/normalise.js';
import { applyVersionRule } from '../src/pipeline/versions.js';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import type { RuleFixture } from '../src/tools/rules-doc.js';
import { RULES } from '../src/validation/rules/registry.js';
import { toValidationErrors, validateRecord } from '../src/validation/validate.js';
import { applyChanges, canonicalAdapter, contextWith, FIXTURES, loadValid, validNames, type Change } from './helpers/records.js';

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

// Students the rules used to forget (issue 15 item 5): each kind passes where it should, its
// XML is valid against record.xsd, and the same change without what makes it legitimate fails.
interface ForgottenKind {
  kind: string;
  base: string;
  outcome: 'queued' | 'held';
  holdCode?: string;
  change: Change[];
  without: Change[];
  withoutCode: string;
}
const forgotten: ForgottenKind[] = JSON.parse(readFileSync(join(FIXTURES, 'records', 'forgotten-kinds.json'), 'utf8'));

t.test('students the rules forget, and the end of each level: each kind passes where it should', async (t) => {
  t.ok(forgotten.length >= 6, `${forgotten.length} kinds`);
  const ctx = contextWith();
  const dir = mkdtempSync(join(tmpdir(), 'hocba-kinds-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const files: string[] = [];
  for (const [i, k] of forgotten.entries()) {
    const record = applyChanges(loadValid(k.base), k.change);
    const result = intake(canonicalAdapter, [record], null, ctx);
    t.same(result.validationErrors, [], `${k.kind}: no errors`);
    t.equal(result.outcomes[0]!.status, k.outcome, `${k.kind}: ${k.outcome}`);
    t.equal(result.records[0]!.state, k.outcome, `${k.kind}: stored as ${k.outcome}`);
    t.equal(result.records[0]!.holdCode, k.holdCode, `${k.kind}: hold code ${k.holdCode ?? 'none'}`);
    if (k.holdCode) t.same(result.outcomes[0]!.errors?.map((e) => e.code), [k.holdCode], `${k.kind}: the outcome says why it waits`);
    const without = validateRecord(normaliseRecord(applyChanges(loadValid(k.base), k.without), ctx), ctx);
    t.same(without.map((e) => e.code), [k.withoutCode], `${k.kind}: without what makes it legitimate, ${k.withoutCode}`);
    const file = join(dir, `${i}.xml`);
    writeFileSync(file, result.records[0]!.recordXml!);
    files.push(file);
  }
  const { stderr } = await promisify(execFile)('xmllint', ['--noout', '--schema', join(import.meta.dirname, '..', 'specs', 'ministry-profile', 'v1', 'record.xsd'), ...files]);
  t.equal(stderr.match(/ validates$/gm)?.length, files.length, 'record.xsd accepts every kind');
});
