import fc from 'fast-check';
import { unpackPayload } from '../src/storage/payload.js';
import t from 'tap';
import { sampleVneduBatch } from '../src/adapters/vnedu/sample.js';
import { contentHashOf } from '../src/canonical/xml.js';
import { loadSettings } from '../src/config/settings.js';
import { validationContextFrom } from '../src/config/validation-context.js';
import { runBatchIntake, type BatchIntakeOutcome } from '../src/pipeline/batch-intake.js';
import { prescanXml } from '../src/signing/xml-prescan.js';

// The intake as a property (issue 14, "done when"): whatever a vendor sends as a body, arbitrary
// text or a valid vnEdu batch with arbitrary JSON mutations (values replaced by any JSON, keys
// deleted or added, __proto__ among them), runBatchIntake answers one of its typed outcomes and
// never throws; every record is queued or rejected with reasons, never both; and what is queued
// is a record the Ministry can read: XML 1.0 characters only, no attribute, its content hash
// that of its XML. Pure (no gateway): a few hundred bodies in seconds.
// HOCBA_FC_SEED=<n> replays a run; HOCBA_FC_RUNS sets the number of bodies per property (default 150).

const seed = process.env.HOCBA_FC_SEED ? Number(process.env.HOCBA_FC_SEED) : Date.now() % 2 ** 31;
const numRuns = Number(process.env.HOCBA_FC_RUNS ?? 150);
t.comment(`fast-check seed ${seed} (HOCBA_FC_SEED=${seed} replays it)`);

const ctx = validationContextFrom(loadSettings({}));
const MEDIA_TYPE = 'application/json';
const KINDS = new Set(['malformed', 'not-object', 'ok', 'format', 'too-many', 'no-adapter', 'unsupported-media-type']);
const base = sampleVneduBatch(3, 5) as unknown;

/** The invariants every answer keeps. */
function check(outcome: BatchIntakeOutcome): void {
  if (!KINDS.has(outcome.kind)) throw new Error(`untyped outcome ${JSON.stringify(outcome).slice(0, 200)}`);
  if (outcome.kind !== 'ok') return;
  const { outcomes, records, validationErrors } = outcome.result;
  if (outcomes.length !== records.length) throw new Error('one row per outcome');
  outcomes.forEach((o, i) => {
    const row = records[i]!;
    if (row.state !== o.status) throw new Error(`record ${i}: outcome ${o.status}, row ${row.state}`);
    if (o.status === 'rejected') {
      if (!o.errors?.length) throw new Error(`record ${i} rejected without a reason`);
      if (row.recordXml !== null || row.payload || row.contentHash !== null) throw new Error(`rejected record ${i} carries XML to send`);
      if (!validationErrors.some((e) => e.index === i)) throw new Error(`rejected record ${i} is not among the validation errors`);
    } else if (o.status === 'queued') {
      if (o.errors?.length) throw new Error(`queued record ${i} has errors`);
      // The XML travels packed (payload) from here: what the store keeps and delivery sends.
      const xml = unpackPayload(row.payload);
      if (typeof xml !== 'string' || row.contentHash !== contentHashOf(xml)) throw new Error(`queued record ${i} has no XML or the wrong hash`);
      const scan = prescanXml(xml);
      if (scan) throw new Error(`queued record ${i} would poison a packet: ${scan.detail}`);
      if (/<[^>]*\s[^>]*=/.test(xml.replace(/^<hocba xmlns="[^"]*">/, ''))) throw new Error(`queued record ${i} carries an attribute`);
    } else {
      throw new Error(`record ${i}: status ${o.status} from a vendor batch`);
    }
  });
}

async function intakeOf(body: string): Promise<BatchIntakeOutcome> {
  const outcome = await runBatchIntake({ vendor: 'vnedu', mediaType: MEDIA_TYPE, body }, ctx, 1000);
  check(outcome);
  return outcome;
}

t.test('the valid sample is queued whole (the properties start from it)', async (t) => {
  const o = await intakeOf(JSON.stringify(base));
  t.match(o, { kind: 'ok' });
  if (o.kind === 'ok') t.same(o.result.outcomes.map((r) => r.status), ['queued', 'queued', 'queued']);
});

t.test('arbitrary text as a body: a typed outcome, never a throw', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null')), async (body) => {
      await intakeOf(body);
    }),
    { seed, numRuns, interruptAfterTimeLimit: 20_000 },
  );
});

// A mutation: follow `path` (each step picks a key or an index, modulo their number) down the
// batch, then replace, delete, or add a key there.
const awkward = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom('\u0001', 'a\u0000b', '\uD800', ']]>', '&#1;', '<x Id="pkt-sig-props"/>', '__proto__', 'x'.repeat(10_000), -0, 1e308, 2 ** 53 + 1, '', ' ', null, [], {}),
);
const mutation = fc.record({
  path: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
  op: fc.constantFrom('set', 'delete', 'add'),
  key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString'), fc.string({ maxLength: 8 })),
  value: awkward,
});

function mutate(doc: unknown, m: { path: number[]; op: string; key: string; value: unknown }): unknown {
  const root = { doc: structuredClone(doc) } as Record<string, unknown>;
  let parent: Record<string, unknown> | unknown[] = root;
  let key: string | number = 'doc';
  for (const step of m.path) {
    const here: unknown = (parent as Record<string | number, unknown>)[key];
    if (here === null || typeof here !== 'object') break;
    const keys: (string | number)[] = Array.isArray(here) ? here.map((_, i) => i) : Object.keys(here);
    if (keys.length === 0) break;
    parent = here as Record<string, unknown>;
    key = keys[step % keys.length]!;
  }
  const target = (parent as Record<string | number, unknown>)[key];
  if (m.op === 'set') (parent as Record<string | number, unknown>)[key] = m.value;
  else if (m.op === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  } else if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
    // An own key, __proto__ included, as JSON.parse would make it.
    Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
  }
  return root.doc;
}

t.test('a valid batch under arbitrary JSON mutations: typed outcomes, nothing rejected is queued', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
      const doc = mutations.reduce(mutate, base);
      const body = JSON.stringify(doc);
      if (body === undefined) return;
      await intakeOf(body);
    }),
    { seed: seed + 1, numRuns, interruptAfterTimeLimit: 30_000 },
  );
});
