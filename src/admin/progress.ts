import { loadReferenceData } from '../config/validation-context.js';
import type { Services } from '../plugins/services.js';
import { summariseCertificate } from '../signing/certificate-summary.js';
import type { ProgressRow } from '../storage/store.js';

// The province's view of the year: totals and queue (overview), and per school, vendor or grade
// how far the records have come (progress). All from counts by group and state, which read the
// (group, state) indexes only, so they stay cheap at millions of records.
//
// Definitions, per group:
//   received            every record the gateway stored (all states, rejected included);
//   valid               received less rejected;
//   signaturesComplete  valid records not waiting for signatures: valid less those held for
//                       signatures (a held record lacks a required signature, or waits for its
//                       student's personal ID, heldForPersonalId, and then counts as complete) and
//                       superseded (replaced by a later version, which is counted itself). Unsigned
//                       records, which the province signs in its packets, count as complete;
//   heldForPersonalId   held until the student's personal ID is issued (PERSONAL_ID_PENDING);
//   acknowledged        receipts from the Ministry (accepted or duplicate);
//   dead                given up after the retry policy (replayable);
//   shareSignaturesComplete = signaturesComplete / valid; shareAcknowledged = acknowledged / valid
//                       (0 for a group with no valid record);
//   oldestQueuedAgeSeconds: age of the oldest record still waiting (queued, retry or sending).

const WAITING = ['queued', 'retry', 'sending'];

export function summarise(row: ProgressRow, now: number) {
  const c = row.counts;
  const sum = (states: string[]) => states.reduce((n, s) => n + (c[s] ?? 0), 0);
  const received = Object.values(c).reduce((a, b) => a + b, 0);
  const valid = received - (c.rejected ?? 0);
  // A record held for its student's personal ID has its signatures (or needs none): it is not
  // among those waiting for signatures, only among those not yet sent.
  const heldForPersonalId = row.heldForPersonalId ?? 0;
  const signaturesComplete = valid - ((c.held ?? 0) - heldForPersonalId) - (c.superseded ?? 0);
  const acknowledged = c.acknowledged ?? 0;
  const share = (n: number) => (valid > 0 ? Math.round((n / valid) * 10000) / 10000 : 0);
  return {
    received,
    valid,
    signaturesComplete,
    heldForPersonalId,
    acknowledged,
    dead: c.dead ?? 0,
    queueDepth: sum(WAITING),
    counts: c,
    shareSignaturesComplete: share(signaturesComplete),
    shareAcknowledged: share(acknowledged),
    oldestQueuedAgeSeconds: row.oldestQueuedAt === null ? null : Math.max(0, Math.round((now - row.oldestQueuedAt) / 1000)),
  };
}

export async function progress(svc: Pick<Services, 'store' | 'settings'>, groupBy: 'school' | 'vendor' | 'grade', now = Date.now()) {
  const rows = await svc.store.progress(groupBy);
  const schools = groupBy === 'school' ? loadReferenceData(svc.settings.referenceData).schools : null;
  const groups = rows.map((r) => ({ key: r.key, name: schools && r.key ? (schools.get(r.key)?.name ?? null) : null, ...summarise(r, now) }));
  // Furthest behind first: the lowest share acknowledged, then the most dead, then the most received.
  groups.sort((a, b) => a.shareAcknowledged - b.shareAcknowledged || b.dead - a.dead || b.received - a.received || String(a.key).localeCompare(String(b.key)));
  return { groupBy, groups };
}

export function certificateExpiryDays(pem: string, now = Date.now()): number {
  return Math.floor((Date.parse(summariseCertificate(pem).notAfter) - now) / 86_400_000);
}

export async function overview(svc: Pick<Services, 'store' | 'signer' | 'circuit'>, now = Date.now()) {
  const [totals, oldest] = await Promise.all([svc.store.countByState(), svc.store.oldestQueuedAt()]);
  const snap = svc.circuit?.snapshot() ?? null;
  let expiry: number | null = null;
  try {
    expiry = certificateExpiryDays(svc.signer.certificatePem(), now);
  } catch {
    /* a signer without a readable certificate: shown as null */
  }
  return {
    totals,
    queueDepth: WAITING.reduce((n, s) => n + (totals[s] ?? 0), 0),
    oldestQueuedAgeSeconds: oldest === null ? null : Math.max(0, Math.round((now - oldest) / 1000)),
    circuit: snap ? { state: snap.state, nextProbeAt: snap.nextProbeAt, consecutiveFailures: snap.consecutiveFailures } : null,
    signer: { certificateExpiryDays: expiry },
  };
}
