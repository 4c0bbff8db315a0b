// Regenerates the vnEdu example batches from the seeded sample generator.
// Run after `npm run build`: node examples/vnedu/make.mjs
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleVneduBatch } from '../../dist/adapters/vnedu/index.js';

const dir = import.meta.dirname;
const write = (name, batch) => writeFileSync(join(dir, name), JSON.stringify(batch, null, 2) + '\n');

write('batch-grades-1-5.json', sampleVneduBatch(35, 7, { schoolId: '01001234' }));
write('batch-grades-1-12.json', sampleVneduBatch(24, 8));
write('batch-small.json', sampleVneduBatch(3, 9, { schoolId: '01001234' }));

// Five students, two of them wrong: index 1 has the sex that its personal ID contradicts,
// index 3 an end-of-year score of 11 in its second subject (Toán).
const withErrors = sampleVneduBatch(5, 10, { schoolId: '01001234' });
const s1 = withErrors.DanhSachHocSinh[1];
s1.GioiTinh = s1.GioiTinh === 'Nam' ? 'Nữ' : 'Nam';
withErrors.DanhSachHocSinh[3].KetQuaHocTap[1].DiemKTDK = 11;
write('batch-with-errors.json', withErrors);
