import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { vneduAdapter } from '../src/adapters/vnedu/index.js';
import { recordToXml } from '../src/canonical/xml.js';

// The XML rendition the gateway writes must satisfy the profile's XSD, checked by an
// independent validator (libxml2's xmllint), not by our own reading of it.

const run = promisify(execFile);
const xsd = join(import.meta.dirname, '..', 'specs', 'ministry-profile', 'v0', 'record.xsd');

t.test('records written by the gateway validate against record.xsd', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hocba-xsd-'));
  const batch = vneduAdapter.sample(12, 7);
  const { items, context } = vneduAdapter.split(batch);
  const files: string[] = [];
  items.forEach((item, i) => {
    const mapped = vneduAdapter.map(item, context);
    if (!mapped.ok) throw new Error('sample did not map');
    const f = join(dir, `r${i}.xml`);
    writeFileSync(f, recordToXml(mapped.record));
    files.push(f);
  });
  const { stderr } = await run('xmllint', ['--noout', '--schema', xsd, ...files]);
  t.equal(stderr.split('\n').filter((l) => / validates$/.test(l)).length, files.length, 'every record validates');

  // and the validator does reject a broken one
  const bad = join(dir, 'bad.xml');
  const first = vneduAdapter.map(items[0], context);
  if (!first.ok) throw new Error('sample did not map');
  writeFileSync(bad, recordToXml({ ...first.record, grade: 9 }));
  const err = await run('xmllint', ['--noout', '--schema', xsd, bad]).then(() => null, (e) => e as { stderr: string });
  t.ok(err, 'a grade outside 1-5 fails the XSD');
  t.match(err?.stderr, /grade/);
});
