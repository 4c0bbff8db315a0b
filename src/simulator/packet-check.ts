import { profileOf, recordFromXml, RecordXmlError } from '../canonical/from-xml.js';
import { RECORD_PROFILES } from '../canonical/profiles.js';
import { sha256Hex } from '../canonical/xml.js';
import { PACKET_NAMESPACE } from '../packet/build.js';
import { EVENT_NAMESPACE, PACKET_EVENTS, type PacketEvent } from '../packet/events.js';
import { excC14n } from '../signing/exc-c14n.js';
import { verifyEnvelopedFast } from '../signing/xmldsig.js';
import type { Receipt, ReceiptResult } from '../transport/transport.js';
import { MalformedXml, parsePacketXml } from './packet-dom.js';
import { validatorsByNamespace } from './record-schemas-compiled.js';
import type { Sender, SimulatorState } from './state.js';

// How the Ministry reads one packet (specs/ministry-profile/v0/README.md): the signature first,
// then only what the signature covers, then every record on its own. The body is parsed once:
// the verifier (signing/enveloped-verifier.ts) detaches the Signature from that DOM and hands
// back the root it digested, which is all that is read afterwards.

/** A packet refused as a whole: answered with a problem, not a receipt. */
export class PacketRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PacketRefused';
  }
}

/** Returns the first schema error of a record of the profile named by `namespace`, or undefined when it is valid. */
export type RecordValidator = (record: unknown, namespace: string) => string | undefined;


/**
 * One validator per record profile the Ministry reads (canonical/profiles.ts), each with its own
 * schema, picked by the namespace the record declares. Compiled ahead (record-schemas-compiled.ts,
 * `npm run schema:compile`): each check thread compiled the three schemas at its start, about
 * 250 ms of CPU each.
 */
export function loadRecordValidator(): RecordValidator {
  return (record, namespace) => {
    const validate = validatorsByNamespace[namespace];
    if (!validate) return `no schema for profile ${namespace}`;
    if (validate(record)) return undefined;
    const e = validate.errors?.[0];
    return e ? `${e.instancePath || '/'} ${e.message ?? 'is invalid'}` : 'record is invalid';
  };
}

export interface PacketCheckContext {
  provinceCertPem: string;
  state: SimulatorState;
  validateRecord?: RecordValidator;
  /** Who sent the packet, for the deliveries log (/_sim/deliveries). */
  sender?: Sender;
}

interface PacketRecordElement {
  key: string;
  contentHash: string;
  /** Absent in packets written before events: NEW or UPDATE as the Ministry finds the key. */
  event?: PacketEvent;
  /** The record's <hocba>, or a CANCEL's <withdrawal>. */
  hocba: Element;
}

export type Candidate =
  | { recordKey: string; contentHash: string; version: number; event?: PacketEvent; withdrawnContentHash?: string; reason?: string }
  | ReceiptResult;

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

function parseXml(xml: string): Document {
  try {
    // A tree with the DOM members the readers below use (packet-dom.ts), typed as the DOM they read.
    return parsePacketXml(xml) as unknown as Document;
  } catch (e) {
    if (e instanceof MalformedXml) throw new PacketRefused(400, 'PACKET_MALFORMED', `not well-formed XML: ${e.message}`);
    throw e;
  }
}

const malformed = (message: string): PacketRefused => new PacketRefused(400, 'PACKET_MALFORMED', message);

/** Element children, refusing stray text (whitespace between elements is tolerated). */
function elementChildren(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === ELEMENT_NODE) out.push(n as Element);
    else if (n.nodeType === TEXT_NODE && (n.nodeValue ?? '').trim() !== '') throw malformed(`unexpected text in <${el.localName}>`);
  }
  return out;
}

function expectPacketElement(el: Element | undefined, name: string): Element {
  if (!el || el.localName !== name || el.namespaceURI !== PACKET_NAMESPACE) {
    throw malformed(`expected <${name}> in namespace ${PACKET_NAMESPACE}, found ${el ? `<${el.localName}>` : 'nothing'}`);
  }
  return el;
}

