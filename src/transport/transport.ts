// What the delivery worker needs from a connection to the Ministry, whatever the binding
// (rest/ over undici, soap/ over the soap package; both through egress.ts).

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
  /** Closes the connections; `force`: destroys them with any call still waiting (shutdown's grace is over). */
  close(options?: { force?: boolean }): Promise<void>;
}

/**
 * Sorts a Ministry error by its (REST-equivalent) status: network-like and server-side trouble
 * is worth retrying (5xx, 429, 408, and 401 once the token has been renewed); any other 4xx is
 * the same next time. The Ministry's own code is kept either way.
 */
export function deliveryErrorFor(status: number, code: string, message: string, retryAfterMs?: number): TransientDeliveryError | PermanentDeliveryError {
  if (status >= 500 || status === 429 || status === 408 || status === 401) return new TransientDeliveryError(message, code, retryAfterMs);
  return new PermanentDeliveryError(message, code);
}

/** Retry-After as seconds or an HTTP date, in milliseconds from now. */
export function retryAfterMs(header: string | string[] | undefined | null): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** A network failure (refused, reset, timed out, TLS): always worth retrying. */
export function networkError(e: unknown): TransientDeliveryError {
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? err.name ?? 'NETWORK';
  return new TransientDeliveryError(`network: ${code}: ${err.message}`, code);
}
