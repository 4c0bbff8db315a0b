import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

// Lowers the scheduling priority of the calling thread alone (Linux): setpriority(2) given a
// thread id rather than a process id acts on that thread only, and /proc/thread-self names it.
// The gateway's delivery thread runs at a higher niceness than the event loop and the intake
// threads, so that on a machine with fewer spare cores than work, vendors' requests get the CPU
// first and delivery takes what they leave (issue 16, item 2). Only lowering is ever asked for,
// which needs no privilege. Elsewhere (macOS, Windows) it does nothing and says so.

/** The calling thread's id, or null where threads have none to name (not Linux). */
export function currentThreadId(): number | null {
  if (process.platform !== 'linux') return null;
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return null;
  }
}

/** Sets the calling thread's niceness (0-19); returns its thread id, or null when it could not. */
export function niceCurrentThread(nice: number): number | null {
  if (nice === 0) return null;
  const tid = currentThreadId();
  if (tid === null) return null;
  setPriority(tid, Math.max(0, Math.min(19, nice)));
  return tid;
}
