import type { FastifyInstance } from 'fastify';
import { recordFromXmlText } from '../canonical/from-xml.js';
import type { CanonicalRecord } from '../canonical/record.js';
import { audit, actorOf } from '../admin/audit.js';
import { stateLabel } from '../dashboard/i18n.js';
import { ProblemError } from '../errors/problem.js';
import { PdfRenderer } from '../pdf/pdf-pool.js';
import { lookupUrlOf, pdfSignatures } from '../pdf/record-pdf.js';

// GET /v1/records/{id}/pdf (issue 15 item 11): the PDF học bạ of one stored record, for the
// vendor that sent it or a province admin (every admin download is in the audit log: it carries
// the student's personal data). Another vendor's record answers 404, as one that does not exist.
// Once the retention purge has cleared the record's content: 410 PAYLOAD_PURGED.

export default async function recordPdfRoutes(app: FastifyInstance): Promise<void> {
  const renderer = new PdfRenderer();
  app.addHook('onClose', () => renderer.close());
  app.get(
    '/v1/records/:id/pdf',
    {
      preHandler: app.requirePrincipal,
      schema: {
        tags: ['vendor', 'admin'],
        summary: 'The PDF học bạ of a record: the record form in Vietnamese, its signatures with their verdicts, the lookup code and its QR code. The vendor of the record, or an admin.',
        security: [{ bearer: [] }],
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } },
        response: { 404: { $ref: 'Problem#' }, 410: { $ref: 'Problem#' } },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const principal = request.principal!;
      const row = await app.services.store.getRecord(id);
      const mine = row && (principal.kind === 'admin' || (principal.kind === 'vendor' && row.vendor === principal.vendor));
      // A withdrawal (a CANCEL of a record book) is no học bạ of its own: its book's versions have PDFs.
      if (!row || !mine || row.state === 'rejected' || row.kind !== 'record') throw new ProblemError('NOT_FOUND', { detail: `No record ${id} for this key.`, detail_vi: `Không có hồ sơ ${id} đối với khóa này.` });
      const payloads = await app.services.store.recordPayloads(id);
      if (!payloads?.recordXml) throw new ProblemError('PAYLOAD_PURGED');
      const record = recordFromXmlText(payloads.recordXml) as CanonicalRecord;
      const base = app.services.settings.publicUrl ?? `${request.protocol}://${request.host}`;
      const state = stateLabel(row.state).vi;
      const pdf = await renderer.render({
        record,
        signatures: pdfSignatures(row.signatures, record),
        lookupUrl: lookupUrlOf(base, record.lookupCode),
        stateLabel: state,
        generatedAt: new Date(),
      });
      if (principal.kind === 'admin') await audit(app.services.store, actorOf(request), { action: 'record.pdf', target: id, count: 1 });
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `inline; filename="hocba-${record.recordId.replace(/[^A-Za-z0-9._-]/g, '_')}.pdf"`)
        .header('cache-control', 'no-store')
        .send(pdf);
    },
  );
}
