// Stops sending while the Ministry is down, instead of burning every record's attempts and the
// CPU in a hot loop. Closed: packets go out, consecutive transient failures are counted. Open
// (after `failureThreshold` of them): nothing is claimed until the cool-down ends. Half-open:
// one loop probes (a health call, then one real packet); success closes the circuit, failure
// opens it again for twice as long, up to `maxCoolDownMs`.

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitSettings {
  failureThreshold: number;
  coolDownMs: number;
  maxCoolDownMs: number;
}

export type Permit = { kind: 'send' } | { kind: 'probe' } | { kind: 'wait'; ms: number };

export interface CircuitSnapshot {
  state: CircuitState;
  consecutiveFailures: number;
  /** When an open circuit lets a probe through (ISO time), or null. */
  nextProbeAt: string | null;
  lastFailure: string | null;
}

export class CircuitBreaker {
  private s: CircuitState = 'closed';
  private failures = 0;
  private coolDown: number;
  private openUntil = 0;
  private probeInFlight = false;
  private lastFailure: string | null = null;

  constructor(
    private readonly settings: CircuitSettings,
    private readonly onChange: (from: CircuitState, to: CircuitState, why: string) => void = () => undefined,
  ) {
    this.coolDown = settings.coolDownMs;
  }

  get state(): CircuitState {
    return this.s;
  }

  private to(next: CircuitState, why: string): void {
    if (next === this.s) return;
    const from = this.s;
    this.s = next;
    this.onChange(from, next, why);
  }

  /** May a delivery loop claim and send now? Only one loop at a time gets the half-open probe. */
  permit(now: number): Permit {
    if (this.s === 'closed') return { kind: 'send' };
    if (this.s === 'open' && now < this.openUntil) return { kind: 'wait', ms: this.openUntil - now };
    if (this.probeInFlight) return { kind: 'wait', ms: Math.min(this.settings.coolDownMs, 1000) };
    this.to('half-open', 'cool-down over: probing');
    this.probeInFlight = true;
    return { kind: 'probe' };
  }

  /** The Ministry answered (a receipt, or a refusal that is not about its health). */
  onSuccess(): void {
    this.failures = 0;
    this.probeInFlight = false;
    this.coolDown = this.settings.coolDownMs;
    this.to('closed', 'the Ministry answered');
  }

  /** A transient failure: network, timeout, 5xx, 429. */
  onFailure(now: number, reason: string): void {
    this.failures += 1;
    this.lastFailure = reason;
    if (this.s === 'half-open') {
      this.probeInFlight = false;
      this.coolDown = Math.min(this.coolDown * 2, this.settings.maxCoolDownMs);
      this.openUntil = now + this.coolDown;
      this.to('open', `probe failed: ${reason}`);
    } else if (this.s === 'closed' && this.failures >= this.settings.failureThreshold) {
      this.openUntil = now + this.coolDown;
      this.to('open', `${this.failures} failures in a row, last: ${reason}`);
    }
  }

  /** After a probe whatever happened: if it settled nothing, the next loop may probe. */
  probeEnded(): void {
    this.probeInFlight = false;
  }

  /** A probe that found nothing to send but a healthy Ministry closes the circuit too. */
  probeSucceeded(): void {
    this.onSuccess();
  }

  snapshot(): CircuitSnapshot {
    return {
      state: this.s,
      consecutiveFailures: this.failures,
      nextProbeAt: this.s === 'open' ? new Date(this.openUntil).toISOString() : null,
      lastFailure: this.lastFailure,
    };
  }
}
