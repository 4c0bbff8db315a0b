import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type PDFKitDocument from 'pdfkit';
import type * as QR from 'qrcode';
import { lazyPackage } from '../lazy-package.js';
import { storedStampTime } from '../record-signatures/format.js';
import type { CanonicalRecord, DisabilityType, PolicyCategory, PrimaryResults, RecordForm, SecondaryResults, Title } from '../canonical/record.js';
import {
  COMMENT_RESULT_VI,
  COMPETENCY_VI,
  nameOf,
  PRIMARY_SUBJECT_VI,
  QUALITY_VI,
  RATING_VI,
  RESULT_LEVEL_VI,
  SECONDARY_SUBJECT_VI,
  SIGNATURE_ROLE_VI,
  SIGNER_ROLE_VI,
  SUBJECT_LEVEL_VI,
  YEAR_END_VI,
} from '../canonical/names.js';

// The PDF học bạ (issue 15 item 11): one record laid out as the record form, in Vietnamese, with
// DejaVu Sans embedded (it has every Vietnamese letter precomposed, so the text extracts intact:
// pdftotext gives back each name as written), the signatures with signer, role, time and
// verdict, and the lookup code with a QR code of the public lookup's address. Used by
// GET /v1/records/{id}/pdf and `hocba-gw render`. pdfkit (0.17, pure JavaScript, subsets the
// font) and qrcode (drawn as vector squares, not an image).

const require = createRequire(import.meta.url);
const FONT_DIR = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const REGULAR = join(FONT_DIR, 'DejaVuSans.ttf');
const BOLD = join(FONT_DIR, 'DejaVuSans-Bold.ttf');
// Loaded with the first PDF: every gateway imports this module for its routes, few draw a PDF.
const pdfkit = lazyPackage<typeof PDFKitDocument>('pdfkit');
const qrcode = lazyPackage<typeof QR>('qrcode');

export interface PdfSignature {
  /** The signer's role: a signed document's (teacher, principal, seal) or the record's own list's. */
  role: string | null;
  /** Who signed: the certificate's common name; null when only declared by the record. */
  signer: string | null;
  time: string | null;
  /** true / false: verified (when received, or now by the CLI); null: declared by the record, not verified. */
  valid: boolean | null;
  detail?: string | null;
  /** When a trusted RFC 3161 authority stamped the signature (its certificate was checked then). */
  stampedAt?: string | null;
}

export interface RecordPdfInput {
  record: CanonicalRecord;
  signatures: PdfSignature[];
  /** The public lookup's address for this record's lookup code (printed and in the QR code). */
  lookupUrl: string;
  /** Where the record is on its way to the Ministry (the gateway's state label), when known. */
  stateLabel?: string | null;
  generatedAt: Date;
}

const MARGIN = 48;
const GREY = '#555555';

type Doc = PDFKit.PDFDocument;

function heading(doc: Doc, text: string): void {
  doc.moveDown(0.6).font('bold').fontSize(12).fillColor('black').text(text, MARGIN);
  const y = doc.y + 2;
  doc.moveTo(MARGIN, y).lineTo(doc.page.width - MARGIN, y).lineWidth(0.5).strokeColor('#999999').stroke();
  doc.moveDown(0.4).font('regular').fontSize(10);
}

/** Disability types as the record form names them (Law 51/2010/QH12 art. 3.1). */
const DISABILITY_NAMES: Readonly<Record<DisabilityType, string>> = {
  VAN_DONG: 'khuyết tật vận động',
  NGHE_NOI: 'khuyết tật nghe, nói',
  NHIN: 'khuyết tật nhìn',
  THAN_KINH_TAM_THAN: 'khuyết tật thần kinh, tâm thần',
  TRI_TUE: 'khuyết tật trí tuệ',
  KHAC: 'khuyết tật khác',
};

function field(doc: Doc, label: string, value: string | number | null | undefined): void {
  doc.font('bold').fontSize(10).text(`${label}: `, MARGIN, doc.y, { continued: true }).font('regular').text(value === null || value === undefined || value === '' ? '—' : String(value));
}

