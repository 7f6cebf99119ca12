/**
 * Fan-out of an accepted message into its deliveries: one Delivery per recipient domain, in the
 * order the domains first appear in RCPT TO. Pure (no I/O); the spool stores what this returns.
 * Exports planDeliveries, deliveryKeyRange. Invariant: delivery ids are `${messageId}:${n}`, n from 0,
 * so every delivery of a message lies in the key range [`${id}:`, `${id};`).
 */
import { domainOf, FerryError, ErrorCodes, type AcceptedMessage, type Delivery } from '../domain/index.ts';

/** One fresh, scheduled delivery per recipient domain, due at receivedAt. */
export function planDeliveries(message: AcceptedMessage, expiresAt: number): Delivery[] {
  const byDomain = new Map<string, string[]>();
  for (const address of message.envelope.rcptTo) {
    const domain = domainOf(address);
    const addresses = byDomain.get(domain);
    if (addresses) addresses.push(address);
    else byDomain.set(domain, [address]);
  }
  if (byDomain.size === 0) {
    throw new FerryError(ErrorCodes.INTERNAL, `message ${message.id} has no recipients to spool`);
  }
  return [...byDomain].map(([domain, addresses], index) => ({
    id: `${message.id}:${index}`,
    messageId: message.id,
    tenantId: message.tenantId,
    domain,
    recipients: addresses.map((address) => ({ address, state: 'pending' as const })),
    state: 'scheduled' as const,
    attempts: 0,
    dueAt: message.receivedAt,
    expiresAt,
    receivedAt: message.receivedAt,
  }));
}

/** The key range holding every delivery of one message (':' + 1 is ';'). */
export function deliveryKeyRange(messageId: string): { start: string; end: string } {
  return { start: `${messageId}:`, end: `${messageId};` };
}

/** The numeric index n of a delivery id `${messageId}:${n}`. */
export function deliveryIndex(deliveryId: string): number {
  return Number(deliveryId.slice(deliveryId.lastIndexOf(':') + 1));
}
