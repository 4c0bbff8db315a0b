// What the delivery worker needs from a connection to the Ministry, whatever the binding
// (REST today; SOAP is a second folder beside rest/).

export type ReceiptStatus = 'accepted' | 'duplicate' | 'rejected';

export interface ReceiptResult {
  recordKey: string;
  status: ReceiptStatus;
  ministryRecordId?: string;
  code?: string;
  message?: string;
}

export interface Receipt {
  packetId: string;
  receivedAt: string;
  results: ReceiptResult[];
}

/** A failure worth trying again: network errors, timeouts, 5xx, 429. */
export class TransientDeliveryError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'TransientDeliveryError';
  }
}

/** A failure that the same packet will meet again: 4xx other than 401/408/429, a rejected packet. */
export class PermanentDeliveryError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

export interface MinistryTransport {
  /** Sends one signed packet and returns the Ministry's receipt, or throws one of the errors above. */
  sendPacket(packetId: string, signedXml: string): Promise<Receipt>;
  /** A cheap reachability probe for /readyz. */
  probe(): Promise<boolean>;
  close(): Promise<void>;
}