/** A table with fixed column widths; rows break onto a new page with the header repeated. */
function table(doc: Doc, header: string[], widths: number[], rows: string[][]): void {
  const drawRow = (cells: string[], bold: boolean) => {
    doc.font(bold ? 'bold' : 'regular').fontSize(9);
    const height = Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: widths[i]! - 6 }))) + 6;
    if (doc.y + height > doc.page.height - MARGIN) {
      doc.addPage();
      if (!bold) drawRow(header, true);
    }
    const top = doc.y;
    let x = MARGIN;
    cells.forEach((c, i) => {
      doc.rect(x, top, widths[i]!, height).lineWidth(0.4).strokeColor('#888888').stroke();
      doc.fillColor('black').text(c, x + 3, top + 3, { width: widths[i]! - 6 });
      x += widths[i]!;
    });
    doc.x = MARGIN;
    doc.y = top + height;
  };
  drawRow(header, true);
  for (const r of rows) drawRow(r, false);
  doc.font('regular').fontSize(10);
}

const score = (n: number | undefined) => (typeof n === 'number' ? n.toFixed(1) : '');
const yesNo = (b: boolean | undefined) => (b === undefined ? '—' : b ? 'Có' : 'Không');

const POLICY_NAMES: Readonly<Record<PolicyCategory, string>> = {
  CON_LIET_SI: 'Con liệt sĩ',
  CON_THUONG_BINH_BENH_BINH: 'Con thương binh, bệnh binh',
  HO_NGHEO: 'Hộ nghèo',
  HO_CAN_NGHEO: 'Hộ cận nghèo',
  DAN_TOC_THIEU_SO_VUNG_KHO_KHAN: 'Dân tộc thiểu số ở vùng đặc biệt khó khăn',
  MO_COI: 'Mồ côi',
  KHUYET_TAT: 'Khuyết tật',
  KHAC: 'Khác',
};
const RELATION_NAMES = { FATHER: 'Cha', MOTHER: 'Mẹ', GUARDIAN: 'Người giám hộ' } as const;
const TITLE_NAMES: Readonly<Record<Title, string>> = {
  HOC_SINH_XUAT_SAC: 'Học sinh Xuất sắc',
  HOC_SINH_GIOI: 'Học sinh Giỏi',
  HOC_SINH_TIEU_BIEU: 'Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện',
};

/** Profile v2: lý lịch and the school history, as the first pages of the học bạ form have them. */
function formSection(doc: Doc, f: RecordForm): void {
  heading(doc, 'Lý lịch học sinh');
  if (f.ethnicityCode) field(doc, 'Mã dân tộc', f.ethnicityCode);
  field(doc, 'Nơi sinh', f.birthPlace);
  field(doc, 'Quê quán', f.homeTown);
  field(doc, 'Nơi ở hiện nay', f.address);
  if (f.policyCategory) field(doc, 'Đối tượng chính sách', POLICY_NAMES[f.policyCategory]);
  field(doc, 'Số đăng bộ', f.registrationNumber);
  field(doc, 'Ngày nhập học', f.enrolmentDate);
  for (const m of f.family ?? []) {
    field(doc, `Họ tên ${RELATION_NAMES[m.relation].toLowerCase()}`, [m.fullName, m.birthYear ? `sinh năm ${m.birthYear}` : '', m.occupation ?? ''].filter(Boolean).join(', '));
  }
  if (f.physical) field(doc, 'Chiều cao / cân nặng', `${f.physical.heightCm} cm / ${f.physical.weightKg} kg`);
  if (f.schoolHistory?.length) {
    heading(doc, 'Quá trình học tập');
    table(doc, ['Năm học', 'Lớp', 'Trường', 'Chuyển trường'], [70, 45, 240, 160], f.schoolHistory.map((e) => [
      e.schoolYear,
      e.className,
      e.schoolName,
      e.transfer ? `${e.transfer.kind === 'IN' ? 'chuyển đến' : 'chuyển đi'} ngày ${e.transfer.date}${e.transfer.otherSchool ? ` (${e.transfer.otherSchool})` : ''}` : '',
    ]));
  }
}

/** Profile v2: the comments of each subject, quality and competency, and the titles. */
function commentSection(doc: Doc, f: RecordForm): void {
  const rows = [
    ...(f.subjectComments ?? []).map((c) => [c.subject, c.comment]),
    ...(f.qualityComments ?? []).map((c) => [c.code, c.comment]),
    ...(f.competencyComments ?? []).map((c) => [c.code, c.comment]),
  ];
  if (rows.length) {
    heading(doc, 'Nhận xét');
    table(doc, ['Môn học / phẩm chất / năng lực', 'Nhận xét'], [175, 340], rows);
  }
  if (f.titles?.length) field(doc, 'Danh hiệu', f.titles.map((t) => TITLE_NAMES[t]).join(', '));
}

