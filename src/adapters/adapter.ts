import type { CanonicalRecord } from '../canonical/record.js';
import type { FieldError } from '../validation/types.js';

/** The envelope of a vendor batch is unusable as a whole (not one record can be read). */
export class BatchFormatError extends Error {
  constructor(
    message: string,
    readonly errors: FieldError[],
  ) {
    super(message);
    this.name = 'BatchFormatError';
  }
}

export type MapOutcome = { ok: true; record: CanonicalRecord } | { ok: false; errors: FieldError[] };

/**
 * A vendor adapter turns one vendor's native batch into canonical records. It is stateless:
 * `split` reads the envelope, `map` maps one item; neither validates business rules (that is
 * validation/'s job on the canonical record).
 */
export interface VendorAdapter {
  readonly vendor: string;
  /** The batch member that holds the records, for the streaming bulk import (src/import/). */
  readonly itemsField: string;
  split(batch: unknown): { items: unknown[]; context: unknown };
  map(item: unknown, context: unknown): MapOutcome;
  /** A valid synthetic batch of `count` students, for `hocba-gw sample` and tests. */
  sample(count: number, seed?: number): unknown;
}
