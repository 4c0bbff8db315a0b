import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { loadReferenceData } from '../config/validation-context.js';
import { recordFromXmlText } from '../canonical/from-xml.js';
import { escapeHtml, sendHtml } from '../dashboard/pages.js';
import { stateLabel } from '../dashboard/i18n.js';
import { ERRORS } from '../errors/catalogue.js';
import { ProblemError } from '../errors/problem.js';
import { storedStampTime } from '../record-signatures/format.js';
import type { LookupRow } from '../storage/outbox/lookup.js';

// The public lookup (issue 15 item 12): a parent or a receiving school types the lookup code
// printed on a học bạ (or scans its QR code) and learns whether this gateway accepted a record
// book with that code, for which school, year and grade, its version, where it is on its way to
// the Ministry, and whether its signatures held when it was received. No key, rate-limited per
// address. Nothing personal is shown unless the caller also gives the student's date of birth
// and it matches: then the student's name and class. A person gets a small page (Vietnamese
// first, English beside), a program JSON.

export const LOOKUP_CODE_PATTERN = '^[A-Za-z0-9]{6,32}$';
const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';
const LOOKUP_CODE = new RegExp(LOOKUP_CODE_PATTERN);
const DATE = new RegExp(DATE_PATTERN);

export interface LookupAnswer {
  lookupCode: string;
  school: { schoolId: string | null; name: string | null };
  schoolYear: string | null;
  grade: number | null;
  version: number | null;
  state: string;
  state_vi: string;
  state_en: string;
  acceptedAt: string;
  updatedAt: string;
  /**
   * What the signatures said when the record was received (verified then, at the time of
   * receipt); a signer's certificate with a trusted RFC 3161 time-stamp was checked at `stampedAt`.
   */
  signatures: {
    status: 'verified' | 'failed' | 'unsigned';
    checkedAt: 'receipt';
    signers: { role: string | null; valid: boolean; signingTime: string | null; stampedAt: string | null }[];
  };
  /** not-given, matched, not-matched, or not-held (the content was cleared after acknowledgement). */
  birthDate: 'not-given' | 'matched' | 'not-matched' | 'not-held';
  student: { fullName: string; birthDate: string; className: string | null } | null;
}

function signaturesOf(row: LookupRow): LookupAnswer['signatures'] {
  const list = Array.isArray(row.signatures) ? (row.signatures as Record<string, unknown>[]) : [];
  const signers = list.map((s) => ({
    role: typeof s.role === 'string' ? s.role : null,
    valid: s.valid === true,
    signingTime: typeof s.signingTime === 'string' ? s.signingTime : null,
    stampedAt: storedStampTime(s),
  }));
  const status = signers.length === 0 ? 'unsigned' : signers.every((s) => s.valid) ? 'verified' : 'failed';
  return { status, checkedAt: 'receipt', signers };
}

function readRecord(xml: string | null): unknown {
  try {
    return xml ? recordFromXmlText(xml) : null;
  } catch {
    return null;
  }
}

/** The answer for a found record; the student only when `birthDate` matches the record's. */
export function lookupAnswer(lookupCode: string, row: LookupRow, schoolName: string | null, birthDate: string | undefined): LookupAnswer {
  const label = stateLabel(row.state);
  let match: LookupAnswer['birthDate'] = 'not-given';
  let student: LookupAnswer['student'] = null;
  if (birthDate !== undefined) {
    type Read = { student?: { fullName?: unknown; birthDate?: unknown }; className?: unknown };
    const record = readRecord(row.recordXml) as Read | null;
    if (!record) match = 'not-held';
    else if (typeof record.student?.birthDate === 'string' && record.student.birthDate === birthDate) {
      match = 'matched';
      student = {
        fullName: String(record.student.fullName ?? ''),
        birthDate,
        className: typeof record.className === 'string' ? record.className : row.className,
      };
    } else match = 'not-matched';
  }
  return {
    lookupCode,
    school: { schoolId: row.schoolId, name: schoolName },
    schoolYear: row.schoolYear,
    grade: row.grade,
    version: row.version,
    state: row.state,
    state_vi: label.vi,
    state_en: label.en,
    acceptedAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
    signatures: signaturesOf(row),
    birthDate: match,
    student,
  };
}

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function wantsHtml(request: FastifyRequest): boolean {
  const accept = String(request.headers.accept ?? '');
  return accept.includes('text/html') && !accept.startsWith('application/json');
}