function primarySection(doc: Doc, p: PrimaryResults): void {
  heading(doc, 'Kết quả học tập các môn học và hoạt động giáo dục');
  table(
    doc,
    ['Môn học / hoạt động giáo dục', 'Mức đạt được', 'Điểm KTĐK cuối năm'],
    [230, 160, 110],
    p.subjects.map((s) => [nameOf(PRIMARY_SUBJECT_VI, s.subject), nameOf(SUBJECT_LEVEL_VI, s.level), s.testScores?.endOfYear !== undefined ? String(s.testScores.endOfYear) : '']),
  );
  heading(doc, 'Phẩm chất chủ yếu và năng lực cốt lõi');
  table(
    doc,
    ['Phẩm chất / năng lực', 'Mức đạt được'],
    [330, 170],
    [
      ...p.qualities.map((q) => [`Phẩm chất: ${nameOf(QUALITY_VI, q.code)}`, nameOf(RATING_VI, q.rating)]),
      ...p.competencies.map((c) => [`Năng lực: ${nameOf(COMPETENCY_VI, c.code)}`, nameOf(RATING_VI, c.rating)]),
    ],
  );
  heading(doc, 'Đánh giá kết quả giáo dục');
  field(doc, 'Kết quả giáo dục cuối năm', nameOf(YEAR_END_VI, p.yearEndResult));
  field(doc, 'Hoàn thành chương trình lớp học', yesNo(p.completedProgramme));
  field(doc, 'Được lên lớp', yesNo(p.promoted));
  field(doc, 'Khen thưởng', p.commendations.join('; '));
  field(doc, 'Nhận xét', p.remarks);
}

function secondarySection(doc: Doc, s: SecondaryResults): void {
  heading(doc, 'Kết quả học tập các môn học đánh giá bằng điểm số');
  // Kiểm tra lại: a column only when some subject was retaken after a failed year.
  const retaken = s.scoreSubjects.some((r) => r.retestScore !== undefined) || s.commentSubjects.some((r) => r.retestResult !== undefined);
  const retest = retaken ? ['Kiểm tra lại'] : [];
  table(
    doc,
    ['Môn học', 'ĐTB học kì I', 'ĐTB học kì II', 'ĐTB cả năm', ...retest],
    retaken ? [155, 90, 90, 90, 90] : [200, 100, 100, 100],
    s.scoreSubjects.map((r) => [nameOf(SECONDARY_SUBJECT_VI, r.subject), score(r.termI?.average), score(r.termII?.average), score(r.yearAverage), ...(retaken ? [score(r.retestScore)] : [])]),
  );
  if (s.commentSubjects.length) {
    heading(doc, 'Các môn học đánh giá bằng nhận xét');
    table(
      doc,
      ['Môn học', 'Học kì I', 'Học kì II', 'Cả năm', ...retest],
      retaken ? [155, 90, 90, 90, 90] : [200, 100, 100, 100],
      s.commentSubjects.map((r) => [
        nameOf(SECONDARY_SUBJECT_VI, r.subject),
        nameOf(COMMENT_RESULT_VI, r.termI?.result),
        nameOf(COMMENT_RESULT_VI, r.termII?.result),
        nameOf(COMMENT_RESULT_VI, r.yearResult),
        ...(retaken ? [r.retestResult ? nameOf(COMMENT_RESULT_VI, r.retestResult) : ''] : []),
      ]),
    );
  }
  heading(doc, 'Kết quả học tập và rèn luyện');
  const after = (v: string | undefined) => (v ? nameOf(RESULT_LEVEL_VI, v) : '');
  table(
    doc,
    ['', 'Học kì I', 'Học kì II', 'Cả năm', 'Sau hè'],
    [140, 90, 90, 90, 90],
    [
      ['Kết quả học tập', nameOf(RESULT_LEVEL_VI, s.learningResult.termI), nameOf(RESULT_LEVEL_VI, s.learningResult.termII), nameOf(RESULT_LEVEL_VI, s.learningResult.year), after(s.learningResult.afterSummer)],
      ['Kết quả rèn luyện', nameOf(RESULT_LEVEL_VI, s.conductResult.termI), nameOf(RESULT_LEVEL_VI, s.conductResult.termII), nameOf(RESULT_LEVEL_VI, s.conductResult.year), after(s.conductResult.afterSummer)],
    ],
  );
  doc.moveDown(0.4);
  field(doc, 'Được lên lớp / hoàn thành chương trình', yesNo(s.promoted));
  field(doc, 'Khen thưởng', s.commendations.join('; '));
  field(doc, 'Nhận xét', s.remarks);
}

