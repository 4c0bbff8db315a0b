import { readFileSync } from 'node:fs';
import t from 'tap';
import { RECORD_SCHEMA_CODE_PATH, renderRecordSchemaCode, renderSimulatorSchemasCode, SIMULATOR_SCHEMAS_CODE_PATH } from '../src/tools/record-schema-code.js';
import { loadRecordValidator } from '../src/simulator/packet-check.js';
import { validateRecord } from '../src/validation/validate.js';

// The record validators of the gateway and of the simulator are generated from the profiles'
// schemas; CI fails here when a schema (or ajv, or the options) changed without
// `npm run schema:compile`.

t.test('the compiled record validators are what `npm run schema:compile` writes from the schemas', async (t) => {
  t.ok(readFileSync(RECORD_SCHEMA_CODE_PATH, 'utf8') === renderRecordSchemaCode(), 'src/validation/record-schema-compiled.ts is current (run `npm run schema:compile`)');
  t.ok(readFileSync(SIMULATOR_SCHEMAS_CODE_PATH, 'utf8') === renderSimulatorSchemasCode(), 'src/simulator/record-schemas-compiled.ts is current (run `npm run schema:compile`)');
});

t.test('the compiled validator answers with every error, the offending value and its place', async (t) => {
  const errors = validateRecord({ schemaVersion: 'x', nope: 1 } as never, { rules: undefined, reference: undefined, provinceCode: '01' } as never);
  t.ok(errors.length > 1, `all errors at once (${errors.length})`);
  t.ok(errors.some((e) => e.code === 'SCHEMA_UNKNOWN_FIELD' && e.path === '/nope'), 'the unknown field, at its path');
  t.ok(errors.some((e) => e.code === 'SCHEMA_REQUIRED'), 'the missing ones');
});

t.test("the simulator's validator picks the schema by the record's namespace and names the first error", async (t) => {
  const validate = loadRecordValidator();
  const v0 = validate({ nope: 1 }, 'urn:moet:hocba:record:v0');
  t.type(v0, 'string', 'a record breaking profile v0 is refused');
  t.equal(validate({ nope: 1 }, 'urn:moet:hocba:record:v9'), 'no schema for profile urn:moet:hocba:record:v9');
});
