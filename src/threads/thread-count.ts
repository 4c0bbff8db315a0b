import { availableParallelism } from 'node:os';

// How many worker threads a pool setting asks for. `auto` sizes the pool to the machine and
// leaves one core to the event loop, which parses requests and writes the outbox while the
// threads map and validate; on a province's larger server `auto` grows with the cores where a
// fixed 2 would not. The core it leaves is not left idle under a bulk load: the intake pool's
// spare-time threads (intakeSpareWorkers, niceness 10) take what the event loop does not use.

export type ThreadSetting = number | 'auto';

export function threadCount(setting: ThreadSetting, name: string, cores = availableParallelism()): number {
  if (setting === 'auto') return Math.max(1, cores - 1);
  if (!Number.isInteger(setting) || setting < 0) throw new Error(`${name} must be "auto" or a whole number of threads (0: none), not ${JSON.stringify(setting)}`);
  return setting;
}