function signatureSection(doc: Doc, signatures: PdfSignature[]): void {
  heading(doc, 'Chữ ký số (Signatures)');
  if (signatures.length === 0) {
    doc.text('Hồ sơ không kèm chữ ký số của nhà trường.', MARGIN);
    return;
  }
  const roleName = (r: string | null) => (r ? (SIGNER_ROLE_VI[r] ?? nameOf(SIGNATURE_ROLE_VI, r)) : '—');
  const verdict = (s: PdfSignature) =>
    s.valid === null
      ? 'Kê khai trong hồ sơ (chưa kiểm tra)'
      : s.valid
        ? `Hợp lệ${s.stampedAt ? ` (dấu thời gian ${s.stampedAt})` : ''}`
        : `Không hợp lệ${s.detail ? `: ${s.detail}` : ''}`;
  table(
    doc,
    ['Vai trò', 'Người ký', 'Thời điểm ký', 'Kết quả kiểm tra'],
    [110, 150, 120, 120],
    signatures.map((s) => [roleName(s.role), s.signer ?? '—', s.time ?? '—', verdict(s)]),
  );
}

/** Draws the QR code of `text` as squares, `size` points wide, at (x, y). */
function qr(doc: Doc, text: string, x: number, y: number, size: number): void {
  const { modules } = qrcode().create(text, { errorCorrectionLevel: 'M' });
  const cell = size / (modules.size + 8);
  const origin = 4 * cell;
  for (let r = 0; r < modules.size; r++) {
    for (let c = 0; c < modules.size; c++) {
      if (modules.data[r * modules.size + c]) doc.rect(x + origin + c * cell, y + origin + r * cell, cell, cell);
    }
  }
  doc.fillColor('black').fill();
}

function lookupSection(doc: Doc, input: RecordPdfInput): void {
  const size = 96;
  if (doc.y + size + 20 > doc.page.height - MARGIN) doc.addPage();
  heading(doc, 'Tra cứu và xác minh (Lookup)');
  const top = doc.y;
  qr(doc, input.lookupUrl, doc.page.width - MARGIN - size, top, size);
  const width = doc.page.width - 2 * MARGIN - size - 12;
  doc.font('bold').fontSize(10).fillColor('black').text('Mã tra cứu học bạ: ', MARGIN, top, { continued: true, width }).font('regular').text(input.record.lookupCode);
  doc.text(`Địa chỉ tra cứu: ${input.lookupUrl}`, MARGIN, doc.y, { width });
  doc.fillColor(GREY).fontSize(8.5).text('Quét mã QR hoặc mở địa chỉ trên để kiểm tra học bạ này trên cổng kết nối của Sở GD&ĐT; nhập ngày sinh của học sinh để xem họ tên.', MARGIN, doc.y + 4, { width });
  doc.fillColor('black').fontSize(10);
  doc.y = Math.max(doc.y, top + size) + 6;
}

