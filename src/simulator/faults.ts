// Fault injection for the Ministry simulator: lets tests and operators rehearse the failures the
// gateway must survive (outages, slowness, 5xx, rate limiting, hanging and reset connections,
// lost receipts, refused records) without a real Ministry. Settings come from configuration
// (simulator.faults, `hocba-gw simulator --faults`) and are replaced as a whole by PUT /_sim/faults.

export interface OutageWindow {
  /** ISO time; open-ended when absent. */
  from?: string;
  until?: string;
}

export interface FaultSettings {
  /** Every /api and /soap call answers 503 UNAVAILABLE. */
  outage?: boolean;
  /** Outages in time: every call inside a window answers 503 UNAVAILABLE. */
  outageWindows?: OutageWindow[];
  /** Input only: an outage window from now for this many seconds (stored as outageWindows). */
  outageForSeconds?: number;
  /** Delay before answering a packet. */
  latencyMs?: number;
  /** Share (0..1) of packet calls that fail with `errorStatus`. */
  errorRate?: number;
  /** Status of those random failures; 503 when unset. */
  errorStatus?: number;
  /** Share (0..1) of packet calls failing with each status, e.g. {"500": 0.1, "503": 0.1, "429": 0.1}. */
  errorRates?: Record<string, number>;
  /** Retry-After (seconds) sent with simulated 429 and 503 answers; 1 when unset for 429. */
  retryAfterSeconds?: number;
  /** Share (0..1) of packet calls that are never answered: the connection hangs until the client gives up. */
  hangRate?: number;
  /** Share (0..1) of packet calls whose connection is reset before any answer. */
  resetRate?: number;
  /** Share (0..1) of packets that are processed, then their connection reset: the receipt is lost. */
  dropReceiptRate?: number;
  /** When set, packet calls answer 429 with this Retry-After... */
  rateLimitRetryAfterSeconds?: number;
  /** ...to the next N calls; every call until cleared when unset. */
  rateLimitCount?: number;
  /** These record keys are answered `rejected` with code RECORD_REFUSED. */
  rejectRecordKeys?: string[];
  /** A packet holding any of these record keys is refused whole, 400 PACKET_MALFORMED: a record the Ministry's reader chokes on. */
  malformedRecordKeys?: string[];
}

export class FaultSettingsError extends Error {}

const NUMBER_FIELDS = [
  'latencyMs',
  'errorRate',
  'errorStatus',
  'rateLimitRetryAfterSeconds',
  'rateLimitCount',
  'retryAfterSeconds',
  'hangRate',
  'resetRate',
  'dropReceiptRate',
  'outageForSeconds',
] as const;
const SHARES = ['errorRate', 'hangRate', 'resetRate', 'dropReceiptRate'] as const;

const isHttpError = (n: number) => Number.isInteger(n) && n >= 400 && n <= 599;

function parseWindows(value: unknown): OutageWindow[] {
  if (!Array.isArray(value)) throw new FaultSettingsError('outageWindows must be an array of {from?, until?}');
  return value.map((w, i) => {
    if (typeof w !== 'object' || w === null || Array.isArray(w)) throw new FaultSettingsError(`outageWindows[${i}] must be an object`);
    const out: OutageWindow = {};
    for (const [k, v] of Object.entries(w as Record<string, unknown>)) {
      if (k !== 'from' && k !== 'until') throw new FaultSettingsError(`outageWindows[${i}]: unknown field ${k}`);
      if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw new FaultSettingsError(`outageWindows[${i}].${k} must be an ISO date-time`);
      out[k] = new Date(v).toISOString();
    }
    if (out.from && out.until && out.from >= out.until) throw new FaultSettingsError(`outageWindows[${i}] ends before it starts`);
    return out;
  });
}

