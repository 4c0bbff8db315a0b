import { setTimeout as sleep } from 'node:timers/promises';

// Paces calls to the Ministry: at most `perSecond` packets a second across all delivery loops
// of this process (0: no limit), and none at all while the Ministry has asked us, with
// Retry-After, to hold off.

export class RateLimiter {
  private nextSlot = 0;
  private heldUntil = 0;

  constructor(private readonly perSecond: number) {}

  /** The Ministry said Retry-After: no loop of this process calls before `until`. */
  holdUntil(until: number): void {
    this.heldUntil = Math.max(this.heldUntil, until);
  }

  /** How long a new call would have to wait for a hold to end (0 when none). */
  heldFor(now: number): number {
    return Math.max(0, this.heldUntil - now);
  }

  /**
   * Books the next slot at or after `now` and returns its time, or null (booking nothing) when
   * that slot is later than `latestStart`.
   */
  reserve(now: number, latestStart: number): number | null {
    const interval = this.perSecond > 0 ? 1000 / this.perSecond : 0;
    const start = Math.max(now, this.nextSlot, this.heldUntil);
    if (start > latestStart) return null;
    this.nextSlot = start + interval;
    return start;
  }

  /**
   * Waits for this call's slot and returns true, or returns false at once when the slot is later
   * than `latestStart` (the caller's lease would run out first; it gives its records back).
   */
  async take(latestStart: number, signal?: AbortSignal): Promise<boolean> {
    const now = Date.now();
    const start = this.reserve(now, latestStart);
    if (start === null) return false;
    if (start > now) await sleep(start - now, undefined, { signal });
    return true;
  }
}