/** The record as a PDF học bạ. */
export async function renderRecordPdf(input: RecordPdfInput): Promise<Buffer> {
  const r = input.record;
  const PDFDocument = pdfkit();
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: { Title: `Học bạ ${r.recordId} — ${r.schoolYear}`, Author: r.school.name, Subject: 'Học bạ số', Producer: 'hocba-gateway', Creator: 'hocba-gateway' },
    // The same record renders to the same bytes apart from this date (no random document id).
    compress: true,
  });
  doc.registerFont('regular', REGULAR);
  doc.registerFont('bold', BOLD);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('regular').fontSize(9).fillColor(GREY).text(`${r.school.name} — mã trường ${r.school.schoolId}`, { align: 'left' });
  doc.moveDown(0.8).font('bold').fontSize(20).fillColor('black').text('HỌC BẠ', { align: 'center' });
  doc.font('regular').fontSize(10).fillColor(GREY).text(`Năm học ${r.schoolYear} · Lớp ${r.className} (khối ${r.grade})`, { align: 'center' });
  doc.fillColor('black');

  heading(doc, 'Thông tin học sinh');
  field(doc, 'Họ và tên', r.student.fullName);
  field(doc, 'Ngày sinh', r.student.birthDate);
  field(doc, 'Giới tính', r.student.sex === 'F' ? 'Nữ' : r.student.sex === 'M' ? 'Nam' : r.student.sex);
  field(doc, 'Dân tộc', r.student.ethnicity);
  field(doc, 'Quốc tịch', r.student.nationality);
  field(doc, 'Mã học sinh', r.student.learnerId);
  field(doc, 'Mã định danh cá nhân', r.student.personalId ?? (r.student.personalIdPending ? 'đang chờ cấp (pending)' : undefined));
  const st = r.student;
  if (st.identityDocument) field(doc, st.identityDocument.kind === 'PASSPORT' ? 'Hộ chiếu' : 'Giấy tờ đi lại quốc tế', `${st.identityDocument.number} (${st.identityDocument.issuingCountry})`);
  if (st.birthRegistrationCountry) field(doc, 'Đăng ký khai sinh tại', st.birthRegistrationCountry);
  if (st.disability) field(doc, 'Khuyết tật', `${DISABILITY_NAMES[st.disability.type]}${st.disability.individualPlan ? '; đánh giá theo kế hoạch giáo dục cá nhân' : ''}`);
  const exempt = (r.primary ?? r.secondary)?.exemptSubjects;
  if (exempt?.length) field(doc, 'Miễn học', exempt.map((e) => `${e.subject} (${e.reason === 'HEALTH' ? 'sức khỏe' : 'khuyết tật'})`).join(', '));
  const yes = (b: boolean) => (b ? 'Có' : 'Không');
  const supp = r.primary?.supplementaryAssessment;
  if (supp) field(doc, 'Đánh giá bổ sung', `ngày ${supp.date}: ${supp.completedProgramme ? 'hoàn thành' : 'chưa hoàn thành'} chương trình lớp học`);
  if (r.primary?.completedPrimary !== undefined) field(doc, 'Hoàn thành chương trình tiểu học', yes(r.primary.completedPrimary));
  const lsc = r.secondary?.lowerSecondaryCompletion;
  if (lsc) field(doc, 'Xác nhận hoàn thành chương trình THCS', `số ${lsc.decisionNumber}, ngày ${lsc.date}`);
  if (r.secondary?.graduationReviewEligible !== undefined) field(doc, 'Đủ điều kiện dự xét công nhận tốt nghiệp THPT', yes(r.secondary.graduationReviewEligible));
  field(doc, 'Số học bạ', r.recordId);
  field(doc, 'Phiên bản / ngày hiệu lực', `${r.version} / ${r.effectiveDate}`);
  field(doc, 'Giáo viên chủ nhiệm', r.homeroomTeacher);
  field(doc, 'Hiệu trưởng', r.principal);

  if (r.form) formSection(doc, r.form);
  if (r.primary) primarySection(doc, r.primary);
  if (r.secondary) secondarySection(doc, r.secondary);
  if (r.form) commentSection(doc, r.form);

  heading(doc, 'Chuyên cần');
  field(doc, 'Số buổi nghỉ có phép', r.attendance?.excusedAbsences);
  field(doc, 'Số buổi nghỉ không phép', r.attendance?.unexcusedAbsences);

  signatureSection(doc, input.signatures);
  lookupSection(doc, input);

  doc.moveDown(0.6).fontSize(8).fillColor(GREY).text(
    `Bản in từ cổng kết nối học bạ số lúc ${input.generatedAt.toISOString()}${input.stateLabel ? ` · trạng thái gửi Bộ: ${input.stateLabel}` : ''}. ` +
      'Printed by the provincial học bạ gateway; the lookup address above verifies it.',
    MARGIN,
  );
  doc.end();
  return done;
}

/**
 * The signatures to print: those verified when the record was received (a signed document's
 * reports, as stored), else those the record itself declares (role and time, not verified).
 */
export function pdfSignatures(verified: unknown[] | null | undefined, record: CanonicalRecord): PdfSignature[] {
  if (Array.isArray(verified) && verified.length > 0) {
    return (verified as Record<string, unknown>[]).map((s) => {
      const signer = s.signer as { commonName?: string | null; subject?: string } | undefined;
      return {
        role: typeof s.role === 'string' ? s.role : null,
        signer: signer?.commonName ?? signer?.subject ?? null,
        time: typeof s.signingTime === 'string' ? s.signingTime : null,
        valid: s.valid === true,
        detail: typeof s.code === 'string' ? s.code : null,
        stampedAt: storedStampTime(s),
      };
    });
  }
  return (record.signatures ?? []).map((s) => ({ role: s.role, signer: null, time: s.signedAt, valid: null }));
}

/** The public lookup's address of a lookup code, under the gateway's public base URL. */
export function lookupUrlOf(baseUrl: string, lookupCode: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/lookup/${encodeURIComponent(lookupCode)}`;
}
