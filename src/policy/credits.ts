/**
 * The credit meter at the ingress (ARCHITECTURE.md §1.3 and §1.5, docs/decisions/0004-credit-gate.md).
 * RCPT: refuse `452 4.7.1 insufficient credits` when available credits (balance − reserved) are
 * clearly below what the recipients so far cost (a recent local reading answers without a round
 * trip; only a "no" is re-read). DATA: reserve (id = message id) → spool.accept with the charge
 * → commitReservation → 250; a failure before the spool commit releases the reservation.
 * Exports CreditMeter, creditSettings, messageCost. Unmetered (credits.metered false): no-ops.
 */
import type { Config } from '../config/index.ts';
import { ACCEPT, parseDuration, tempfail, type Verdict } from '../domain/index.ts';
import type { StateStore } from '../state/index.ts';
import type { IngressCheck, RcptContext } from './types.ts';

export interface CreditSettings {
  readonly metered: boolean;
  readonly costPerRecipient: number;
  readonly sizeBands: readonly { readonly above: number; readonly costPerRecipient: number }[];
  readonly reservationTtlMs: number;
}

/** Told whenever the meter learns a tenant's credits run low (auto-refill decides what to do). */
export type LowCreditsListener = (tenantId: string, available: number) => void;

/** A local reading of available credits younger than this answers a RCPT "yes" without Redis. */
const AVAILABLE_CACHE_MS = 1_000;

export function creditSettings(config: Config): CreditSettings {
  const { metered, costPerRecipient, sizeBands, reservationTtl } = config.credits;
  return { metered, costPerRecipient, sizeBands, reservationTtlMs: parseDuration(reservationTtl) };
}

/** Credits a message costs: recipients × the cost of the highest size band it passes. */
export function messageCost(settings: CreditSettings, recipients: number, size: number): number {
  let perRecipient = settings.costPerRecipient;
  let bandFloor = -1;
  for (const band of settings.sizeBands) {
    if (size > band.above && band.above > bandFloor) [perRecipient, bandFloor] = [band.costPerRecipient, band.above];
  }
  return recipients * perRecipient;
}

function insufficient(): Verdict {
  return tempfail('credits.insufficient');
}

export class CreditMeter {
  readonly settings: CreditSettings;
  readonly #state: StateStore;
  readonly #available = new Map<string, { readonly available: number; readonly at: number }>();
  #onLow: LowCreditsListener;

  constructor(state: StateStore, settings: CreditSettings, onLow: LowCreditsListener = () => {}) {
    this.#state = state;
    this.settings = settings;
    this.#onLow = onLow;
  }

  get metered(): boolean {
    return this.settings.metered;
  }

  /** Wires auto-refill after construction (main.ts). */
  setLowCreditsListener(listener: LowCreditsListener): void {
    this.#onLow = listener;
  }

  #remember(tenantId: string, available: number): void {
    this.#available.set(tenantId, { available, at: Date.now() });
    this.#onLow(tenantId, available);
  }

  async #readAvailable(tenantId: string): Promise<number> {
    const { balance, reserved } = await this.#state.getCredits(tenantId);
    this.#remember(tenantId, balance - reserved);
    return balance - reserved;
  }

  /** RCPT TO: the recipients so far (this one included) must be affordable at the base cost. */
  rcptCheck(): IngressCheck<RcptContext> {
    return {
      name: 'credits',
      check: async ({ tenantId, acceptedRecipients }) => {
        const needed = messageCost(this.settings, acceptedRecipients + 1, 0);
        const known = this.#available.get(tenantId);
        if (known && Date.now() - known.at < AVAILABLE_CACHE_MS && known.available >= needed) return ACCEPT;
        return (await this.#readAvailable(tenantId)) >= needed ? ACCEPT : insufficient();
      },
    };
  }

  /** Holds `amount` for the message; a store failure throws (the caller answers 451 4.3.0). */
  async reserve(tenantId: string, messageId: string, amount: number): Promise<Verdict> {
    const result = await this.#state.reserveCredits(tenantId, messageId, amount, this.settings.reservationTtlMs);
    this.#remember(tenantId, result.available);
    return result.ok ? ACCEPT : insufficient();
  }

  /** Gives the credits back after a failure before the spool commit; never throws (they expire anyway). */
  async release(tenantId: string, messageId: string): Promise<void> {
    await this.#state.releaseReservation(tenantId, messageId).catch(() => false);
    this.#available.delete(tenantId);
  }

  /**
   * Charges a spooled message (idempotent per message id; `amount` charges it even when the
   * reservation expired). True when the store confirmed the charge.
   */
  async commit(tenantId: string, messageId: string, amount: number): Promise<boolean> {
    const write = await this.#state.commitReservation(tenantId, messageId, { amount });
    if (write.entry) this.#onLow(tenantId, write.entry.balance);
    return write.entry !== undefined;
  }
}
