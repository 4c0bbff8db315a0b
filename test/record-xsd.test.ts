import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';

// Profile v0 stays readable while vendors move to v1: the records of the v0 packet example
// satisfy the v0 XSD, checked by an independent validator (libxml2's xmllint). v1 has its own
// XSD checks in canonical-v1.test.ts.

const run = promisify(execFile);
const v0 = join(import.meta.dirname, '..', 'specs', 'ministry-profile', 'v0');

t.test('the v0 packet example\'s records validate against the v0 record.xsd', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hocba-xsd-'));
  const packet = readFileSync(join(v0, 'packet.example.xml'), 'utf8');
  const records = packet.match(/<hocba xmlns="urn:moet:hocba:record:v0">.*?<\/hocba>/g) ?? [];
  t.equal(records.length, 2, 'the example carries two records');
  const files = records.map((xml, i) => {
    const f = join(dir, `r${i}.xml`);
    writeFileSync(f, xml);
    return f;
  });
  const { stderr } = await run('xmllint', ['--noout', '--schema', join(v0, 'record.xsd'), ...files]);
  t.equal(stderr.split('\n').filter((l) => / validates$/.test(l)).length, files.length, 'every record validates');

  const bad = join(dir, 'bad.xml');
  writeFileSync(bad, records[0].replace(/<grade>\d+<\/grade>/, '<grade>9</grade>'));
  const err = await run('xmllint', ['--noout', '--schema', join(v0, 'record.xsd'), bad]).then(() => null, (e) => e as { stderr: string });
  t.ok(err, 'a grade outside 1-5 fails the v0 XSD');
  t.match(err?.stderr, /grade/);
});
