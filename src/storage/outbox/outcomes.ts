// What became of a claimed record's attempt: a receipt, a retry later, or dead. Each is guarded
// by the lease (state 'sending' and lease_owner), so an owner that lost its records records
// nothing for them; the attempt itself was counted when the record was claimed (claim.ts).

export const acknowledge = {
  sqlite: `UPDATE records SET state = 'acknowledged', ministry_record_id = @mid, packet_id = @packet, last_code = @code,
      last_reason = 'receipt ' || @code || ' in packet ' || @packet, lease_owner = NULL, lease_until = NULL, updated_at = @now
    WHERE id = @id AND state = 'sending' AND lease_owner = @owner`,
  postgres: `UPDATE records r SET state = 'acknowledged', ministry_record_id = a.mid, packet_id = $2,
      last_code = a.code, last_reason = 'receipt ' || a.code || ' in packet ' || $2,
      lease_owner = NULL, lease_until = NULL, updated_at = $3
    FROM unnest($4::text[], $5::text[], $6::text[]) AS a(id, mid, code)
    WHERE r.id = a.id AND r.state = 'sending' AND r.lease_owner = $1`,
} as const;

export const scheduleRetry = {
  sqlite: `UPDATE records SET state = 'retry', next_attempt_at = @next, last_code = @code, last_reason = @reason,
      lease_owner = NULL, lease_until = NULL, updated_at = @now
    WHERE id = @id AND state = 'sending' AND lease_owner = @owner`,
  postgres: `UPDATE records r SET state = 'retry', next_attempt_at = o.next, last_code = o.code,
      last_reason = o.reason, lease_owner = NULL, lease_until = NULL, updated_at = $2
    FROM unnest($3::text[], $4::bigint[], $5::text[], $6::text[]) AS o(id, next, code, reason)
    WHERE r.id = o.id AND r.state = 'sending' AND r.lease_owner = $1`,
} as const;

export const markDead = {
  sqlite: `UPDATE records SET state = 'dead', last_code = @code, last_reason = @reason,
      lease_owner = NULL, lease_until = NULL, updated_at = @now
    WHERE id = @id AND state = 'sending' AND lease_owner = @owner`,
  postgres: `UPDATE records r SET state = 'dead', last_code = o.code, last_reason = o.reason,
      lease_owner = NULL, lease_until = NULL, updated_at = $2
    FROM unnest($3::text[], $4::text[], $5::text[]) AS o(id, code, reason)
    WHERE r.id = o.id AND r.state = 'sending' AND r.lease_owner = $1`,
} as const;
