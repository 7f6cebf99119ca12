/**
 * Queue summary for `ferry queue`: depth and oldest receivedAt, grouped by tenant and by
 * recipient domain. Pure: folds over the deliveries the spool scans (O(deliveries)).
 * Exports summarizeDeliveries. Done deliveries are removed from the spool, so every delivery
 * seen here is either scheduled or active. The deliveries of one message come one after another
 * (the spool scans them in key order, `${messageId}:${n}`), so distinct messages per group are
 * counted without keeping every message id (a million queued would cost hundreds of MB).
 */
import type { Delivery } from '../domain/index.ts';
import type { SpoolGroupSummary, SpoolSummary } from './types.ts';

interface GroupAccumulator {
  scheduled: number;
  held: number;
  active: number;
  messages: number;
  /** Message of the group's previous delivery: a new one counts once (deliveries of a message are adjacent). */
  lastMessageId: string;
  oldestReceivedAt: number;
}

function addTo(groups: Map<string, GroupAccumulator>, key: string, delivery: Delivery): void {
  let group = groups.get(key);
  if (!group) {
    group = { scheduled: 0, held: 0, active: 0, messages: 0, lastMessageId: '', oldestReceivedAt: delivery.receivedAt };
    groups.set(key, group);
  }
  if (delivery.state === 'active') group.active++;
  else if (delivery.state === 'held') group.held++;
  else group.scheduled++;
  if (delivery.messageId !== group.lastMessageId) {
    group.messages++;
    group.lastMessageId = delivery.messageId;
  }
  group.oldestReceivedAt = Math.min(group.oldestReceivedAt, delivery.receivedAt);
}

function finish(groups: Map<string, GroupAccumulator>): SpoolGroupSummary[] {
  return [...groups]
    .map(([key, group]) => ({
      key,
      deliveries: group.scheduled + group.held + group.active,
      scheduled: group.scheduled,
      ...(group.held > 0 && { held: group.held }),
      active: group.active,
      messages: group.messages,
      oldestReceivedAt: group.oldestReceivedAt,
    }))
    .sort((a, b) => b.deliveries - a.deliveries || a.key.localeCompare(b.key));
}

/** Folds deliveries into totals and per-tenant / per-domain groups; the deliveries of one message must be adjacent. */
export function summarizeDeliveries(deliveries: Iterable<Delivery>, messages: number): SpoolSummary {
  const byTenant = new Map<string, GroupAccumulator>();
  const byDomain = new Map<string, GroupAccumulator>();
  let scheduled = 0;
  let active = 0;
  let held = 0;
  let oldestReceivedAt: number | undefined;
  for (const delivery of deliveries) {
    if (delivery.state === 'active') active++;
    else if (delivery.state === 'held') held++;
    else scheduled++;
    oldestReceivedAt = Math.min(oldestReceivedAt ?? delivery.receivedAt, delivery.receivedAt);
    addTo(byTenant, delivery.tenantId, delivery);
    addTo(byDomain, delivery.domain, delivery);
  }
  return {
    totals: { messages, scheduled, active, ...(held > 0 && { held }), oldestReceivedAt },
    byTenant: finish(byTenant),
    byDomain: finish(byDomain),
  };
}
