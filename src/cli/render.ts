import { readFile, writeFile } from 'node:fs/promises';
import { DOMParser } from '@xmldom/xmldom';
import { recordFromXmlText } from '../canonical/from-xml.js';
import type { CanonicalRecord } from '../canonical/record.js';
import { lookupUrlOf, pdfSignatures, renderRecordPdf } from '../pdf/record-pdf.js';
import { checkSignedRecord } from '../record-signatures/check-record.js';
import { SIGNED_ROOT } from '../record-signatures/format.js';
import { TrustStore } from '../record-signatures/trust-store.js';
import { filePolicy, type VerifyFileOptions } from './verify.js';

// `hocba-gw render FILE.xml --out F.pdf`: the PDF học bạ of a record on disk. A signed học bạ
// (<signedHocba>) has its signatures checked now, as `verify` does, and each verdict printed in
// the PDF; a bare record (<hocba>) lists the signatures it declares, marked as not verified. The
// PDF holds the student's personal data: it is written readable by its owner only (0600).

export async function renderFile(path: string, out: string, o: VerifyFileOptions & { publicUrl: string }): Promise<{ exitCode: number; text: string }> {
  const xml = await readFile(path, 'utf8');
  let root: Element | null = null;
  try {
    root = (new DOMParser({ onError: () => undefined }).parseFromString(xml, 'text/xml') as unknown as Document).documentElement;
  } catch {
    root = null;
  }
  let record: CanonicalRecord;
  let verified: unknown[] | null = null;
  let exitCode = 0;
  const notes: string[] = [];
  if (root?.localName === SIGNED_ROOT) {
    const store = await TrustStore.create(o.trust);
    const r = checkSignedRecord(xml, store, filePolicy(o), o.validation);
    if (!r.recordXml) return { exitCode: 1, text: `${path}: cannot read the signed học bạ (${r.errors.map((e) => e.code).join(', ') || 'no record'})\n` };
    record = recordFromXmlText(r.recordXml) as CanonicalRecord;
    verified = r.signatures;
    if (r.status !== 'queued') exitCode = 1;
    notes.push(`signatures: ${r.signatures.map((s) => `${s.role ?? s.id}=${s.valid ? 'VALID' : `INVALID ${s.code}`}`).join(', ') || 'none'}${r.missing.length ? `; missing ${r.missing.join(', ')}` : ''}`);
  } else if (root?.localName === 'hocba') {
    try {
      record = recordFromXmlText(xml) as CanonicalRecord;
    } catch (e) {
      return { exitCode: 1, text: `${path}: cannot read the record (${(e as Error).message})\n` };
    }
    notes.push('signatures: as declared by the record, not verified (give the signed document to verify them)');
  } else {
    return { exitCode: 1, text: `${path}: expected <hocba> or <${SIGNED_ROOT}>, found ${root ? `<${root.localName}>` : 'no XML document'}\n` };
  }
  if (!record.student || !record.school) return { exitCode: 1, text: `${path}: the record lacks its student or school\n` };
  const pdf = await renderRecordPdf({ record, signatures: pdfSignatures(verified, record), lookupUrl: lookupUrlOf(o.publicUrl, record.lookupCode), generatedAt: new Date() });
  await writeFile(out, pdf, { mode: 0o600 });
  return { exitCode, text: `${out}: ${pdf.length} bytes, học bạ ${record.recordId} (${record.schoolYear}), lookup ${record.lookupCode}\n${notes.join('\n')}\n` };
}
