// Regenerates the SMAS examples from the seeded sample generator.
// Run after `npm run build`: node examples/smas/make.mjs
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleSmasBatchXml, sampleSmasEnvelope } from '../../dist/adapters/smas/index.js';

const dir = import.meta.dirname;

// A bare batch (POST /v1/submissions with Content-Type: application/xml, or hocba-gw import --format xml).
writeFileSync(join(dir, 'batch.xml'), sampleSmasBatchXml(3, 9, { schoolId: '01004001' }));
// A SubmitBatch envelope to post to /soap/smas/v1 with curl (README.md beside this file).
writeFileSync(join(dir, 'submit-batch.xml'), sampleSmasEnvelope(2, 10, { schoolId: '01004002', idempotencyKey: 'example-submit-batch-1' }));
