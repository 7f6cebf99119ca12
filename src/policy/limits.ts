/**
 * Count limits of the ingress: recipients per transaction (452 4.5.3) and concurrent SMTP
 * connections per tenant (per node, in memory: a connection lives on one node). Exports
 * recipientCapCheck and TenantConnections. A connection is counted from the moment its tenant
 * is known (AUTH or relay network) until it closes; release() is idempotent per session.
 */
import { ACCEPT, tempfail, type Verdict } from '../domain/index.ts';
import type { IngressCheck, RcptContext } from './types.ts';

export function recipientCapCheck(maxRecipients: number): IngressCheck<RcptContext> {
  return {
    name: 'recipient-cap',
    async check({ acceptedRecipients }) {
      return acceptedRecipients >= maxRecipients ? tempfail('recipient.too-many', `Too many recipients (at most ${maxRecipients} per message)`) : ACCEPT;
    },
  };
}

export class TenantConnections {
  readonly #max: number;
  readonly #byTenant = new Map<string, Set<string>>();

  constructor(maxPerTenant: number) {
    this.#max = maxPerTenant;
  }

  /** Counts the session against its tenant, or refuses when the tenant is at its limit. */
  acquire(tenantId: string, sessionId: string): Verdict {
    let sessions = this.#byTenant.get(tenantId);
    if (sessions?.has(sessionId)) return ACCEPT;
    if (sessions && sessions.size >= this.#max) return tempfail('connection.limit', `Too many concurrent connections for this account (at most ${this.#max})`);
    if (!sessions) this.#byTenant.set(tenantId, (sessions = new Set()));
    sessions.add(sessionId);
    return ACCEPT;
  }

  release(tenantId: string, sessionId: string): void {
    const sessions = this.#byTenant.get(tenantId);
    if (!sessions) return;
    sessions.delete(sessionId);
    if (sessions.size === 0) this.#byTenant.delete(tenantId);
  }

  count(tenantId: string): number {
    return this.#byTenant.get(tenantId)?.size ?? 0;
  }
}
