/**
 * Settling a delivery after an attempt (or without one: route failure, expiry): per-recipient
 * outcomes → new recipient states, next attempt time (retry schedule, capped at expiresAt, or
 * Expiration once past it), outcome records appended to the state store, then spool.complete.
 * Exports createSettler → settle(context, outcomes). Records are appended before the spool
 * entry is completed: a crash in between repeats an attempt (records at least once), never
 * loses one. Recipients not named in the outcomes keep their state.
 */
import type { OutcomeRecord, RecipientStatus, RemoteReply } from '../domain/index.ts';
import type { Spool } from '../spool/index.ts';
import type { StateStore } from '../state/store.ts';
import { attemptRecords, type AttemptContext, type RecipientOutcome } from './records.ts';
import { nextAttemptDecision } from './retry.ts';

export interface SettlerDeps {
  readonly spool: Spool;
  readonly state: StateStore;
  readonly retrySchedule: readonly number[];
  readonly now: () => number;
  /** Bounce class of a permanent refusal (the feedback stage's classifier, wired in main.ts). */
  readonly classifyBounce?: (reply: RemoteReply) => { readonly bounceClass: string; readonly hard: boolean };
}

export type Settle = (context: AttemptContext, outcomes: readonly RecipientOutcome[]) => Promise<void>;

const NEW_STATE = { delivered: 'delivered', bounced: 'bounced', deferred: 'pending', expired: 'expired' } as const;

export function createSettler(deps: SettlerDeps): Settle {
  return async (context, outcomes) => {
    const now = deps.now();
    const { delivery } = context;
    let nextAttemptAt: number | undefined;
    let final = outcomes;
    if (outcomes.some((outcome) => outcome.kind === 'deferred')) {
      const decision = nextAttemptDecision(deps.retrySchedule, context.attempt, now, delivery.expiresAt);
      if (decision.kind === 'retry') nextAttemptAt = decision.at;
      else final = outcomes.map((outcome) => (outcome.kind === 'deferred' ? { ...outcome, kind: 'expired' } : outcome));
    }
    const byAddress = new Map(final.map((outcome) => [outcome.address, outcome]));
    const recipients: RecipientStatus[] = delivery.recipients.map((recipient) => {
      const outcome = byAddress.get(recipient.address);
      return outcome && recipient.state === 'pending' ? { address: recipient.address, state: NEW_STATE[outcome.kind] } : recipient;
    });
    const records = attemptRecords(context, final, now, nextAttemptAt).map((record): OutcomeRecord =>
      record.type === 'Bounce' && record.reply && deps.classifyBounce ? { ...record, via: 'smtp', ...deps.classifyBounce(record.reply) } : record);
    await deps.state.appendOutcomes(records);
    await deps.spool.complete(delivery.id, nextAttemptAt === undefined ? { recipients } : { recipients, nextAttemptAt });
  };
}
