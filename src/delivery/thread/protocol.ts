import type { Settings } from '../../config/settings.js';
import type { CircuitSnapshot } from '../circuit-breaker.js';

// Messages between the gateway's event loop and its delivery thread. The thread claims, builds,
// sends and records with a store connection and a transport of its own; it asks the event loop
// to sign each packet (the province key, file or token, stays in one place and reloads there),
// and it sends its log lines and circuit state back, so that logs and /readyz are as before.

export interface DeliveryThreadData {
  settings: Settings;
  ministryUrl: string;
  /** The level of the gateway's logger; lines at or above it come back as `log` messages. */
  logLevel: string;
}

export type ToThread =
  | { type: 'nudge' }
  | { type: 'stop' }
  | { type: 'signed'; id: number; xml: string }
  | { type: 'sign-failed'; id: number; message: string };

export type FromThread =
  | { type: 'sign'; id: number; xml: string }
  | { type: 'log'; line: string }
  | { type: 'circuit'; snapshot: CircuitSnapshot }
  /** One attempt to send a packet, for the metrics of the event loop (hocba_delivery_seconds). */
  | { type: 'sent'; seconds: number; outcome: 'delivered' | 'refused' | 'failed' }
  | { type: 'stopped' };
