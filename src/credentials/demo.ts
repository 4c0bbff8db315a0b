import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { hashKey } from '../plugins/auth.js';
import type { Store } from '../storage/store.js';

// On a first start with an empty credentials table, make one key per demo vendor and an admin
// token, store only their hashes and write the keys once to a file readable by the owner alone.

export interface DemoCredentials {
  vendors: Record<string, string>;
  admin: string;
}

function newKey(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

/**
 * `vendors`: each demo vendor and the schools its key may submit for (the schools of that
 * vendor's samples), so that the demo keys are limited as real ones are.
 */
export async function ensureDemoCredentials(store: Store, path: string, vendors: Record<string, readonly string[]>): Promise<DemoCredentials | null> {
  if ((await store.countCredentials()) > 0) return null;
  const creds: DemoCredentials = { vendors: {}, admin: newKey('adm') };
  for (const [v, schools] of Object.entries(vendors)) {
    creds.vendors[v] = newKey(`vk_${v}`);
    await store.addCredential(hashKey(creds.vendors[v]), { kind: 'vendor', vendor: v, schools: [...schools], name: `demo ${v}` });
  }
  await store.addCredential(hashKey(creds.admin), { kind: 'admin', vendor: null, schools: null, role: 'admin', name: 'demo admin' });
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(creds, null, 2) + '\n', { mode: 0o600 });
  return creds;
}
