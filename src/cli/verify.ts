import { X509Certificate, createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DOMParser } from '@xmldom/xmldom';
import { checkSignedRecord } from '../record-signatures/check-record.js';
import type { ValidationContext } from '../validation/context.js';
import { SIGNED_ROOT } from '../record-signatures/format.js';
import { parseRequired, type RoleRules, type SignaturePolicy } from '../record-signatures/policy.js';
import { TrustStore, splitPem, type CertificateView, type TrustMaterial } from '../record-signatures/trust-store.js';
import type { SignatureReport } from '../record-signatures/verify-document.js';
import { DSIG_NS } from '../signing/signature-format.js';
import { verifyEnveloped } from '../signing/xmldsig.js';

// `hocba-gw verify <file.xml>`: what an operator runs on a signed học bạ or a packet. It prints
// each signature, its signer, the certificate chain and the verdict, and exits 1 when a required
// signature is missing or any signature fails (0 when all hold, 2 when it cannot check at all).

export interface VerifyFileOptions {
  trust: TrustMaterial;
  required: string;
  matchSignerNames: boolean;
  /** The record content is checked by the same rules as a vendor batch. */
  validation: ValidationContext;
  /**
   * The province's packet-signing certificate(s): a packet must be signed by one of them (chaining
   * to a trust anchor is not enough: any trusted signing certificate would do), and a record
   * never. From --province-cert, else the configured signer.certPath, else the demo province.pem.
   */
  province?: { pem: string; source: string };
  roles?: RoleRules;
}

const chainText = (chain: CertificateView[] | undefined) => (chain ?? []).map((c) => c.commonName ?? c.subject).join(' → ');

function signatureLines(s: SignatureReport): string[] {
  const out = [`  ${s.id ?? '(no Id)'}${s.role ? ` (${s.role})` : ''}: ${s.valid ? 'VALID' : `INVALID ${s.code}`}${s.valid ? '' : ` — ${s.detail}`}`];
  if (s.signer) out.push(`    signer:  ${s.signer.subject} (serial ${s.signer.serialNumber}, valid ${s.signer.notBefore} to ${s.signer.notAfter})`);
  if (s.signingTime) out.push(`    signed:  ${s.signingTime}`);
  if (s.timeStamp) out.push(`    stamped: ${s.timeStamp.time} by ${s.timeStamp.authority} (the certificate is checked at this time)`);
  if (s.chain?.length) out.push(`    chain:   ${chainText(s.chain)}${s.valid ? ' (trust anchor)' : ''}`);
  if (s.note) out.push(`    note:    ${s.note}`);
  return out;
}

/** The policy a document on disk is checked by (verify and render): the options' required roles, held when incomplete. */
export function filePolicy(o: VerifyFileOptions): SignaturePolicy {
  return { required: parseRequired(o.required), whenIncomplete: 'hold', matchSignerNames: o.matchSignerNames, maxClockSkewMs: 300_000, ...(o.roles ? { roles: o.roles } : {}) };
}

function verifyRecord(xml: string, store: TrustStore, o: VerifyFileOptions): { exitCode: number; lines: string[] } {
  const policy = filePolicy(o);
  const r = checkSignedRecord(xml, store, policy, o.validation);
  const lines = [`signed học bạ${r.recordKey ? ` ${r.recordKey}` : ''}: ${r.signatures.length} signature(s)`];
  for (const s of r.signatures) lines.push(...signatureLines(s));
  lines.push(`required: ${policy.required.join('+') || 'none'}${r.missing.length ? ` — missing: ${r.missing.join(', ')}` : ''}`);
  for (const e of r.errors) if (!e.path.startsWith('/signatures/')) lines.push(`problem: ${e.code} ${e.path} ${e.detail_en ?? ''}`.trimEnd());
  const verdict = r.status === 'queued' ? 'VALID' : r.status === 'held' ? 'INCOMPLETE (required signatures missing)' : 'INVALID';
  lines.push(`verdict: ${verdict}`);
  return { exitCode: r.status === 'queued' ? 0 : 1, lines };
}

const fingerprint = (der: Buffer) => createHash('sha256').update(der).digest('hex');

function verifyPacket(xml: string, doc: Document, store: TrustStore, province: VerifyFileOptions['province']): { exitCode: number; lines: string[] } {
  const certEl = doc.getElementsByTagNameNS(DSIG_NS, 'X509Certificate')[0];
  const lines = ['packet: the province signature'];
  if (!province) return { exitCode: 2, lines: [...lines, '  cannot check: no province certificate (give --province-cert PEM)', 'verdict: NOT CHECKED'] };
  const provinceCerts = splitPem(province.pem).map((p) => new X509Certificate(p));
  if (provinceCerts.length === 0) return { exitCode: 2, lines: [...lines, `  cannot check: ${province.source} holds no certificate`, 'verdict: NOT CHECKED'] };
  for (const c of provinceCerts) lines.push(`trusted: province certificate ${c.subject.replace(/\n/g, ', ')} (serial ${c.serialNumber.toLowerCase()}, sha256 ${fingerprint(c.raw)}) from ${province.source}`);
  if (!certEl) return { exitCode: 1, lines: [...lines, '  INVALID: no certificate in KeyInfo', 'verdict: INVALID'] };
  const der = Buffer.from((certEl.textContent ?? '').replace(/\s+/g, ''), 'base64');
  let pem: string;
  try {
    pem = store.certificate(der).node.toString();
  } catch {
    return { exitCode: 1, lines: [...lines, '  INVALID: the KeyInfo certificate cannot be read', 'verdict: INVALID'] };
  }
  const v = verifyEnveloped(xml, pem);
  if (!v.valid) return { exitCode: 1, lines: [...lines, `  INVALID ${v.code} — ${v.reason}`, 'verdict: INVALID'] };
  const c = store.evaluate(der, [], v.signingTime);
  const report: SignatureReport = { id: 'pkt-sig', role: null, valid: c.ok, signingTime: v.signingTime.toISOString(), signer: c.signer, chain: c.chain };
  if (!c.ok) Object.assign(report, { code: c.code, detail: c.detail });
  else if (!provinceCerts.some((p) => p.raw.equals(der))) {
    Object.assign(report, { valid: false, code: 'PACKET_SIGNER_NOT_PROVINCE', detail: `signed by ${c.signer.subject} (sha256 ${fingerprint(der)}), a trusted certificate but not the province's` });
  }
  lines.push(...signatureLines(report), `verdict: ${report.valid ? 'VALID' : 'INVALID'}`);
  return { exitCode: report.valid ? 0 : 1, lines };
}

export async function verifyFile(path: string, o: VerifyFileOptions): Promise<{ exitCode: number; text: string }> {
  const xml = await readFile(path, 'utf8');
  const store = await TrustStore.create({ ...o.trust, ...(o.province ? { provinceCertificates: [o.province.pem] } : {}) });
  let root: Element | null = null;
  let doc: Document | null = null;
  try {
    doc = new DOMParser({ onError: () => undefined }).parseFromString(xml, 'text/xml') as unknown as Document;
    root = doc.documentElement;
  } catch {
    /* reported below */
  }
  const { exitCode, lines } =
    root && doc && root.localName === 'packet' ? verifyPacket(xml, doc, store, o.province) : verifyRecord(xml, store, o);
  if (root && root.localName !== 'packet' && root.localName !== SIGNED_ROOT) lines.unshift(`(the document element is <${root.localName}>, neither <${SIGNED_ROOT}> nor <packet>)`);
  return { exitCode, text: `${path}\n${lines.join('\n')}\n` };
}