function parseErrorRates(value: unknown): Record<string, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FaultSettingsError('errorRates must be an object of status → share');
  const out: Record<string, number> = {};
  for (const [status, share] of Object.entries(value as Record<string, unknown>)) {
    if (!isHttpError(Number(status))) throw new FaultSettingsError(`errorRates: ${status} is not an HTTP error status (400-599)`);
    if (typeof share !== 'number' || !(share >= 0 && share <= 1)) throw new FaultSettingsError(`errorRates[${status}] must be a share between 0 and 1`);
    out[String(Number(status))] = share;
  }
  return out;
}

/**
 * Checks a faults object by hand: a typo in a fault name must fail loudly, not be silently
 * dropped, or a test would pass without the fault it meant to inject.
 */
export function parseFaultSettings(body: unknown, now = Date.now()): FaultSettings {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new FaultSettingsError('expected a JSON object');
  const out: FaultSettings = {};
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (name === 'outage') {
      if (typeof value !== 'boolean') throw new FaultSettingsError('outage must be a boolean');
      out.outage = value;
    } else if ((NUMBER_FIELDS as readonly string[]).includes(name)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new FaultSettingsError(`${name} must be a non-negative number`);
      }
      out[name as (typeof NUMBER_FIELDS)[number]] = value;
    } else if (name === 'errorRates') {
      out.errorRates = parseErrorRates(value);
    } else if (name === 'outageWindows') {
      out.outageWindows = parseWindows(value);
    } else if (name === 'rejectRecordKeys' || name === 'malformedRecordKeys') {
      if (!Array.isArray(value) || !value.every((k) => typeof k === 'string')) {
        throw new FaultSettingsError(`${name} must be an array of strings`);
      }
      out[name] = [...value];
    } else {
      throw new FaultSettingsError(`unknown fault setting: ${name}`);
    }
  }
  for (const share of SHARES) {
    if (out[share] !== undefined && out[share]! > 1) throw new FaultSettingsError(`${share} must be between 0 and 1`);
  }
  if (out.errorStatus !== undefined && !isHttpError(out.errorStatus)) {
    throw new FaultSettingsError('errorStatus must be an HTTP error status (400-599)');
  }
  const total = (out.hangRate ?? 0) + (out.resetRate ?? 0) + (out.errorRate ?? 0) + Object.values(out.errorRates ?? {}).reduce((a, b) => a + b, 0);
  if (total > 1 + 1e-9) throw new FaultSettingsError(`hangRate, resetRate, errorRate and errorRates add up to ${total}, more than 1`);
  if (out.outageForSeconds !== undefined) {
    out.outageWindows = [...(out.outageWindows ?? []), { from: new Date(now).toISOString(), until: new Date(now + out.outageForSeconds * 1000).toISOString() }];
    delete out.outageForSeconds;
  }
  return out;
}

/** Is the Ministry down at `now` (a simulated outage, always or within a window)? */
export function inOutage(f: FaultSettings, now = Date.now()): boolean {
  if (f.outage) return true;
  return (f.outageWindows ?? []).some((w) => (!w.from || Date.parse(w.from) <= now) && (!w.until || now < Date.parse(w.until)));
}

export type PacketFault = { kind: 'hang' } | { kind: 'reset' } | { kind: 'error'; status: number };

/** What happens to one packet call, from one draw of `random`: the shares are laid end to end. */
export function drawPacketFault(f: FaultSettings, random = Math.random): PacketFault | null {
  let r = random();
  const take = (share: number | undefined) => {
    if (!share) return false;
    if (r < share) return true;
    r -= share;
    return false;
  };
  if (take(f.hangRate)) return { kind: 'hang' };
  if (take(f.resetRate)) return { kind: 'reset' };
  for (const [status, share] of Object.entries(f.errorRates ?? {})) if (take(share)) return { kind: 'error', status: Number(status) };
  if (take(f.errorRate)) return { kind: 'error', status: f.errorStatus ?? 503 };
  return null;
}

/** The code a simulated failure carries, so the gateway can tell them apart in its logs. */
export function codeForStatus(status: number): string {
  if (status === 503) return 'UNAVAILABLE';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 401) return 'TOKEN_INVALID';
  return status >= 500 ? 'INTERNAL' : 'SIMULATED_ERROR';
}