const both = (vi: string, en: string) => `${escapeHtml(vi)} <span class="en">· ${escapeHtml(en)}</span>`;

function page(title: { vi: string; en: string }, body: string): string {
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title.vi)} · ${escapeHtml(title.en)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
.en{color:#666;font-size:.9em}dl{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem}
dt{font-weight:600}.ok{color:#0a6b2d}.bad{color:#a31515}form{margin:1rem 0;display:grid;gap:.5rem;max-width:24rem}
input,button{font:inherit;padding:.4rem}code{font-size:1.05em}
</style>
</head>
<body>
<h1>${both(title.vi, title.en)}</h1>
${body}
</body>
</html>
`;
}

function form(code = '', message = ''): string {
  return `${message}<form method="get" action="/lookup" id="lookup-form">
<label for="code">${both('Mã tra cứu học bạ', 'Lookup code')}</label>
<input id="code" name="code" value="${escapeHtml(code)}" required pattern="[A-Za-z0-9]{6,32}" maxlength="32" autocomplete="off">
<label for="birthDate">${both('Ngày sinh của học sinh (không bắt buộc)', 'Student\'s date of birth (optional)')}</label>
<input id="birthDate" name="birthDate" type="date">
<button type="submit">${both('Tra cứu', 'Look up')}</button>
</form>
<p class="en">${both('Không nhập ngày sinh: chỉ hiện thông tin không có dữ liệu cá nhân.', 'Without the date of birth only what is not personal is shown.')}</p>`;
}

function answerPage(a: LookupAnswer): string {
  const sig = a.signatures;
  const sigText =
    sig.status === 'verified'
      ? `<span class="ok">${both('Các chữ ký hợp lệ khi tiếp nhận', 'Signatures valid when received')}</span>`
      : sig.status === 'failed'
        ? `<span class="bad">${both('Có chữ ký không hợp lệ khi tiếp nhận', 'A signature did not verify when received')}</span>`
        : both('Hồ sơ gửi qua phần mềm của trường, không kèm chữ ký số của trường', 'Sent by the school\'s software without the school\'s own signatures');
  const signers = sig.signers
    .map((s) => {
      const stamped = s.stampedAt ? `; ${both('dấu thời gian', 'time-stamped')} ${escapeHtml(s.stampedAt)}` : '';
      return `<li>${escapeHtml(s.role ?? '?')}: ${s.valid ? '✓' : '✗'}${s.signingTime ? ` (${escapeHtml(s.signingTime)}${stamped})` : ''}</li>`;
    })
    .join('');
  const birth: Record<LookupAnswer['birthDate'], string> = {
    'not-given': '',
    matched: '',
    'not-matched': `<p class="bad" id="birth-mismatch">${both('Ngày sinh không khớp: không hiện thông tin cá nhân.', 'The date of birth does not match: nothing personal is shown.')}</p>`,
    'not-held': `<p id="birth-not-held">${both('Cổng không còn lưu nội dung hồ sơ (đã xóa sau khi Bộ tiếp nhận).', 'The gateway no longer holds the record\'s content (cleared after the Ministry acknowledged it).')}</p>`,
  };
  const student = a.student
    ? `<dt>${both('Học sinh', 'Student')}</dt><dd id="student-name">${escapeHtml(a.student.fullName)}</dd>
<dt>${both('Ngày sinh', 'Date of birth')}</dt><dd>${escapeHtml(a.student.birthDate)}</dd>
<dt>${both('Lớp', 'Class')}</dt><dd>${escapeHtml(a.student.className ?? '')}</dd>`
    : '';
  return `<p id="found">${both('Đã tìm thấy học bạ có mã này.', 'A học bạ with this code was found.')}</p>
${birth[a.birthDate]}
<dl>
<dt>${both('Mã tra cứu', 'Lookup code')}</dt><dd><code>${escapeHtml(a.lookupCode)}</code></dd>
<dt>${both('Trường', 'School')}</dt><dd id="school">${escapeHtml(a.school.name ?? '')} (${escapeHtml(a.school.schoolId ?? '')})</dd>
<dt>${both('Năm học', 'School year')}</dt><dd>${escapeHtml(a.schoolYear ?? '')}</dd>
<dt>${both('Khối', 'Grade')}</dt><dd>${a.grade ?? ''}</dd>
<dt>${both('Phiên bản', 'Version')}</dt><dd>${a.version ?? ''}</dd>
<dt>${both('Trạng thái', 'State')}</dt><dd id="state">${both(a.state_vi, a.state_en)}</dd>
<dt>${both('Chữ ký số', 'Signatures')}</dt><dd id="signatures">${sigText}${signers ? `<ul>${signers}</ul>` : ''}</dd>
${student}
</dl>`;
}

const sendPage = (reply: FastifyReply, status: number, html: string) => sendHtml(reply, html, status, PAGE_CSP);

const TITLE = { vi: 'Tra cứu học bạ số', en: 'Look up a học bạ' };

export default async function lookupRoutes(app: FastifyInstance): Promise<void> {
  const settings = app.services.settings;
  let schoolNames: Map<string, string> | null = null;
  const schoolName = (id: string | null): string | null => {
    if (!id) return null;
    schoolNames ??= new Map([...loadReferenceData(settings.referenceData).schools].map(([k, v]) => [k, v.name]));
    return schoolNames.get(id) ?? null;
  };
  const rateLimit = { max: settings.rateLimit.lookupPerMinute };

  app.get(
    '/lookup',
    {
      config: { rateLimit },
      schema: {
        tags: ['public'],
        summary: 'The lookup page (a form). With ?code= it redirects to /lookup/{code}.',
        querystring: {
          type: 'object',
          properties: { code: { type: 'string', maxLength: 64 }, birthDate: { type: 'string', maxLength: 10 } },
        },
      },
    },
    async (request, reply) => {
      const q = request.query as { code?: string; birthDate?: string };
      const code = (q.code ?? '').trim();
      if (code && LOOKUP_CODE.test(code)) {
        const birth = q.birthDate && DATE.test(q.birthDate) ? `?birthDate=${q.birthDate}` : '';
        return reply.redirect(`/lookup/${encodeURIComponent(code.toUpperCase())}${birth}`, 303);
      }
      const message = code ? `<p class="bad" role="alert">${both('Mã tra cứu gồm 6-32 chữ cái và chữ số.', 'A lookup code is 6-32 letters and digits.')}</p>` : '';
      return sendPage(reply, code ? 400 : 200, page(TITLE, form(code, message)));
    },
  );

  app.get(
    '/lookup/:lookupCode',
    {
      config: { rateLimit },
      schema: {
        tags: ['public'],
        summary: 'Public lookup of a học bạ by its lookup code: whether it exists, its school, year, version, state and signatures; the student only with a matching birthDate. No key.',
        params: { type: 'object', required: ['lookupCode'], properties: { lookupCode: { type: 'string', pattern: LOOKUP_CODE_PATTERN } } },
        querystring: { type: 'object', properties: { birthDate: { type: 'string', pattern: DATE_PATTERN } }, additionalProperties: false },
        response: { 404: { $ref: 'Problem#' }, 400: { $ref: 'Problem#' } },
      },
    },
    async (request, reply) => {
      const code = (request.params as { lookupCode: string }).lookupCode.toUpperCase();
      const { birthDate } = request.query as { birthDate?: string };
      const row = await app.services.store.lookup(code);
      if (!row) {
        if (wantsHtml(request)) {
          const def = ERRORS.LOOKUP_NOT_FOUND;
          return sendPage(reply, 404, page(TITLE, `<p class="bad" id="not-found" role="alert"><code>LOOKUP_NOT_FOUND</code> ${both(def.vi, def.en)}</p>${form(code)}`));
        }
        throw new ProblemError('LOOKUP_NOT_FOUND');
      }
      const answer = lookupAnswer(code, row, schoolName(row.schoolId), birthDate);
      reply.header('cache-control', 'no-store');
      if (wantsHtml(request)) return sendPage(reply, 200, page(TITLE, answerPage(answer) + form(code)));
      return answer;
    },
  );
}
