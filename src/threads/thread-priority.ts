import { execFileSync } from 'node:child_process';
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

/**
 * Puts the calling thread under SCHED_IDLE (Linux): it runs only on a core that no other thread
 * wants, and any thread of normal policy that wakes takes the core from it at once. Niceness
 * only weighs shares: a thread at nice 10 still holds a core until the scheduler's next
 * decision, and a request waiting behind it waits those milliseconds. Measured with bench d's
 * load (500 single-record submissions/s, delivery on, 12 s runs on 2 cores, the simulator at
 * nice 19): p99 14.4-20.6 ms with this thread under SCHED_IDLE against 16.5-88.9 ms at nice 10;
 * 14.8-18.6 ms with the simulator under SCHED_IDLE as well.
 * Node has no sched_setscheduler(2), so chrt(1) (util-linux, on every Debian system) sets it on
 * this thread's id, once, at the thread's start. Moving to SCHED_IDLE needs no privilege.
 * Returns the thread id, or null where threads have no id to name (not Linux); throws when chrt
 * fails or is missing.
 */
export function idleCurrentThread(): number | null {
  const tid = currentThreadId();
  if (tid === null) return null;
  execFileSync('chrt', ['--idle', '--pid', '0', String(tid)], { stdio: 'ignore', timeout: 10_000 });
  return tid;
}
