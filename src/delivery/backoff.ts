/**
 * When a record that failed `attempts` times may be tried again: exponential from the row's base
 * delay, capped, with full jitter so that a province's worth of records does not return at once.
 */
export function nextAttemptAt(now: number, attempts: number, baseDelayMs: number, capDelayMs: number, random = Math.random): number {
  const ceiling = Math.min(capDelayMs, baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return now + Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
