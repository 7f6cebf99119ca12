/**
 * The policy stage: the one place where the ingress checks are wired into a closed, typed list
 * (CONVENTIONS.md 14), plus the session-level guards (AUTH, AUTH-failure throttle, connections
 * per tenant, relay networks). Exports createPolicy() and the pieces' types. Every check reads
 * the state store through the StateStore interface only; nothing here holds a socket.
 */
import type { Config } from '../config/index.ts';
import { parseDuration } from '../domain/index.ts';
import type { StateStore } from '../state/index.ts';
import { AuthFailureThrottle } from './auth-throttle.ts';
import { recipientCapCheck, TenantConnections } from './limits.ts';
import { RelayNetworks } from './relay.ts';
import { headerFromCheck, senderDomainCheck, tenantStatusCheck } from './senders.ts';
import type { IngressChecks } from './types.ts';

export { authenticate, API_KEY_USERNAME, type AuthResult } from './auth.ts';
export { AuthFailureThrottle, type AuthThrottleLimits, type ThrottleDecision } from './auth-throttle.ts';
export { TenantConnections, recipientCapCheck } from './limits.ts';
export { RelayNetworks, buildBlockList, normalizeClientIp } from './relay.ts';
export { runChecks, type RunOptions } from './run.ts';
export { tenantStatusCheck, senderDomainCheck, headerFromCheck } from './senders.ts';
export type { IngressCheck, IngressChecks, MailContext, RcptContext, MessageContext, SessionIdentity } from './types.ts';

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
}

/** The default, closed list of ingress checks, in the order they run. */
export function defaultIngressChecks(config: Config, state: StateStore): IngressChecks {
  return {
    mailFrom: [tenantStatusCheck(state), senderDomainCheck(state)],
    rcptTo: [recipientCapCheck(config.ingress.limits.maxRecipients)],
    message: [headerFromCheck(state)],
  };
}

export function createPolicy(config: Config, state: StateStore, checks: IngressChecks = defaultIngressChecks(config, state)): Policy {
  const limits = config.ingress.limits;
  return {
    checks,
    authThrottle: new AuthFailureThrottle({
      failuresPerIp: limits.authFailuresPerIp,
      windowMs: parseDuration(limits.authFailureWindow),
      disconnectAt: limits.authFailuresDisconnect,
    }),
    tenantConnections: new TenantConnections(limits.maxConnectionsPerTenant),
    relayNetworks: new RelayNetworks(state, RELAY_INDEX_TTL_MS),
    checkTimeoutMs: CHECK_TIMEOUT_MS,
  };
}
