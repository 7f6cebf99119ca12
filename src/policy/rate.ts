/**
 * Per-tenant limits that hold across every node through the state store (Redis when shared):
 * message rate (GCRA, the spec in the key → 451 4.7.1), daily quota (451 4.7.1) and concurrent
 * connections (leases; with the embedded store one node's in-memory count already is global).
 * All three run at MAIL FROM (after the sender checks). A lease is taken at a session's first MAIL FROM, refreshed only
 * when half its TTL passed (no round trip per message) and released at close.
 * Effective limits: config defaults < `tenantLimits.overrides[<id>]` < the tenant record's own
 * `limits` (admin API / CLI), read from the record the MAIL FROM context carries — no extra
 * store round trip per message. Exports TenantLimits, tenantLimitSettings, limitsFor, utcDay.
 */
import type { Config } from '../config/index.ts';
import { ACCEPT, parseDuration, tempfail, type TenantLimitOverrides, type Verdict } from '../domain/index.ts';
import type { StateStore } from '../state/index.ts';
import type { IngressCheck, MailContext } from './types.ts';

export interface TenantLimitValues {
  readonly messagesPerSecond: number;
  readonly burst: number;
  readonly dailyQuota: number;
}

export interface TenantLimitSettings {
  readonly defaults: TenantLimitValues;
  readonly overrides: Readonly<Record<string, Partial<TenantLimitValues>>>;
  /** Cluster-wide connection cap per tenant; 0 = leases off (embedded store: one node). */
  readonly maxConnections: number;
  readonly leaseTtlMs: number;
}

export function tenantLimitSettings(config: Config): TenantLimitSettings {
  const { messagesPerSecond, burst, dailyQuota, overrides } = config.tenantLimits;
  const clustered = config.state.backend === 'redis';
  return {
    defaults: { messagesPerSecond, burst, dailyQuota },
    overrides,
    maxConnections: clustered ? config.ingress.limits.maxConnectionsPerTenant : 0,
    // A session idles at most socketTimeout between commands; a lease outlives that.
    leaseTtlMs: parseDuration(config.ingress.limits.socketTimeout) + 60_000,
  };
}

/** Config defaults, then the config override of this tenant, then the tenant record's own limits. */
export function limitsFor(settings: TenantLimitSettings, tenantId: string, own?: TenantLimitOverrides): TenantLimitValues {
  const merged = { ...settings.defaults, ...settings.overrides[tenantId] };
  for (const key of ['messagesPerSecond', 'burst', 'dailyQuota'] as const) {
    const value = own?.[key];
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/** `2025-01-31` (UTC) of a time in ms. */
export function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

export class TenantLimits {
  readonly #state: StateStore;
  readonly #settings: TenantLimitSettings;
  readonly #clock: () => number;
  /** sessionId → when its lease was last refreshed. */
  readonly #leases = new Map<string, number>();

  constructor(state: StateStore, settings: TenantLimitSettings, clock: () => number = Date.now) {
    this.#state = state;
    this.#settings = settings;
    this.#clock = clock;
  }

  /** The MAIL FROM checks, in order: connections (cluster), message rate, daily quota (counts only what the rate let through). */
  mailFromChecks(): IngressCheck<MailContext>[] {
    return [
      { name: 'tenant-connections', check: (context) => this.#connection(context) },
      { name: 'message-rate', check: (context) => this.#rate(context) },
      { name: 'daily-quota', check: (context) => this.#daily(context) },
    ];
  }

  async #connection({ tenantId, sessionId }: MailContext): Promise<Verdict> {
    const max = this.#settings.maxConnections;
    if (max === 0) return ACCEPT;
    const now = this.#clock();
    const refreshed = this.#leases.get(sessionId);
    if (refreshed !== undefined && now - refreshed < this.#settings.leaseTtlMs / 2) return ACCEPT;
    const held = await this.#state.acquireLease(`conn:${tenantId}`, sessionId, max, this.#settings.leaseTtlMs);
    if (!held) return tempfail('connection.limit', `Too many concurrent connections for this account (at most ${max})`);
    this.#leases.set(sessionId, now);
    return ACCEPT;
  }

  async #daily({ tenantId, tenant }: MailContext): Promise<Verdict> {
    const { dailyQuota } = limitsFor(this.#settings, tenantId, tenant?.limits);
    if (dailyQuota === 0) return ACCEPT;
    const count = await this.#state.incrementDaily(`quota:${tenantId}`, utcDay(this.#clock()), 1, dailyQuota);
    return count.allowed ? ACCEPT : tempfail('rate.limited', `Daily quota of ${dailyQuota} messages reached, try again tomorrow`);
  }

  async #rate({ tenantId, tenant }: MailContext): Promise<Verdict> {
    const { messagesPerSecond, burst } = limitsFor(this.#settings, tenantId, tenant?.limits);
    if (messagesPerSecond === 0) return ACCEPT;
    const decision = await this.#state.rateLimit(`rate:${tenantId}`, { ratePerSecond: messagesPerSecond, burst }, this.#clock());
    if (decision.allowed) return ACCEPT;
    return tempfail('rate.limited', `Rate limit of ${messagesPerSecond} messages per second exceeded, try again in ${Math.ceil(decision.retryAfterMs / 1000)} s`);
  }

  /** At session close; never throws (a lease left behind expires after its TTL). */
  async releaseConnection(tenantId: string, sessionId: string): Promise<void> {
    if (!this.#leases.delete(sessionId)) return;
    await this.#state.releaseLease(`conn:${tenantId}`, sessionId).catch(() => {});
  }
}
