/**
 * The policy stage: the one place where the ingress checks are wired into a closed, typed list
 * (CONVENTIONS.md 14), plus the session-level guards (AUTH, AUTH-failure throttle, connections
 * per tenant, relay networks). Exports createPolicy() and the pieces' types. Every check reads
 * the state store through the StateStore interface only; nothing here holds a socket.
 */
import type { Config } from '../config/index.ts';
import { oneClickPolicyOf, parseDuration, type Tenant } from '../domain/index.ts';
import type { StateStore } from '../state/index.ts';
import { AuthFailureThrottle } from './auth-throttle.ts';
import { recipientCapCheck, TenantConnections } from './limits.ts';
import { RelayNetworks } from './relay.ts';
import { cachedTenant, headerFromCheck, senderDomainCheck, tenantStatusCheck } from './senders.ts';
import type { IngressChecks } from './types.ts';
import { CreditMeter, creditSettings, type LowCreditsListener } from './credits.ts';
import { TenantLimits, tenantLimitSettings } from './rate.ts';
import { createContentGate, type ContentGate } from './filter/index.ts';
import { suppressionCheck } from './suppression.ts';

export { authenticate, API_KEY_USERNAME, type AuthResult } from './auth.ts';
export { AuthFailureThrottle, type AuthThrottleLimits, type ThrottleDecision } from './auth-throttle.ts';
export { TenantConnections, recipientCapCheck } from './limits.ts';
export { RelayNetworks, buildBlockList, normalizeClientIp } from './relay.ts';
export { runChecks, type RunOptions } from './run.ts';
export { tenantStatusCheck, senderDomainCheck, headerFromCheck, cachedTenant } from './senders.ts';
export type { IngressCheck, IngressChecks, MailContext, RcptContext, MessageContext, SessionIdentity } from './types.ts';
export { CreditMeter, creditSettings, messageCost, type CreditSettings, type LowCreditsListener } from './credits.ts';
export { TenantLimits, tenantLimitSettings, limitsFor, utcDay, type TenantLimitSettings, type TenantLimitValues } from './rate.ts';
export { confirmPendingCharges, startChargeConfirmer, type ChargeConfirmer } from './charges.ts';
export { createContentGate, ContentGate, buildMessageView, loadFilterRules, blockSender, type GateOutcome, type Envelope as ContentEnvelope } from './filter/index.ts';
export { suppressionCheck, reasonClass } from './suppression.ts';
export { accountRules, evaluateAccountRules, runAccountRules, type AccountRule, type AccountFacts, type AccountAction } from './accounts.ts';

/** How long the relay-network index is reused before it is rebuilt from the store. */
const RELAY_INDEX_TTL_MS = 2_000;
/** A check that has not answered by then is an internal failure (451 4.3.0). */
export const CHECK_TIMEOUT_MS = 10_000;

export interface Policy {
  readonly checks: IngressChecks;
  readonly authThrottle: AuthFailureThrottle;
  readonly tenantConnections: TenantConnections;
  readonly relayNetworks: RelayNetworks;
  readonly checkTimeoutMs: number;
  /** The credit meter (reserve/charge at DATA); a no-op when credits.metered is false. */
  readonly credits: CreditMeter;
  /** Cluster-wide per-tenant limits; releaseConnection at session close. */
  readonly tenantLimits: TenantLimits;
  /** The content gate (src/policy/filter) run at DATA; undefined when filter.enabled is false. */
  readonly contentGate: ContentGate | undefined;
  /**
   * The tenant record through the per-node one-second cache the tenant-status check shares: read
   * once per MAIL FROM, it carries the tenant's own limits and content policy (no extra round trip).
   */
  readonly tenantRecord: (tenantId: string) => Promise<Tenant | undefined>;
}

/** The stateful gates shared by the checks and the DATA stage. */
export interface PolicyGates {
  readonly credits: CreditMeter;
  readonly tenantLimits: TenantLimits;
}

export interface PolicyExtras {
  /** Auto-refill hears about low credits through this. */
  readonly onLowCredits?: LowCreditsListener;
  readonly clock?: () => number;
}

export function createGates(config: Config, state: StateStore, extras: PolicyExtras = {}): PolicyGates {
  return {
    credits: new CreditMeter(state, creditSettings(config), extras.onLowCredits),
    tenantLimits: new TenantLimits(state, tenantLimitSettings(config), extras.clock),
  };
}

/** The default, closed list of ingress checks, in the order they run. */
export function defaultIngressChecks(config: Config, state: StateStore, gates: PolicyGates = createGates(config, state)): IngressChecks {
  return {
    mailFrom: [tenantStatusCheck(state), senderDomainCheck(state), ...gates.tenantLimits.mailFromChecks()],
    rcptTo: [recipientCapCheck(config.ingress.limits.maxRecipients), suppressionCheck(state), ...(gates.credits.metered ? [gates.credits.rcptCheck()] : [])],
    message: [headerFromCheck(state)],
  };
}

export function createPolicy(config: Config, state: StateStore, checks?: IngressChecks, extras: PolicyExtras = {}): Policy {
  const limits = config.ingress.limits;
  const gates = createGates(config, state, extras);
  return {
    checks: checks ?? defaultIngressChecks(config, state, gates),
    ...gates,
    authThrottle: new AuthFailureThrottle({
      failuresPerIp: limits.authFailuresPerIp,
      windowMs: parseDuration(limits.authFailureWindow),
      disconnectAt: limits.authFailuresDisconnect,
    }),
    tenantConnections: new TenantConnections(limits.maxConnectionsPerTenant),
    relayNetworks: new RelayNetworks(state, RELAY_INDEX_TTL_MS),
    checkTimeoutMs: CHECK_TIMEOUT_MS,
    contentGate: createContentGate(config.filter, { state, dns: config.dns, oneClick: oneClickPolicyOf(config.feedback), ...(extras.clock ? { clock: extras.clock } : {}) }),
    tenantRecord: (tenantId) => cachedTenant(state, tenantId),
  };
}