/** The packet structure, read from the signed root only (the Signature already detached). */
function readSignedPacket(signedRoot: Element, malformedRecordKeys?: readonly string[]): { packetId: string; records: PacketRecordElement[] } {
  const root = expectPacketElement(signedRoot, 'packet');
  const [headerEl, recordsEl, ...rest] = elementChildren(root);
  expectPacketElement(headerEl, 'header');
  expectPacketElement(recordsEl, 'records');
  if (rest.length > 0) throw malformed(`unexpected <${rest[0].localName}> after <records>`);

  const header = new Map(elementChildren(headerEl).map((e) => [e.localName, e.textContent ?? '']));
  for (const field of ['packetId', 'provinceCode', 'createdAt', 'recordCount']) {
    if (!header.get(field)) throw malformed(`header has no ${field}`);
  }
  const packetId = header.get('packetId')!;
  if (root.getAttribute('id') !== packetId) throw malformed('packet id attribute differs from header packetId');
  const recordCount = header.get('recordCount')!;
  if (!/^\d+$/.test(recordCount)) throw malformed('header recordCount is not a whole number');

  const records = elementChildren(recordsEl).map((recordEl): PacketRecordElement => {
    expectPacketElement(recordEl, 'record');
    const key = recordEl.getAttribute('key');
    const contentHash = recordEl.getAttribute('contentHash');
    if (!key || !contentHash) throw malformed('a <record> lacks its key or contentHash attribute');
    const eventAttr = recordEl.getAttribute('event');
    if (eventAttr !== null && !(PACKET_EVENTS as readonly string[]).includes(eventAttr)) {
      throw malformed(`record ${key} has event "${eventAttr}"; the events are ${PACKET_EVENTS.join(', ')}`);
    }
    const event = (eventAttr ?? undefined) as PacketEvent | undefined;
    const children = elementChildren(recordEl);
    const hocba = children[0];
    if (event === 'CANCEL') {
      if (children.length !== 1 || hocba.localName !== 'withdrawal' || hocba.namespaceURI !== EVENT_NAMESPACE) {
        throw malformed(`record ${key} is a CANCEL and must hold exactly one <withdrawal> in namespace ${EVENT_NAMESPACE}`);
      }
      return { key, contentHash, event, hocba };
    }
    if (children.length !== 1 || hocba.localName !== 'hocba' || !profileOf(hocba)) {
      const known = [...RECORD_PROFILES.keys()].join(' or ');
      throw malformed(`record ${key} must hold exactly one <hocba> in namespace ${known}`);
    }
    return { key, contentHash, event, hocba };
  });
  if (Number(recordCount) !== records.length) {
    throw malformed(`header recordCount ${recordCount} but the packet holds ${records.length} records`);
  }
  const choking = records.find((r) => malformedRecordKeys?.includes(r.key));
  if (choking) throw malformed(`record ${choking.key} cannot be read (fault injection: malformedRecordKeys)`);
  return { packetId, records };
}

const rejected = (recordKey: string, code: string, message: string): ReceiptResult => ({ recordKey, status: 'rejected', code, message });

/**
 * The content hash of a `<hocba>` element of a parsed packet: SHA-256 of its exclusive c14n
 * (README, "content hash"). Exclusive c14n renders the namespaces the element itself uses, not
 * the packet's, so this equals canonical/xml.ts contentHashOf of the record the gateway wrote.
 */
export function contentHashOfElement(hocba: Element): string {
  return sha256Hex(excC14n(hocba));
}

/** Fault injection on records: refused one by one, or making their whole packet malformed. */
export interface RecordFaults {
  rejectRecordKeys?: readonly string[];
  malformedRecordKeys?: readonly string[];
}

/** What reading a packet needs besides its body: nothing of the simulator's state but the faults. */
export interface PacketReadContext extends RecordFaults {
  provinceCertPem: string;
  validateRecord?: RecordValidator;
}

