import type { VendorAdapter } from './adapter.js';
import { emisAdapter } from './emis/index.js';
import { vneduAdapter } from './vnedu/index.js';

/** Adapters by the vendor name used in URLs, API keys and configuration. */
export const adapters: Record<string, VendorAdapter> = { vnedu: vneduAdapter, emis: emisAdapter };

export function getAdapter(vendor: string): VendorAdapter | undefined {
  return Object.prototype.hasOwnProperty.call(adapters, vendor) ? adapters[vendor] : undefined;
}
