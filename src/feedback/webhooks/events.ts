/**
 * Outcome records → webhook events, pure, plus the consumer that queues them in the durable
 * outbox for tenants with an endpoint. Exports webhookEventsOf, createWebhookQueuer.
 * Event ids are `evt_<seq>` (one record → one event; a Delivery record of several recipients is
 * one event listing them), so a repeated consumer batch queues the same ids and receivers can
 * drop duplicates. Reception and AdminAction records are not tenant-facing events.
 */
import type { OutcomeRecord, OutcomeType } from '../../domain/index.ts';
import type { StateStore, WebhookEvent, WebhookEventType } from '../../state/index.ts';
import type { OutcomeConsumer } from '../suppression/index.ts';

const EVENT_TYPE: Partial<Record<OutcomeType, WebhookEventType>> = {
  Delivery: 'delivered', TransientFailure: 'deferred', Bounce: 'bounced', Expiration: 'bounced',
  Complaint: 'complained', Unsubscribe: 'unsubscribed', Suppressed: 'suppressed', Rejection: 'rejected',
};

function dataOf(record: OutcomeRecord): Record<string, unknown> {
  switch (record.type) {
    case 'Delivery': case 'TransientFailure': case 'Expiration':
      return { recipients: record.recipients, reply: record.reply, attempt: record.attempt, ...(record.type === 'TransientFailure' && { nextAttemptAt: record.nextAttemptAt }) };
    case 'Bounce':
      return { recipients: record.recipients, reply: record.reply, bounceClass: record.bounceClass, hard: record.hard, via: record.via ?? 'smtp' };
    case 'Complaint':
      return { recipient: record.recipient, source: record.source };
    case 'Unsubscribe':
      return { recipient: record.recipient, method: record.method };
    case 'Suppressed':
      return { recipient: record.recipient, reason: record.reason, scope: record.scope === '*' ? 'global' : 'tenant' };
    case 'Rejection':
      return { stage: record.stage, reason: record.reason, recipients: record.recipients, reply: record.reply };
    default:
      return {};
  }
}

export function webhookEventsOf(record: OutcomeRecord): WebhookEvent | undefined {
  const type = EVENT_TYPE[record.type];
  if (type === undefined || record.tenantId === undefined || record.seq === undefined) return undefined;
  const base = { id: `evt_${record.seq}`, tenantId: record.tenantId, seq: record.seq, type, createdAt: record.at, data: dataOf(record) };
  return record.messageId === undefined ? base : { ...base, messageId: record.messageId };
}

export function createWebhookQueuer(state: StateStore): OutcomeConsumer {
  return {
    name: 'feedback.webhooks',
    types: new Set(Object.keys(EVENT_TYPE) as OutcomeType[]),
    async handle(records) {
      const endpoints = new Set((await state.listWebhookEndpoints()).map((e) => e.tenantId));
      const events = records.map(webhookEventsOf).filter((e): e is WebhookEvent => e !== undefined && endpoints.has(e.tenantId));
      await state.enqueueWebhookEvents(events);
    },
  };
}