/** Checks one record on its own: hash, content, key. Returns a rejection or what de-duplication needs. */
function checkRecord(r: PacketRecordElement, ctx: PacketReadContext, canonical: ReadonlyMap<Element, string> | undefined): Candidate {
  const kept = canonical?.get(r.hocba);
  const actualHash = kept === undefined ? contentHashOfElement(r.hocba) : sha256Hex(kept);
  if (actualHash !== r.contentHash) {
    return rejected(r.key, 'HASH_MISMATCH', `declared contentHash ${r.contentHash}, content hashes to ${actualHash}`);
  }
  if (r.event === 'CANCEL') return checkWithdrawal(r, actualHash, ctx);
  let record: Record<string, any>;
  try {
    record = recordFromXml(r.hocba) as Record<string, any>;
  } catch (e) {
    if (e instanceof RecordXmlError) return rejected(r.key, 'RECORD_INVALID', e.message);
    throw e;
  }
  const schemaError = ctx.validateRecord?.(record, r.hocba.namespaceURI ?? '');
  if (schemaError) return rejected(r.key, 'RECORD_INVALID', schemaError);
  const contentKey = `${record.student?.learnerId}/${record.schoolYear}`;
  if (contentKey !== r.key) return rejected(r.key, 'RECORD_INVALID', `key ${r.key} differs from learnerId/schoolYear ${contentKey}`);
  if (!Number.isInteger(record.version)) return rejected(r.key, 'RECORD_INVALID', 'version is not a whole number');
  if (ctx.rejectRecordKeys?.includes(r.key)) return rejected(r.key, 'RECORD_REFUSED', 'refused by fault injection');
  return { recordKey: r.key, contentHash: actualHash, version: record.version as number, event: r.event };
}

const WITHDRAWAL_FIELDS = ['recordKey', 'version', 'withdrawnContentHash', 'reason', 'requestedAt'] as const;

/** A CANCEL's <withdrawal>: its fields in order, each once, naming the record's own key. */
function checkWithdrawal(r: PacketRecordElement, actualHash: string, ctx: PacketReadContext): Candidate {
  const fields = new Map<string, string>();
  for (let n = r.hocba.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === TEXT_NODE && (n.nodeValue ?? '').trim() === '') continue;
    const el = n as Element;
    if (n.nodeType !== ELEMENT_NODE || el.namespaceURI !== EVENT_NAMESPACE) return rejected(r.key, 'RECORD_INVALID', 'a <withdrawal> holds only its elements');
    if (el.localName !== WITHDRAWAL_FIELDS[fields.size]) {
      return rejected(r.key, 'RECORD_INVALID', `<withdrawal> must hold ${WITHDRAWAL_FIELDS.join(', ')} in that order; found <${el.localName}>`);
    }
    fields.set(el.localName, el.textContent ?? '');
  }
  if (fields.size !== WITHDRAWAL_FIELDS.length) return rejected(r.key, 'RECORD_INVALID', `<withdrawal> must hold ${WITHDRAWAL_FIELDS.join(', ')}`);
  if (fields.get('recordKey') !== r.key) return rejected(r.key, 'RECORD_INVALID', `key ${r.key} differs from the withdrawal's recordKey ${fields.get('recordKey')}`);
  const version = fields.get('version')!;
  if (!/^[1-9]\d{0,8}$/.test(version)) return rejected(r.key, 'RECORD_INVALID', 'the withdrawal\'s version is not a whole number above 0');
  const withdrawn = fields.get('withdrawnContentHash')!;
  if (!/^[0-9a-f]{64}$/.test(withdrawn)) return rejected(r.key, 'RECORD_INVALID', 'withdrawnContentHash is not a lowercase hex SHA-256');
  if (!(fields.get('reason') ?? '').trim()) return rejected(r.key, 'RECORD_INVALID', 'a withdrawal gives its reason');
  if (Number.isNaN(Date.parse(fields.get('requestedAt')!))) return rejected(r.key, 'RECORD_INVALID', 'requestedAt is not a date and time');
  if (ctx.rejectRecordKeys?.includes(r.key)) return rejected(r.key, 'RECORD_REFUSED', 'refused by fault injection');
  return { recordKey: r.key, contentHash: actualHash, version: Number(version), event: 'CANCEL', withdrawnContentHash: withdrawn, reason: fields.get('reason')! };
}

