/**
 * When a record that failed `attempts` times may be tried again: exponential from the row's base
 * delay, capped, with jitter so that a province's worth of records does not return at once.
 * `jitter` is the share of the delay that is random: 0 none, 0.5 "equal jitter" (between half
 * and all of it), 1 "full jitter" (anywhere from nothing to all of it).
 */
export function nextAttemptAt(
  now: number,
  attempts: number,
  baseDelayMs: number,
  capDelayMs: number,
  jitter = 0.5,
  random = Math.random,
): number {
  const ceiling = Math.min(capDelayMs, baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return now + Math.round(ceiling * (1 - Math.min(1, Math.max(0, jitter)) * random()));
}
