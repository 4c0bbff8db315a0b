import type { VendorAdapter } from './adapter.js';
import { c1Adapter } from './c1/index.js';
import { emisAdapter } from './emis/index.js';
import { smasAdapter } from './smas/index.js';
import { vneduAdapter } from './vnedu/index.js';

/** Adapters by the vendor name used in URLs, API keys and configuration: one line per vendor. */
export const adapters: Record<string, VendorAdapter> = { vnedu: vneduAdapter, emis: emisAdapter, smas: smasAdapter, c1: c1Adapter };

export function getAdapter(vendor: string): VendorAdapter | undefined {
  return Object.prototype.hasOwnProperty.call(adapters, vendor) ? adapters[vendor] : undefined;
}
