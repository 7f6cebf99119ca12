/**
 * Queue summary for `ferry queue`: depth and oldest receivedAt, grouped by tenant and by
 * recipient domain. Pure: folds over the deliveries the spool scans (O(deliveries)).
 * Exports summarizeDeliveries. Done deliveries are removed from the spool, so every delivery
 * seen here is either scheduled or active.
 */
import type { Delivery } from '../domain/index.ts';
import type { SpoolGroupSummary, SpoolSummary } from './types.ts';

interface GroupAccumulator {
  scheduled: number;
  held: number;
  active: number;
  messageIds: Set<string>;
  oldestReceivedAt: number;
}

function addTo(groups: Map<string, GroupAccumulator>, key: string, delivery: Delivery): void {
  let group = groups.get(key);
  if (!group) {
    group = { scheduled: 0, held: 0, active: 0, messageIds: new Set(), oldestReceivedAt: delivery.receivedAt };
    groups.set(key, group);
  }
  if (delivery.state === 'active') group.active++;
  else if (delivery.state === 'held') group.held++;
  else group.scheduled++;
  group.messageIds.add(delivery.messageId);
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
      messages: group.messageIds.size,
      oldestReceivedAt: group.oldestReceivedAt,
    }))
    .sort((a, b) => b.deliveries - a.deliveries || a.key.localeCompare(b.key));
}

/** Folds deliveries into totals and per-tenant / per-domain groups. */
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
