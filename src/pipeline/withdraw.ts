import { audit, type Actor } from '../admin/audit.js';
import type { Settings } from '../config/settings.js';
import { uuidv7 } from '../ids/uuid-v7.js';
import type { Store, WithdrawOutcome } from '../storage/store.js';
import { retryPolicyOf } from './submission.js';

// The withdrawal of a record book (issue 15 item 10): its vendor or a province operator asks, by
// the id of any stored version. What never reached the Ministry is cancelled at the gateway;
// what it holds is withdrawn by a CANCEL event, queued and delivered as a record is (with the
// retry policy of the settings, retryPolicyOf) and acknowledged by the Ministry's receipt, after
// which the version it held reads `withdrawn`. Every request is in the audit log.

export interface WithdrawDeps {
  store: Store;
  settings: Pick<Settings, 'delivery'>;
  nudge(): void;
  now?: () => number;
  newId?: () => string;
}

export interface WithdrawAsk {
  recordId: string;
  reason: string;
  /** The vendor asking; null for a province operator (any vendor's record). */
  vendor: string | null;
  actor: Actor;
}

export async function withdrawRecordBook(deps: WithdrawDeps, ask: WithdrawAsk): Promise<WithdrawOutcome> {
  const { store } = deps;
  const row = await store.getRecord(ask.recordId);
  // Another vendor's record answers as one that does not exist.
  if (!row || row.state === 'rejected' || row.kind !== 'record' || (ask.vendor !== null && row.vendor !== ask.vendor)) return { kind: 'not-found' };
  const now = (deps.now ?? Date.now)();
  const newId = deps.newId ?? uuidv7;
  const outcome = await store.withdraw({
    recordId: ask.recordId,
    reason: ask.reason,
    now,
    submissionId: newId(),
    withdrawalId: newId(),
    policy: retryPolicyOf(deps.settings),
  });
  if (outcome.kind === 'queued' || outcome.kind === 'cancelled') {
    await audit(store, ask.actor, { action: 'withdraw', target: { id: ask.recordId, recordKey: outcome.recordKey, withdrawal: outcome.kind === 'queued' ? outcome.withdrawalId : null }, count: outcome.cancelled + (outcome.kind === 'queued' ? 1 : 0), reason: ask.reason }, now);
  }
  if (outcome.kind === 'queued') deps.nudge();
  return outcome;
}
