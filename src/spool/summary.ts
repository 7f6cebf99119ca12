/**
 * Queue summary for `ferry queue`: depth and oldest receivedAt, grouped by tenant and by
 * recipient domain. Pure: folds over the deliveries the spool scans (O(deliveries)).
 * Exports SummaryBuilder and summarizeDeliveries. Done deliveries are removed from the spool, so every delivery
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

/**
 * Folds deliveries, fed in key order (the deliveries of one message adjacent), into totals and
 * per-tenant / per-domain groups. A builder, so the spool can feed it in slices between which the
 * event loop runs.
 */
export class SummaryBuilder {
  readonly #byTenant = new Map<string, GroupAccumulator>();
  readonly #byDomain = new Map<string, GroupAccumulator>();
  #scheduled = 0;
  #active = 0;
  #held = 0;
  #oldestReceivedAt: number | undefined;

  add(delivery: Delivery): void {
    if (delivery.state === 'active') this.#active++;
    else if (delivery.state === 'held') this.#held++;
    else this.#scheduled++;
    this.#oldestReceivedAt = Math.min(this.#oldestReceivedAt ?? delivery.receivedAt, delivery.receivedAt);
    addTo(this.#byTenant, delivery.tenantId, delivery);
    addTo(this.#byDomain, delivery.domain, delivery);
  }

  result(messages: number): SpoolSummary {
    const held = this.#held;
    return {
      totals: { messages, scheduled: this.#scheduled, active: this.#active, ...(held > 0 && { held }), oldestReceivedAt: this.#oldestReceivedAt },
      byTenant: finish(this.#byTenant),
      byDomain: finish(this.#byDomain),
    };
  }
}

/** Folds deliveries into totals and per-tenant / per-domain groups; the deliveries of one message must be adjacent. */
export function summarizeDeliveries(deliveries: Iterable<Delivery>, messages: number): SpoolSummary {
  const builder = new SummaryBuilder();
  for (const delivery of deliveries) builder.add(delivery);
  return builder.result(messages);
}