/** De-duplication on the record key (README, Receipt). */
function admitRecord(c: Candidate, packetId: string, receivedAt: string, state: SimulatorState): ReceiptResult {
  if ('status' in c) return c;
  const known = state.records.get(c.recordKey);
  if (known && state.hasAccepted(c.recordKey, c.contentHash)) {
    state.duplicates += 1;
    return { recordKey: c.recordKey, status: 'duplicate', ministryRecordId: known.ministryRecordId };
  }
  // Events (README, "Events"): each must fit what the Ministry holds of the book.
  const live = known && !known.withdrawn;
  if (c.event === 'NEW' && live) {
    return rejected(c.recordKey, 'EVENT_CONFLICT', `the Ministry holds version ${known.version} of ${c.recordKey}; a new version of it is an UPDATE`);
  }
  if ((c.event === 'UPDATE' || c.event === 'CANCEL') && !known) {
    return rejected(c.recordKey, 'RECORD_NOT_FOUND', `the Ministry holds no record book ${c.recordKey} to ${c.event === 'UPDATE' ? 'update' : 'withdraw'}; a first version is NEW`);
  }
  if ((c.event === 'UPDATE' || c.event === 'CANCEL') && known?.withdrawn) {
    return rejected(c.recordKey, 'RECORD_WITHDRAWN', `${c.recordKey} was withdrawn at version ${known.version}; send it again as NEW with a higher version`);
  }
  if (known && c.version <= known.version) {
    return rejected(c.recordKey, 'VERSION_CONFLICT', `version ${c.version} is not higher than the accepted version ${known.version}`);
  }
  if (c.event === 'CANCEL' && c.withdrawnContentHash !== known!.contentHash) {
    return rejected(c.recordKey, 'CANCEL_TARGET_MISMATCH', `the withdrawal names content ${c.withdrawnContentHash}; the Ministry holds ${known!.contentHash} (version ${known!.version})`);
  }
  // A new version keeps the record book's Ministry ID: it is the same book, amended (or withdrawn, or sent again).
  const ministryRecordId = known?.ministryRecordId ?? state.nextMinistryRecordId();
  if (c.event === 'CANCEL') {
    state.withdraw(known!, { contentHash: c.contentHash, version: c.version, reason: c.reason ?? '', at: receivedAt, packetId });
  } else {
    state.accept({ recordKey: c.recordKey, contentHash: c.contentHash, version: c.version, ministryRecordId, receivedAt, packetId });
  }
  return { recordKey: c.recordKey, status: 'accepted', ministryRecordId };
}

/** The record contents whose canonical form the packet's digest walk keeps: <hocba>, or a CANCEL's <withdrawal>. */
const isHocba = (el: Element): boolean => el.localName === 'hocba' || (el.localName === 'withdrawal' && el.namespaceURI === EVENT_NAMESPACE);

/** A packet read and checked, each record's verdict before de-duplication: plain data. */
export interface ReadPacket {
  packetId: string;
  candidates: Candidate[];
}

/**
 * Everything about a packet that does not depend on what the Ministry already holds: the
 * signature, the structure, each record's hash, schema and key. Pure, so it can run in a worker
 * thread (check-pool.ts). Throws PacketRefused.
 */
export function readPacket(body: string, ctx: PacketReadContext): ReadPacket {
  const doc = parseXml(body); // a body that is not XML is malformed, not badly signed
  // Each record's canonical form is kept from the walk that digests the packet.
  const verified = verifyEnvelopedFast(doc, ctx.provinceCertPem, { keepSubtrees: isHocba });
  if (!verified.valid) {
    const code = verified.code === 'SIGNATURE_MISSING' ? 'SIGNATURE_MISSING' : 'SIGNATURE_INVALID';
    throw new PacketRefused(400, code, verified.reason);
  }
  const packet = readSignedPacket(verified.signedRoot, ctx.malformedRecordKeys);
  return { packetId: packet.packetId, candidates: packet.records.map((r) => checkRecord(r, ctx, verified.subtrees)) };
}

/** De-duplicates a read packet against the state, updates it, and answers the receipt. */
export function admitPacket(packet: ReadPacket, ctx: PacketCheckContext): Receipt {
  const receivedAt = new Date().toISOString();
  const results = packet.candidates.map((c) => admitRecord(c, packet.packetId, receivedAt, ctx.state));
  ctx.state.rejected += results.filter((r) => r.status === 'rejected').length;
  if (ctx.sender) {
    for (const r of results) ctx.state.noteDelivery(r.recordKey, { ...ctx.sender, packetId: packet.packetId, status: r.status, at: receivedAt });
  }
  return { packetId: packet.packetId, receivedAt, results };
}

/** Checks one packet body and answers its receipt, or throws PacketRefused. Updates the state. */
export function checkPacket(body: string, ctx: PacketCheckContext): Receipt {
  return admitPacket(readPacket(body, { provinceCertPem: ctx.provinceCertPem, validateRecord: ctx.validateRecord, rejectRecordKeys: ctx.state.faults.rejectRecordKeys, malformedRecordKeys: ctx.state.faults.malformedRecordKeys }), ctx);
}
