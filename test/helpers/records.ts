import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VendorAdapter } from '../../src/adapters/adapter.js';
import type { CanonicalRecord } from '../../src/canonical/record.js';
import { loadSettings } from '../../src/config/settings.js';
import { validationContextFrom } from '../../src/config/validation-context.js';
import type { ValidationContext } from '../../src/validation/context.js';

// Canonical record fixtures (test/fixtures/records) and the validation context tests use.

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
export const VALID_DIR = join(FIXTURES, 'records', 'valid');

export const validNames = (): string[] => readdirSync(VALID_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
export const loadValid = (name: string): CanonicalRecord => JSON.parse(readFileSync(join(VALID_DIR, `${name}.json`), 'utf8'));

/** The context of a gateway on the default settings, with some rule settings overridden. */
export function contextWith(rules: Record<string, unknown> = {}): ValidationContext {
  return validationContextFrom(loadSettings({}, { rules }));
}

export interface Change {
  path: string;
  value?: unknown;
  remove?: boolean;
}

const unescape = (t: string) => t.replace(/~1/g, '/').replace(/~0/g, '~');

/** Applies JSON Pointer changes to a copy: set (an index equal to an array's length appends) or remove. */
export function applyChanges<T>(record: T, changes: readonly Change[]): T {
  const copy = structuredClone(record) as unknown;
  for (const c of changes) {
    const tokens = c.path.split('/').slice(1).map(unescape);
    const last = tokens.pop()!;
    let parent = copy as Record<string, unknown>;
    for (const t of tokens) parent = parent[t] as Record<string, unknown>;
    if (Array.isArray(parent)) {
      if (c.remove) parent.splice(Number(last), 1);
      else parent[Number(last)] = structuredClone(c.value);
    } else if (c.remove) delete parent[last];
    else parent[last] = structuredClone(c.value);
  }
  return copy as T;
}

/** An adapter whose items are canonical records already, to run the pipeline on fixtures. */
export const canonicalAdapter: VendorAdapter = {
  vendor: 'canonical',
  split: (batch) => ({ items: batch as unknown[], context: null }),
  map: (item) => ({ ok: true, record: item as CanonicalRecord }),
  sample: () => [],
};
