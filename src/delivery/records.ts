/**
 * Outcome records of delivery attempts (Delivery, TransientFailure, Bounce, Expiration), pure.
 * Exports attemptRecords: per-recipient outcomes → one record per (type, reply) group, so one
 * SMTP transaction with mixed RCPT replies yields one record per distinct result. Every
 * recipient of the outcomes appears in exactly one record.
 */
import type { Delivery, OutcomeRecord, RemoteReply } from '../domain/index.ts';

export type RecipientOutcomeKind = 'delivered' | 'bounced' | 'deferred' | 'expired';

export interface RecipientOutcome {
  readonly address: string;
  readonly kind: RecipientOutcomeKind;
  readonly reply?: RemoteReply;
}

export interface AttemptContext {
  readonly delivery: Delivery;
  /** The attempt number these outcomes belong to (1 for the first attempt). */
  readonly attempt: number;
  readonly egressIp?: string;
  readonly mxHost?: string;
  readonly site?: string;
  /** When the delivery was claimed (ms); durationMs = at − startedAt. */
  readonly startedAt: number;
}

const RECORD_TYPE = { delivered: 'Delivery', bounced: 'Bounce', deferred: 'TransientFailure', expired: 'Expiration' } as const;

function groupKey(outcome: RecipientOutcome): string {
  const reply = outcome.reply;
  return `${outcome.kind}|${reply?.code ?? ''}|${reply?.enhanced ?? ''}|${reply?.text ?? ''}`;
}

export function attemptRecords(context: AttemptContext, outcomes: readonly RecipientOutcome[], at: number, nextAttemptAt?: number): OutcomeRecord[] {
  const groups = new Map<string, RecipientOutcome[]>();
  for (const outcome of outcomes) {
    const key = groupKey(outcome);
    groups.set(key, [...(groups.get(key) ?? []), outcome]);
  }
  const { delivery } = context;
  return [...groups.values()].map((group) => {
    const first = group[0] as RecipientOutcome;
    const base = {
      at,
      tenantId: delivery.tenantId,
      messageId: delivery.messageId,
      deliveryId: delivery.id,
      recipients: group.map((outcome) => outcome.address),
      attempt: context.attempt,
      durationMs: Math.max(0, at - context.startedAt),
      ...(context.egressIp !== undefined && { egressIp: context.egressIp }),
      ...(context.mxHost !== undefined && { mxHost: context.mxHost }),
      ...(context.site !== undefined && { site: context.site }),
      ...(first.reply !== undefined && { reply: first.reply }),
    };
    const type = RECORD_TYPE[first.kind];
    if (type === 'TransientFailure') return { ...base, type, nextAttemptAt: nextAttemptAt ?? at };
    return { ...base, type };
  });
}
