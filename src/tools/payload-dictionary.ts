import { validationContextFrom } from '../config/validation-context.js';
import { loadSettings } from '../config/settings.js';
import { getAdapter } from '../adapters/registry.js';
import { splitVneduBatch } from '../adapters/vnedu/map.js';
import { intake } from '../pipeline/intake.js';
import { distinctBatch } from '../bench/data.js';

// How assets/payload-dictionary-1.xml was made (run once, then frozen: stored payloads name it
// by its Adler-32 and need it to be read). The canonical XML of one synthetic record per grade,
// 1 to 12, from a seed no test or benchmark uses; the last 8 KB (deflate looks back from the
// end of a dictionary, and an upper-secondary record holds the tags of every level). A record
// of 6.1 KB packs to about 570 bytes with it and 1,290 without, at the same CPU (measured on
// 1,000 vnEdu sample records: about 70 µs each at level 6).
//   node dist/tools/payload-dictionary.js > assets/payload-dictionary-N.xml

const settings = loadSettings({}, { dataDir: '/tmp/hocba-dictionary', databaseUrl: ':memory:' });
const { items, context } = splitVneduBatch(distinctBatch(0, 500, 424242));
const byGrade = new Map<number, string>();
for (const r of intake(getAdapter('vnedu')!, items, context, validationContextFrom(settings)).records) if (r.recordXml && r.grade && !byGrade.has(r.grade)) byGrade.set(r.grade, r.recordXml);
const all = Buffer.from(Array.from({ length: 12 }, (_, i) => byGrade.get(i + 1) ?? '').join(''));
process.stdout.write(all.subarray(-8192));
