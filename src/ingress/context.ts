/**
 * What the ingress handlers share: their dependencies (config, state, spool, policy, outcome
 * writer, logger) and the per-session state (identity, child logger), keyed by smtp-server's
 * session id, plus refuse(): the one way a handler answers a non-accept Verdict (reply from
 * the table, Rejection record, log line). Exports IngressContext, SessionState, refuseWith.
 */
import type { SMTPServerSession } from 'smtp-server';
import type { Config } from '../config/index.ts';
import type { Tenant, Verdict } from '../domain/index.ts';
import type { Logger } from '../platform/index.ts';
import type { Policy, SessionIdentity } from '../policy/index.ts';
import { normalizeClientIp } from '../policy/index.ts';
import type { Spool } from '../spool/index.ts';
import type { StateStore } from '../state/index.ts';
import { rejectionRecord, type OutcomeWriter, type RejectionFacts } from './outcomes.ts';
import { smtpReplyFor } from './replies.ts';
import { toSmtpError, type SmtpHandlerError } from './server.ts';

export interface SessionState {
  readonly id: string;
  readonly clientIp: string;
  log: Logger;
  identity?: SessionIdentity;
  /** The tenant record read at the last MAIL FROM (per-node 1 s cache): its content policy applies at DATA. */
  tenant?: Tenant;
}

export interface IngressContext {
  readonly config: Config;
  readonly state: StateStore;
  readonly spool: Spool;
  readonly policy: Policy;
  readonly outcomes: OutcomeWriter;
  readonly log: Logger;
  readonly sessions: Map<string, SessionState>;
  /** ms added to receivedAt for a delivery's expiry (delivery.maxQueueLifetime). */
  readonly queueLifetimeMs: number;
}

/** The session's state, created on first sight (onConnect normally runs first). */
export function sessionOf(context: IngressContext, session: SMTPServerSession): SessionState {
  let state = context.sessions.get(session.id);
  if (!state) {
    const clientIp = normalizeClientIp(session.remoteAddress);
    state = { id: session.id, clientIp, log: context.log.child({ sessionId: session.id, clientIp }) };
    context.sessions.set(session.id, state);
  }
  return state;
}

export interface RefusalOptions extends Omit<RejectionFacts, 'reason' | 'reply' | 'clientIp' | 'tenantId'> {
  /** The connection is closed after the reply (a 4xx becomes 421). */
  readonly closing?: boolean;
}

/** Records and logs a refusal, and returns the error to hand to smtp-server's callback. */
export function refuseWith(context: IngressContext, session: SessionState, verdict: Verdict, options: RefusalOptions): SmtpHandlerError {
  if (verdict.kind === 'accept') throw new TypeError('refuseWith needs a refusing verdict');
  const reply = smtpReplyFor(verdict, { closing: options.closing ?? false });
  context.outcomes.append(
    rejectionRecord({ ...options, reason: verdict.reason, reply, clientIp: session.clientIp, tenantId: session.identity?.tenantId }),
  );
  session.log.info({ stage: options.stage, reason: verdict.reason, code: reply.code, enhanced: reply.enhanced }, 'refused');
  return toSmtpError(reply);
}
