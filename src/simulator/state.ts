import type { FaultSettings } from './faults.js';

// Everything the Ministry simulator remembers, in memory only: a restart is a fresh Ministry.

export interface StoredRecord {
  recordKey: string;
  contentHash: string;
  version: number;
  ministryRecordId: string;
  receivedAt: string;
  packetId: string;
  /** Set once a CANCEL withdrew the book: `version` is then the withdrawal's, `contentHash` what it withdrew. */
  withdrawn?: { at: string; reason: string; packetId: string; withdrawalHash: string };
}

/** One record arriving in one packet: who sent it and what the Ministry answered. */
export interface Delivery {
  packetId: string;
  /** The login session (a digest of the access token): one per gateway replica and token. */
  session: string;
  /** The caller's source address. */
  source: string;
  binding: 'rest' | 'soap';
  status: 'accepted' | 'duplicate' | 'rejected';
  at: string;
}

export interface Sender {
  session: string;
  source: string;
  binding: 'rest' | 'soap';
}

/** How many packet bodies the simulator keeps for /_sim/packets. */
export const RECENT_PACKETS = 50;

export class SimulatorState {
  /** Accepted records by record key (learnerId/schoolYear), the latest accepted content. */
  readonly records = new Map<string, StoredRecord>();
  /** Records answered `duplicate`: the number a test checks to prove exactly-once delivery. */
  duplicates = 0;
  /** Records answered `rejected`. */
  rejected = 0;
  /** Packets answered with a receipt. */
  packets = 0;
  /** Packets refused as a whole (400: signature, malformed). */
  packetsRefused = 0;
  tokensIssued = 0;
  /** Packet calls past the allowlist and outage, answered or not. */
  packetCalls = 0;
  /** Packets processed whose receipt was then withheld (the dropReceipt fault). */
  receiptsDropped = 0;
  /** Packet calls open right now, and the most ever open at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** The last POST /api/v0/packets body exactly as received, refused or not. */
  latestPacket: string | undefined;
  /** The last RECENT_PACKETS bodies, oldest first, and how many were received in all (tests re-verify them). */
  recentPackets: string[] = [];
  packetsReceived = 0;
  /** Access token → expiry time (ms since epoch). */
  readonly tokens = new Map<string, number>();
  faults: FaultSettings = {};
  /** Calls still to answer 429 under the current rate-limit fault (Infinity: until cleared). */
  rateLimitRemaining = 0;
  /** Every arrival of every record key, in order: proves which replica sent what, and how often. */
  readonly deliveries = new Map<string, Delivery[]>();
  private recordCounter = 0;
  /** Every content hash ever accepted per key: a late replay of an older version is still a duplicate. */
  private readonly acceptedHashes = new Map<string, Set<string>>();

  hasAccepted(recordKey: string, contentHash: string): boolean {
    return this.acceptedHashes.get(recordKey)?.has(contentHash) ?? false;
  }

  accept(record: StoredRecord): void {
    this.records.set(record.recordKey, record);
    const hashes = this.acceptedHashes.get(record.recordKey) ?? new Set<string>();
    hashes.add(record.contentHash);
    this.acceptedHashes.set(record.recordKey, hashes);
  }

  /** A CANCEL: the book stays known (its Ministry ID kept) as withdrawn; the same withdrawal again is a duplicate. */
  withdraw(known: StoredRecord, w: { contentHash: string; version: number; reason: string; at: string; packetId: string }): void {
    this.records.set(known.recordKey, { ...known, version: w.version, withdrawn: { at: w.at, reason: w.reason, packetId: w.packetId, withdrawalHash: w.contentHash } });
    this.acceptedHashes.get(known.recordKey)?.add(w.contentHash);
    this.withdrawals += 1;
  }

  /** Withdrawals accepted (CANCEL events). */
  withdrawals = 0;

  noteDelivery(recordKey: string, d: Delivery): void {
    const list = this.deliveries.get(recordKey);
    if (list) list.push(d);
    else this.deliveries.set(recordKey, [d]);
  }

  nextMinistryRecordId(): string {
    this.recordCounter += 1;
    return `MOET-${String(this.recordCounter).padStart(8, '0')}`;
  }

  setFaults(faults: FaultSettings): void {
    this.faults = faults;
    this.rateLimitRemaining =
      faults.rateLimitRetryAfterSeconds === undefined ? 0 : (faults.rateLimitCount ?? Number.POSITIVE_INFINITY);
  }

  reset(): void {
    this.records.clear();
    this.acceptedHashes.clear();
    this.deliveries.clear();
    this.tokens.clear();
    this.duplicates = 0;
    this.withdrawals = 0;
    this.rejected = 0;
    this.packets = 0;
    this.packetsRefused = 0;
    this.tokensIssued = 0;
    this.packetCalls = 0;
    this.receiptsDropped = 0;
    this.maxInFlight = this.inFlight;
    this.latestPacket = undefined;
    this.recentPackets = [];
    this.packetsReceived = 0;
    this.recordCounter = 0;
    this.setFaults({});
  }
}
