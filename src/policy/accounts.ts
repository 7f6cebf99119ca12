/**
 * Account lifecycle rules as data (config `accounts.rules`): a free account (never bought
 * credits) is suspended some time after it was created; a prepaid account whose ledger has not
 * moved for long is flagged inactive (an AdminAction outcome, once per idle period).
 * evaluateAccountRules is pure (facts + rules + now → the rule that applies); runAccountRules
 * gathers the facts from the state store and applies them; main.ts runs it periodically when
 * credits are metered. The clock is an argument, so tests move time instead of waiting.
 */
import type { Config } from '../config/index.ts';
import { parseDuration, type Tenant } from '../domain/index.ts';
import type { StateStore } from '../state/index.ts';

export interface AccountRule {
  readonly plan: 'free' | 'prepaid';
  readonly afterMs: number;
  readonly action: 'suspend' | 'flag-inactive';
  readonly reason: string;
}

export interface AccountFacts {
  readonly tenant: Tenant;
  /** A top-up or refill is in the ledger. */
  readonly prepaid: boolean;
  /** The newest ledger entry's time (undefined: none). */
  readonly lastMovementAt: number | undefined;
}

export interface AccountAction {
  readonly tenantId: string;
  readonly action: AccountRule['action'];
  readonly reason: string;
}

export function accountRules(config: Config): AccountRule[] {
  return config.accounts.rules.map((rule) => ({ plan: rule.plan, afterMs: parseDuration(rule.after), action: rule.action, reason: rule.reason }));
}

/** The first rule that applies to an active tenant at `now`, if any. */
export function evaluateAccountRules(rules: readonly AccountRule[], facts: AccountFacts, now: number): AccountRule | undefined {
  if (facts.tenant.status !== 'active') return undefined;
  return rules.find((rule) => {
    if (rule.plan === 'free') return !facts.prepaid && now - facts.tenant.createdAt >= rule.afterMs;
    const since = facts.lastMovementAt ?? facts.tenant.createdAt;
    return facts.prepaid && now - since >= rule.afterMs;
  });
}

const LEDGER_PAGE = 500;

async function factsOf(state: StateStore, tenant: Tenant): Promise<AccountFacts> {
  let before: number | undefined;
  let lastMovementAt: number | undefined;
  for (;;) {
    const page = await state.readLedger(tenant.id, { limit: LEDGER_PAGE, ...(before === undefined ? {} : { before }) });
    lastMovementAt ??= page[0]?.at;
    if (page.some((entry) => entry.kind === 'top-up' || entry.kind === 'refill')) return { tenant, prepaid: true, lastMovementAt };
    if (page.length < LEDGER_PAGE) return { tenant, prepaid: false, lastMovementAt };
    before = page[page.length - 1]?.seq;
  }
}

async function alreadyFlagged(state: StateStore, tenantId: string, since: number): Promise<boolean> {
  const records = await state.readOutcomes({ tenantId, types: ['AdminAction'], limit: 10_000 });
  return records.some((record) => record.type === 'AdminAction' && record.action === 'account.flag-inactive' && record.at >= since);
}

/** Applies the rules to every tenant at `now`; returns what was done. */
export async function runAccountRules(state: StateStore, rules: readonly AccountRule[], now: number): Promise<AccountAction[]> {
  const done: AccountAction[] = [];
  for (const tenant of await state.listTenants()) {
    if (tenant.status !== 'active') continue;
    const facts = await factsOf(state, tenant);
    const rule = evaluateAccountRules(rules, facts, now);
    if (!rule) continue;
    if (rule.action === 'suspend') {
      await state.setTenantStatus(tenant.id, 'suspended', rule.reason);
      await state.appendOutcomes([{ type: 'AdminAction', at: now, tenantId: tenant.id, actor: 'account-rules', action: 'tenant.suspend', target: tenant.id, reason: rule.reason }]);
    } else {
      if (await alreadyFlagged(state, tenant.id, facts.lastMovementAt ?? tenant.createdAt)) continue;
      await state.appendOutcomes([{ type: 'AdminAction', at: now, tenantId: tenant.id, actor: 'account-rules', action: 'account.flag-inactive', target: tenant.id, reason: rule.reason }]);
    }
    done.push({ tenantId: tenant.id, action: rule.action, reason: rule.reason });
  }
  return done;
}
