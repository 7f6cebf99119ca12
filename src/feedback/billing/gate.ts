/**
 * Wires the credit gate for the composition root: the ingress Policy with auto-refill listening
 * to its credit meter, the unconfirmed charges of the spool committed before serving (the spool
 * is the truth after a crash) and then swept periodically, and the account rules job (metered
 * nodes only). Exports startCreditGate → { policy, autoRefill, stop() }.
 */
import type { Config } from '../../config/index.ts';
import { parseDuration } from '../../domain/index.ts';
import type { Logger } from '../../platform/index.ts';
import { accountRules, confirmPendingCharges, createPolicy, runAccountRules, startChargeConfirmer, type Policy } from '../../policy/index.ts';
import type { Spool } from '../../spool/index.ts';
import type { StateStore } from '../../state/index.ts';
import { AutoRefill, billingSettings } from './auto-refill.ts';

export interface CreditGate {
  readonly policy: Policy;
  readonly autoRefill: AutoRefill;
  stop(): Promise<void>;
}

export interface CreditGateOptions {
  readonly config: Config;
  readonly state: StateStore;
  readonly spool: Spool;
  readonly log: Logger;
}

function startAccountRules(options: CreditGateOptions): () => void {
  const { config, state, log } = options;
  const rules = accountRules(config);
  if (!config.credits.metered || rules.length === 0) return () => {};
  const run = () =>
    void runAccountRules(state, rules, Date.now())
      .then((actions) => actions.forEach((action) => log.info(action, 'account rule applied')))
      .catch((error: unknown) => log.warn({ err: error }, 'account rules run failed; next run retries'));
  run();
  const timer = setInterval(run, parseDuration(config.accounts.checkEvery));
  timer.unref();
  return () => clearInterval(timer);
}

export async function startCreditGate(options: CreditGateOptions): Promise<CreditGate> {
  const { config, state, spool, log } = options;
  const autoRefill = new AutoRefill({ state, billing: billingSettings(config), log });
  const policy = createPolicy(config, state, undefined, { onLowCredits: autoRefill.onLowCredits });
  try {
    const { confirmed } = await confirmPendingCharges(spool, policy.credits);
    if (confirmed > 0) log.info({ confirmed }, 'charged the spooled messages whose charge was not confirmed before the stop');
  } catch (error) {
    log.warn({ err: error }, 'could not confirm pending credit charges at start; retrying in the background');
  }
  const confirmer = startChargeConfirmer(spool, policy.credits, parseDuration(config.credits.confirmEvery), log);
  const stopRules = startAccountRules(options);
  return {
    policy,
    autoRefill,
    async stop() {
      stopRules();
      await confirmer.stop();
      await autoRefill.stop();
    },
  };
}
