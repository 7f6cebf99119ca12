/**
 * Auto-refill (docs/decisions/0004-credit-gate.md): told by the credit meter that a tenant's
 * credits run low, it checks the tenant's refill settings (cached briefly), claims THE refill
 * cluster-wide (state.claimRefill: at most one in flight per tenant across every node), buys
 * through the billing endpoint and finishes it (purchased → credits added with a `refill` ledger
 * entry, ref = idempotency key; refused → refill paused with the reason; failed → nothing).
 * Each finished refill writes one AdminAction outcome (actor `auto-refill`). Runs off the SMTP
 * path: onLowCredits returns at once. Exports AutoRefill, billingSettings.
 */
import type { Config } from '../../config/index.ts';
import { newMessageId, parseDuration } from '../../domain/index.ts';
import type { Logger } from '../../platform/index.ts';
import type { RefillOutcome, RefillSettings, StateStore } from '../../state/index.ts';
import { purchaseCredits, type BillingSettings } from './client.ts';

/** Settings are re-read at most this often per tenant (claimRefill re-checks them atomically). */
const SETTINGS_TTL_MS = 2_000;
/** After a failed purchase (billing down) this node waits before it tries that tenant again. */
const FAILURE_COOLDOWN_MS = 30_000;

export function billingSettings(config: Config): BillingSettings | undefined {
  const { url, secret, timeout, retries } = config.billing;
  return url === '' ? undefined : { url, secret, timeoutMs: parseDuration(timeout), retries };
}

export interface AutoRefillOptions {
  readonly state: StateStore;
  readonly billing: BillingSettings | undefined;
  readonly log: Logger;
}

export class AutoRefill {
  readonly #state: StateStore;
  readonly #billing: BillingSettings | undefined;
  readonly #log: Logger;
  readonly #settings = new Map<string, { readonly value: RefillSettings | undefined; readonly at: number }>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #cooldownUntil = new Map<string, number>();
  readonly #abort = new AbortController();
  #warnedNoBilling = false;

  constructor(options: AutoRefillOptions) {
    this.#state = options.state;
    this.#billing = options.billing;
    this.#log = options.log;
  }

  /** The meter's LowCreditsListener: never blocks, never throws. */
  readonly onLowCredits = (tenantId: string, available: number): void => {
    if (this.#running.has(tenantId) || (this.#cooldownUntil.get(tenantId) ?? 0) > Date.now()) return;
    const run = this.#maybeRefill(tenantId, available)
      .catch((error: unknown) => this.#log.warn({ err: error, tenantId }, 'auto-refill attempt failed'))
      .finally(() => this.#running.delete(tenantId));
    this.#running.set(tenantId, run);
  };

  async #settingsOf(tenantId: string): Promise<RefillSettings | undefined> {
    const cached = this.#settings.get(tenantId);
    if (cached && Date.now() - cached.at < SETTINGS_TTL_MS) return cached.value;
    const value = await this.#state.getRefillSettings(tenantId);
    this.#settings.set(tenantId, { value, at: Date.now() });
    return value;
  }

  async #maybeRefill(tenantId: string, available: number): Promise<void> {
    const settings = await this.#settingsOf(tenantId);
    if (!settings?.enabled || settings.paused || available >= settings.threshold) return;
    if (!this.#billing) {
      if (!this.#warnedNoBilling) this.#log.error({ tenantId }, 'auto-refill is enabled but billing.url is not configured; no credits are bought');
      this.#warnedNoBilling = true;
      return;
    }
    const refillId = `refill-${newMessageId()}`;
    if (!(await this.#state.claimRefill(tenantId, refillId, this.#claimTtlMs(this.#billing)))) return;
    this.#settings.delete(tenantId);
    const outcome = await purchaseCredits(this.#billing, { tenantId, amount: settings.amount, idempotencyKey: refillId }, this.#abort.signal);
    await this.#finish(tenantId, refillId, outcome);
  }

  /** Long enough for every attempt and backoff, so no second node claims while this one buys. */
  #claimTtlMs(billing: BillingSettings): number {
    return (billing.timeoutMs + 5_000) * (billing.retries + 1) + 5_000;
  }

  async #finish(tenantId: string, refillId: string, outcome: RefillOutcome): Promise<void> {
    const entry = await this.#state.finishRefill(tenantId, refillId, outcome);
    if (outcome.result === 'failed') this.#cooldownUntil.set(tenantId, Date.now() + FAILURE_COOLDOWN_MS);
    const action = outcome.result === 'purchased' ? 'credits.refill' : outcome.result === 'refused' ? 'credits.refill-paused' : 'credits.refill-failed';
    const reason = outcome.result === 'purchased' ? `bought ${outcome.amount} credits (${refillId})` : outcome.reason;
    await this.#state.appendOutcomes([{ type: 'AdminAction', at: Date.now(), tenantId, actor: 'auto-refill', action, target: refillId, reason }]);
    this.#log.info({ tenantId, refillId, result: outcome.result, balance: entry?.balance, reason }, 'auto-refill finished');
  }

  /** Waits for running refills (a purchase in progress is aborted; its claim expires). */
  async stop(): Promise<void> {
    this.#abort.abort();
    await Promise.allSettled([...this.#running.values()]);
  }

  /** For tests and the CLI: resolves when every refill running now has finished. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#running.values()]);
  }
}
