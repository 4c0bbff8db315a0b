import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SoapService, VendorAdapter } from '../adapters/adapter.js';
import { adapters } from '../adapters/registry.js';
import { readEnvelopeHead, SOAP11_NS, SOAP12_NS, type EnvelopeRead } from '../adapters/soap-envelope.js';
import { attrNamed, childNamed, leafText, XmlTreeError, xmlEscape, type XNode } from '../adapters/xml-tree.js';
import type { BatchIntakeOutcome } from '../pipeline/batch-intake.js';
import type { ErrorCode } from '../errors/catalogue.js';
import { ProblemError, problem } from '../errors/problem.js';
import { accept } from '../pipeline/accept.js';
import type { SubmissionResponse } from '../pipeline/submission.js';
import { credentialRefusal, hashKey } from '../plugins/auth.js';
import type { Credential } from '../storage/store.js';
import type { ValidationError } from '../validation/types.js';
import { intakeProblem, recordToView } from './submissions.js';
import { storageFaultOf } from '../storage/faults.js';

// Vendors' SOAP 1.1 services (document/literal): every adapter that declares `soap` gets its
// endpoint here, its WSDL at `?wsdl` and the XSDs that WSDL includes at `?xsd=<file>`. The
// envelope is read with saxes (adapters/xml-tree.ts: no DTD, bounded, element names never keys),
// here only up to the start of SubmitBatch's batch element (adapters/soap-envelope.ts): enough to
// authenticate the caller and know the operation. The envelope then goes whole to the intake (a
// thread, for a large batch), which reads it and its batch in one pass, and its records go to
// the same acceptance step as POST /v1/submissions (pipeline/accept.ts). A 500-pupil secondary
// batch is about 4 MB of XML, 7 MB indented: reading it here took the loop 65-85 ms each time.
// Answers are written by hand.
//
// Faults: every fault is HTTP 500 with a SOAP 1.1 Fault, as SOAP 1.1 (section 6.2) and the WS-I
// Basic Profile (R1126) require, because WSDL clients (zeep, .NET, Java, node-soap) read a fault
// from a 500 and treat a 401 or 4xx as a transport error without looking at the body. The fault's
// detail (GatewayFault) carries the gateway's code, the HTTP status the REST API would give,
// both messages and per-record or per-field errors; faultcode is soap:Client for the caller's
// problems and soap:Server for the gateway's.

export const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const PASSWORD_TEXT = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';
const XML_TYPE = 'text/xml; charset=utf-8';

interface FaultError {
  index?: number;
  recordKey?: string;
  code: string;
  path: string;
  en: string;
  vi: string;
}

/** A SOAP fault to answer: a catalogue code, or one of SOAP's own (VersionMismatch, MustUnderstand). */
export class SoapFault extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly extra: ProblemError['extra'] & { soapCode?: 'VersionMismatch' | 'MustUnderstand' } = {},
  ) {
    super(extra.detail ?? code);
  }
}

function faultErrors(extra: ProblemError['extra']): FaultError[] {
  const out: FaultError[] = [];
  for (const e of extra.errors ?? []) out.push({ code: e.code, path: e.path, en: e.message_en, vi: e.message_vi });
  for (const e of extra.validationErrors ?? []) out.push({ index: e.index, ...(e.recordKey ? { recordKey: e.recordKey } : {}), code: e.code, path: e.path, en: e.message_en, vi: e.message_vi });
  return out;
}

function errorsXml(list: FaultError[]): string {
  if (list.length === 0) return '';
  const one = (e: FaultError) =>
    '<Error>' +
    (e.index !== undefined ? `<Index>${e.index}</Index>` : '') +
    (e.recordKey !== undefined ? `<RecordKey>${xmlEscape(e.recordKey)}</RecordKey>` : '') +
    `<Code>${xmlEscape(e.code)}</Code><Path>${xmlEscape(e.path)}</Path><MessageEn>${xmlEscape(e.en)}</MessageEn><MessageVi>${xmlEscape(e.vi)}</MessageVi></Error>`;
  return `<Errors>${list.map(one).join('')}</Errors>`;
}

