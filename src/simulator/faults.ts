// Fault injection for the Ministry simulator: lets tests and operators rehearse the failures the
// gateway must survive (outages, slowness, 5xx, rate limiting, refused records) without a real
// Ministry. Settings are replaced as a whole by PUT /_sim/faults.

export interface FaultSettings {
  /** Every /api call answers 503 UNAVAILABLE. */
  outage?: boolean;
  /** Delay before answering POST /api/v0/packets. */
  latencyMs?: number;
  /** Share (0..1) of POST /api/v0/packets calls that fail with `errorStatus`. */
  errorRate?: number;
  /** Status of the random failures; 503 when unset. */
  errorStatus?: number;
  /** When set, POST /api/v0/packets answers 429 with this Retry-After... */
  rateLimitRetryAfterSeconds?: number;
  /** ...to the next N calls; every call until cleared when unset. */
  rateLimitCount?: number;
  /** These record keys are answered `rejected` with code RECORD_REFUSED. */
  rejectRecordKeys?: string[];
}

export class FaultSettingsError extends Error {}

const NUMBER_FIELDS = ['latencyMs', 'errorRate', 'errorStatus', 'rateLimitRetryAfterSeconds', 'rateLimitCount'] as const;

/**
 * Checks a PUT /_sim/faults body by hand: a typo in a fault name must fail loudly, not be
 * silently dropped, or a test would pass without the fault it meant to inject.
 */
export function parseFaultSettings(body: unknown): FaultSettings {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new FaultSettingsError('expected a JSON object');
  const input = body as Record<string, unknown>;
  const out: FaultSettings = {};
  for (const [name, value] of Object.entries(input)) {
    if (name === 'outage') {
      if (typeof value !== 'boolean') throw new FaultSettingsError('outage must be a boolean');
      out.outage = value;
    } else if ((NUMBER_FIELDS as readonly string[]).includes(name)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new FaultSettingsError(`${name} must be a non-negative number`);
      }
      out[name as (typeof NUMBER_FIELDS)[number]] = value;
    } else if (name === 'rejectRecordKeys') {
      if (!Array.isArray(value) || !value.every((k) => typeof k === 'string')) {
        throw new FaultSettingsError('rejectRecordKeys must be an array of strings');
      }
      out.rejectRecordKeys = [...value];
    } else {
      throw new FaultSettingsError(`unknown fault setting: ${name}`);
    }
  }
  if (out.errorRate !== undefined && out.errorRate > 1) throw new FaultSettingsError('errorRate must be between 0 and 1');
  if (out.errorStatus !== undefined && (!Number.isInteger(out.errorStatus) || out.errorStatus < 400 || out.errorStatus > 599)) {
    throw new FaultSettingsError('errorStatus must be an HTTP error status (400-599)');
  }
  return out;
}

/** The code a simulated failure carries, so the gateway can tell them apart in its logs. */
export function codeForStatus(status: number): string {
  if (status === 503) return 'UNAVAILABLE';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 401) return 'TOKEN_INVALID';
  return status >= 500 ? 'INTERNAL' : 'SIMULATED_ERROR';
}
