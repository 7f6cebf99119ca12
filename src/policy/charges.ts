/**
 * Confirms the credit charges of spooled messages (docs/decisions/0004-credit-gate.md). The
 * spool commit is the truth: a message the spool accepted with a charge is charged, even when
 * the state store failed between the spool commit and commitReservation (Redis away, crash).
 * confirmPending() commits every unconfirmed charge idempotently (commitReservation with the
 * amount) and forgets it; main.ts runs it before serving and then periodically.
 * Exports confirmPendingCharges and startChargeConfirmer.
 */
import type { Logger } from '../platform/index.ts';
import type { Spool } from '../spool/index.ts';
import type { CreditMeter } from './credits.ts';

const PAGE = 500;

export interface ConfirmResult {
  readonly confirmed: number;
  readonly failed: number;
}

/** One sweep over the unconfirmed charges; stops at the first store failure (it is down). */
export async function confirmPendingCharges(spool: Spool, meter: CreditMeter): Promise<ConfirmResult> {
  let confirmed = 0;
  for (;;) {
    const page = await spool.unconfirmedCharges(PAGE);
    if (page.length === 0) return { confirmed, failed: 0 };
    const done: string[] = [];
    try {
      for (const charge of page) {
        await meter.commit(charge.tenantId, charge.messageId, charge.amount);
        done.push(charge.messageId);
      }
    } finally {
      await spool.confirmCharges(done);
    }
    confirmed += done.length;
    if (page.length < PAGE) return { confirmed, failed: 0 };
  }
}

export interface ChargeConfirmer {
  stop(): Promise<void>;
}

/** Sweeps every `everyMs`; a failed sweep (store down) is logged and tried again next time. */
export function startChargeConfirmer(spool: Spool, meter: CreditMeter, everyMs: number, log: Logger): ChargeConfirmer {
  let running: Promise<void> | undefined;
  const sweep = () => {
    if (running) return;
    running = confirmPendingCharges(spool, meter)
      .then((result) => {
        if (result.confirmed > 0) log.info({ confirmed: result.confirmed }, 'confirmed pending credit charges');
      })
      .catch((error: unknown) => log.warn({ err: error }, 'could not confirm pending credit charges; retrying later'))
      .finally(() => (running = undefined));
  };
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