/** The envelope of a SOAP 1.1 fault for a catalogue code. */
export function faultXml(ns: string, code: ErrorCode, extra: SoapFault['extra'] = {}): string {
  const p = problem(code, extra);
  const faultcode = extra.soapCode ? `soap:${extra.soapCode}` : p.status >= 500 ? 'soap:Server' : 'soap:Client';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope xmlns:soap="${SOAP11_NS}"><soap:Body><soap:Fault>` +
    `<faultcode>${faultcode}</faultcode><faultstring xml:lang="en">${xmlEscape(`${p.code}: ${p.detail}`)}</faultstring>` +
    `<detail><GatewayFault xmlns="${xmlEscape(ns)}"><Code>${p.code}</Code><Status>${p.status}</Status>` +
    `<MessageEn>${xmlEscape(p.detail)}</MessageEn><MessageVi>${xmlEscape(p.detail_vi)}</MessageVi>${errorsXml(faultErrors(extra))}</GatewayFault></detail>` +
    '</soap:Fault></soap:Body></soap:Envelope>\n'
  );
}

const envelope = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope xmlns:soap="${SOAP11_NS}"><soap:Body>${body}</soap:Body></soap:Envelope>\n`;
const leaf = (name: string, v: string | number | boolean | null | undefined) => (v === null || v === undefined ? '' : `<${name}>${xmlEscape(String(v))}</${name}>`);
const recordErrors = (errors: ValidationError[] | undefined) => errorsXml((errors ?? []).map((e) => ({ code: e.code, path: e.path, en: e.message_en, vi: e.message_vi })));

function submitResponseXml(ns: string, r: SubmissionResponse, replayed: boolean): string {
  const records = r.records
    .map((o) => `<Record>${leaf('Index', o.index)}${leaf('RecordId', o.recordId)}${leaf('RecordKey', o.recordKey)}${leaf('Status', o.status)}${recordErrors(o.errors)}</Record>`)
    .join('');
  return envelope(
    `<SubmitBatchResponse xmlns="${xmlEscape(ns)}">${leaf('SubmissionId', r.submissionId)}${leaf('DryRun', r.dryRun === true)}${leaf('Replayed', replayed)}` +
      `${leaf('Received', r.received)}${leaf('Queued', r.queued)}${leaf('Rejected', r.rejected)}<Records>${records}</Records></SubmitBatchResponse>`,
  );
}

/** A boolean element (xs:boolean), absent meaning false. */
function flag(node: XNode | undefined, path: string): boolean {
  const v = leafText(node);
  if (v === undefined || v === 'false' || v === '0') return false;
  if (v === 'true' || v === '1') return true;
  throw new SoapFault('REQUEST_INVALID', { errors: [{ path, code: 'REQUEST_INVALID', message_en: `${path} must be true or false`, message_vi: `${path} phải là true hoặc false` }] });
}

function requestInvalid(path: string, en: string, vi: string): SoapFault {
  return new SoapFault('REQUEST_INVALID', { detail: en, detail_vi: vi, errors: [{ path, code: 'REQUEST_INVALID', message_en: en, message_vi: vi }] });
}

/** The served WSDL: the file with soap:address and the schemaLocations pointing at this gateway. */
function servedWsdl(wsdl: string, service: SoapService, base: string): string {
  const endpoint = xmlEscape(base + service.path);
  let out = wsdl.replace(/(<soap:address\s+location=")[^"]*(")/, `$1${endpoint}$2`);
  for (const xsd of service.xsdFiles) out = out.split(`schemaLocation="${xsd}"`).join(`schemaLocation="${endpoint}?xsd=${encodeURIComponent(xsd)}"`);
  return out;
}

function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** The WS-Security UsernameToken of the header, if any. */
function usernameToken(header: XNode | undefined): { username?: string; password?: string; type?: string } | null {
  const security = header?.children.find((c) => c.name === 'Security' && c.ns === WSSE_NS);
  const token = security?.children.find((c) => c.name === 'UsernameToken' && c.ns === WSSE_NS);
  if (!token) return null;
  const password = token.children.find((c) => c.name === 'Password' && c.ns === WSSE_NS);
  return { username: leafText(token.children.find((c) => c.name === 'Username' && c.ns === WSSE_NS)), password: leafText(password), type: attrNamed(password, 'Type') };
}

/** SOAP 1.1: a header block the receiver must understand and does not is a MustUnderstand fault. */
function checkMustUnderstand(header: XNode | undefined): void {
  for (const block of header?.children ?? []) {
    const mu = attrNamed(block, 'mustUnderstand', SOAP11_NS);
    if ((mu === '1' || mu === 'true') && !(block.name === 'Security' && block.ns === WSSE_NS)) {
      throw new SoapFault('REQUEST_INVALID', { soapCode: 'MustUnderstand', detail: `Header block ${block.name} (${block.ns}) is not understood.`, detail_vi: `Không hỗ trợ khối tiêu đề ${block.name} (${block.ns}).` });
    }
  }
}

function serviceRoutes(adapter: VendorAdapter, service: SoapService) {
  const wsdlText = readFileSync(service.wsdlFile, 'utf8');
  const xsdTexts = new Map(service.xsdFiles.map((f) => [f, readFileSync(join(dirname(service.wsdlFile), f), 'utf8')]));
  const ns = service.namespace;
  const vendor = adapter.vendor;

  return async function routes(app: FastifyInstance): Promise<void> {
    const { store, settings, intake } = app.services;
    const sendFault = (reply: FastifyReply, code: ErrorCode, extra: SoapFault['extra'] = {}) => {
      reply.request.logSummary = { ...reply.request.logSummary, code };
      return reply.code(500).type(XML_TYPE).send(faultXml(ns, code, extra));
    };

    // Whatever the Content-Type (SOAP 1.1 says text/xml; some clients send application/xml or
    // nothing usable), the body is read as text and judged as an envelope: never a JSON 415.
    app.removeAllContentTypeParsers();
    // As bytes: the loop decodes only the envelope's head, the intake thread the rest.
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    app.setErrorHandler((err: FastifyError, request, reply) => {
      if (err instanceof SoapFault) return sendFault(reply, err.code, err.extra);
      if (err instanceof ProblemError) return sendFault(reply, err.code, err.extra);
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) return sendFault(reply, 'BODY_TOO_LARGE');
      if (err.statusCode === 400) return sendFault(reply, 'BODY_MALFORMED');
      const fault = storageFaultOf(err);
      if (fault) {
        request.log.warn({ code: fault.code, cause: (err as { code?: string }).code ?? err.message }, 'storage fault');
        reply.header('retry-after', String(fault.retryAfterSeconds));
        return sendFault(reply, fault.code);
      }
      request.log.error({ err }, 'unhandled error');
      return sendFault(reply, 'INTERNAL');
    });

    app.get(service.path, { schema: { hide: true } }, async (request, reply) => {
      const query = request.query as Record<string, string | undefined>;
      const xsd = typeof query.xsd === 'string' ? query.xsd : undefined;
      if (xsd !== undefined) {
        const text = xsdTexts.get(xsd);
        if (text === undefined) throw new SoapFault('NOT_FOUND', { detail: `No schema ${xsd} here.`, detail_vi: `Không có lược đồ ${xsd}.` });
        return reply.type(XML_TYPE).send(servedWsdl(text, service, baseUrl(request)));
      }
      // ?wsdl, or the bare address: the WSDL.
      return reply.type(XML_TYPE).send(servedWsdl(wsdlText, service, baseUrl(request)));
    });

    /** The caller's credential: Bearer, or else the UsernameToken; the key must be this vendor's. */
    const authenticate = async (request: FastifyRequest, header: XNode | undefined): Promise<Credential> => {
      const m = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
      let key: string | undefined;
      if (m) key = m[1];
      else {
        const token = usernameToken(header);
        if (!token || token.password === undefined) {
          throw new SoapFault('AUTH_MISSING', {
            detail: `Send a WS-Security UsernameToken (Username ${vendor}, Password of Type PasswordText = your key) or Authorization: Bearer <key>.`,
            detail_vi: `Cần gửi WS-Security UsernameToken (Username ${vendor}, Password kiểu PasswordText = khóa) hoặc Authorization: Bearer <khóa>.`,
          });
        }
        if (token.type !== undefined && token.type !== PASSWORD_TEXT) {
          throw new SoapFault('AUTH_INVALID', {
            detail: 'Only Password Type PasswordText is accepted (over TLS): the gateway keeps only a hash of each key, so it cannot check a digest.',
            detail_vi: 'Chỉ chấp nhận Password kiểu PasswordText (qua TLS): cổng chỉ lưu giá trị băm của khóa nên không kiểm tra được digest.',
          });
        }
        if (token.username !== vendor) throw new SoapFault('AUTH_INVALID', { detail: `The Username must be ${vendor}.`, detail_vi: `Username phải là ${vendor}.` });
        key = token.password;
      }
      const cred = await store.findCredential(hashKey(key!));
      if (!cred || !cred.id) throw new SoapFault('AUTH_INVALID');
      const refusal = credentialRefusal(cred, Date.now());
      if (refusal) throw new SoapFault(refusal);
      if (cred.kind !== 'vendor' || cred.vendor !== vendor) {
        throw new SoapFault('FORBIDDEN', { detail: `This endpoint is for ${adapter.title} keys.`, detail_vi: `Điểm cuối này dành cho khóa của ${adapter.title}.` });
      }
      request.principal = { ...cred, id: cred.id, role: cred.role ?? null, name: cred.name ?? null, via: 'api' };
      return cred;
    };

    const submitBatch = async (request: FastifyRequest, reply: FastifyReply, op: XNode | undefined, outcome: BatchIntakeOutcome | null, cred: Credential) => {
      const idempotencyKey = leafText(childNamed(op, 'IdempotencyKey')) ?? null;
      if (idempotencyKey !== null && idempotencyKey.length > 200) throw requestInvalid('/SubmitBatch/IdempotencyKey', 'IdempotencyKey is at most 200 characters.', 'IdempotencyKey tối đa 200 ký tự.');
      const dryRun = flag(childNamed(op, 'DryRun'), '/SubmitBatch/DryRun');
      if (outcome === null) throw requestInvalid(`/SubmitBatch/${service.batchElement}`, `SubmitBatch carries the batch in <${service.batchElement}>.`, `SubmitBatch phải chứa lô dữ liệu trong <${service.batchElement}>.`);
      if (outcome.kind !== 'ok') {
        const p = intakeProblem(outcome, vendor, settings.maxRecordsPerBatch);
        throw new SoapFault(p.code, p.extra);
      }
      const accepted = await accept(
        { store, settings, nudge: app.services.nudgeDelivery, observe: app.services.observeIntake },
        { principal: { vendor, schools: cred.schools }, idempotencyKey: dryRun ? null : idempotencyKey, requestHash: outcome.requestHash, handling: null, dryRun, result: outcome.result },
      );
      switch (accepted.kind) {
        case 'conflict':
          throw new SoapFault('IDEMPOTENCY_KEY_REUSED', { detail: 'This IdempotencyKey was used with a different batch.', detail_vi: 'IdempotencyKey này đã được dùng với lô dữ liệu khác.' });
        case 'refused':
          throw new SoapFault(accepted.code, { validationErrors: accepted.response.validationErrors });
        case 'replayed':
          return reply.type(XML_TYPE).send(submitResponseXml(ns, accepted.response as SubmissionResponse, true));
        case 'dry-run':
          return reply.type(XML_TYPE).send(submitResponseXml(ns, accepted.response, false));
        case 'stored': {
          const r = accepted.response;
          request.logSummary = { submissionId: r.submissionId, vendor, queued: r.queued, rejected: r.rejected };
          return reply.type(XML_TYPE).send(submitResponseXml(ns, r, false));
        }
      }
    };

    const getSubmission = async (reply: FastifyReply, op: XNode | undefined, cred: Credential) => {
      const id = leafText(childNamed(op, 'SubmissionId'));
      if (id === undefined) throw requestInvalid('/GetSubmission/SubmissionId', 'SubmissionId is required.', 'Thiếu SubmissionId.');
      const sub = await store.getSubmission(id);
      // A vendor sees only its own submissions; another's is as good as absent.
      if (!sub || sub.vendor !== cred.vendor) throw new SoapFault('NOT_FOUND', { detail: `No submission ${id}.`, detail_vi: `Không có lần gửi ${id}.` });
      const rows = await store.listRecords({ submissionId: id, limit: 100000 });
      const counts = new Map<string, number>();
      for (const r of rows) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
      const records = rows
        .map(recordToView)
        .map(
          (v) =>
            `<Record>${leaf('Index', v.index)}${leaf('RecordId', v.recordId)}${leaf('RecordKey', v.recordKey)}${leaf('State', v.state)}${leaf('Attempts', v.attempts)}` +
            `${leaf('NextAttemptAt', v.nextAttemptAt)}${leaf('LastCode', v.lastCode)}${leaf('LastReason', v.lastReason)}${leaf('MinistryRecordId', v.ministryRecordId)}` +
            `${leaf('UpdatedAt', v.updatedAt)}${recordErrors(v.errors as ValidationError[] | null ?? undefined)}</Record>`,
        )
        .join('');
      const countsXml = [...counts].map(([state, n]) => `<Count>${leaf('State', state)}${leaf('Number', n)}</Count>`).join('');
      return reply
        .type(XML_TYPE)
        .send(envelope(`<GetSubmissionResponse xmlns="${xmlEscape(ns)}">${leaf('SubmissionId', sub.id)}${leaf('CreatedAt', new Date(sub.createdAt).toISOString())}<Counts>${countsXml}</Counts><Records>${records}</Records></GetSubmissionResponse>`));
    };

    app.post(service.path, { schema: { hide: true } }, async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      let head: EnvelopeRead;
      try {
        head = readEnvelopeHead(body, service);
      } catch (e) {
        if (!(e instanceof XmlTreeError)) throw e;
        throw malformed(e.described);
      }
      const { root } = head;
      if (root?.name === 'Envelope' && root.ns === SOAP12_NS) {
        throw new SoapFault('REQUEST_INVALID', { soapCode: 'VersionMismatch', detail: 'This service speaks SOAP 1.1 (text/xml), not SOAP 1.2.', detail_vi: 'Dịch vụ này dùng SOAP 1.1 (text/xml), không dùng SOAP 1.2.' });
      }
      if (root?.name !== 'Envelope' || root.ns !== SOAP11_NS) {
        throw new SoapFault('BODY_MALFORMED', { detail: `The body must be a SOAP 1.1 Envelope (${SOAP11_NS}), not <${root?.name}>.`, detail_vi: `Nội dung phải là phong bì SOAP 1.1 (${SOAP11_NS}).` });
      }
      const header = head.header?.name === 'Header' && head.header.ns === SOAP11_NS ? head.header : undefined;
      checkMustUnderstand(header);
      const cred = await authenticate(request, header);
      const operation = head.operation;
      if (operation?.ns === ns && operation.name === 'SubmitBatch') {
        // Without a batch element the head is the whole envelope; with one, the intake reads it all.
        if (!head.batchFollows) return submitBatch(request, reply, head.op, null, cred);
        const read = await intake.run({ vendor, envelope: body });
        if (read.kind === 'envelope-malformed') throw malformed(read.message);
        if (read.batches > 1) throw requestInvalid(`/SubmitBatch/${service.batchElement}`, `SubmitBatch carries one <${service.batchElement}>.`, `SubmitBatch chỉ chứa một <${service.batchElement}>.`);
        return submitBatch(request, reply, read.op, read.batch, cred);
      }
      if (operation?.ns === ns && operation.name === 'GetSubmission') return getSubmission(reply, head.op, cred);
      throw requestInvalid('/Envelope/Body', `The Body must hold SubmitBatch or GetSubmission in namespace ${ns}.`, `Body phải chứa SubmitBatch hoặc GetSubmission thuộc không gian tên ${ns}.`);
    });
  };
}

function malformed(message: string): SoapFault {
  return new SoapFault('BODY_MALFORMED', {
    detail: `The body is not a well-formed XML SOAP envelope: ${message}.`,
    detail_vi: `Nội dung không phải phong bì SOAP XML hợp lệ: ${message}.`,
  });
}

/** Every vendor SOAP service the adapters declare (one encapsulated context each: its own parsers and fault handler). */
export default async function soapRoutes(app: FastifyInstance): Promise<void> {
  for (const adapter of Object.values(adapters)) {
    if (adapter.soap) await app.register(serviceRoutes(adapter, adapter.soap));
  }
}
