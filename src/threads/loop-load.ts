import { performance, type EventLoopUtilization } from 'node:perf_hooks';

// How busy this thread's event loop has been lately: the share of the last window (at least
// WINDOW_MS) it spent running code rather than waiting for I/O (Node's event loop utilisation).
// Intake asks it whether a small batch may be mapped and validated here, where handing it to a
// thread costs more than it saves on an idle loop, or must go to a thread because the loop is
// already the bottleneck (bench d: at 500 single-record submissions/s with delivery on, the loop
// ran 85-90% busy and a third of that was mapping and validating).

const WINDOW_MS = 50;

export interface LoopLoad {
  /** True when the loop was busier than `threshold` (0-1) over the last window. */
  busierThan(threshold: number): boolean;
}

export type UtilisationReader = (last?: EventLoopUtilization) => EventLoopUtilization;

export class EventLoopLoad implements LoopLoad {
  #mark: EventLoopUtilization;
  #markedAt: number;
  #utilisation = 0;

  constructor(
    private readonly read: UtilisationReader = (last) => performance.eventLoopUtilization(last),
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#mark = this.read();
    this.#markedAt = this.now();
  }

  /** The utilisation of the last complete window (windows roll over as they are asked about). */
  get utilisation(): number {
    const now = this.now();
    if (now - this.#markedAt >= WINDOW_MS) {
      const since = this.read(this.#mark);
      this.#utilisation = since.utilization;
      this.#mark = this.read();
      this.#markedAt = now;
    }
    return this.#utilisation;
  }

  busierThan(threshold: number): boolean {
    return this.utilisation > threshold;
  }
}
