// The public lookup (issue 15 item 12): the newest accepted version of the record book that
// carries a lookup code, with its payload when the retention purge has not taken it yet (the
// route reads the date of birth from it, and the name only when the caller gave that date).
// Rejected records were never accepted and superseded ones were replaced: neither is found.
// Both dialects side by side; index records_by_lookup (migration 9).

const COLUMNS = `r.id, r.state, r.school_id, r.school_year, r.grade, r.class_name, r.record_version, r.signatures, r.vendor,
  r.created_at, r.updated_at, p.record_xml`;
const FROM = `records r LEFT JOIN record_payloads p ON p.record_id = r.id`;
const ORDER = `ORDER BY r.record_version DESC, r.created_at DESC, r.id DESC LIMIT 1`;

export const lookupRecord = {
  sqlite: `SELECT ${COLUMNS} FROM ${FROM} WHERE r.lookup_code = ? AND r.state NOT IN ('rejected', 'superseded') ${ORDER}`,
  postgres: `SELECT ${COLUMNS} FROM ${FROM} WHERE r.lookup_code = $1 AND r.state NOT IN ('rejected', 'superseded') ${ORDER}`,
} as const;

/** One record's payloads (the PDF học bạ reads them); no row once the purge has taken them. */
export const recordPayloads = {
  sqlite: 'SELECT record_xml, signed_xml FROM record_payloads WHERE record_id = ?',
  postgres: 'SELECT record_xml, signed_xml FROM record_payloads WHERE record_id = $1',
} as const;

/** A row of lookupRecord as both stores return it. */
export interface LookupRow {
  id: string;
  state: string;
  schoolId: string | null;
  schoolYear: string | null;
  grade: number | null;
  className: string | null;
  version: number | null;
  vendor: string | null;
  signatures: unknown[] | null;
  recordXml: string | null;
  createdAt: number;
  updatedAt: number;
}

export function toLookupRow(r: Record<string, unknown>, unpack: (v: unknown) => string | null): LookupRow {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: r.id as string,
    state: r.state as string,
    schoolId: (r.school_id as string | null) ?? null,
    schoolYear: (r.school_year as string | null) ?? null,
    grade: num(r.grade),
    className: (r.class_name as string | null) ?? null,
    version: num(r.record_version),
    vendor: (r.vendor as string | null) ?? null,
    signatures: typeof r.signatures === 'string' ? (JSON.parse(r.signatures) as unknown[]) : ((r.signatures as unknown[] | null) ?? null),
    recordXml: unpack(r.record_xml),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}
