/**
 * The SMTP session handlers before DATA: connect, AUTH, MAIL FROM, RCPT TO, close. Each one
 * asks the policy for a Verdict and answers through refuseWith (reply table + Rejection record).
 * Identity: AUTH (PLAIN/LOGIN, TLS only) or, without AUTH, the tenant whose relay networks hold
 * the client address. A store error anywhere → 451 4.3.0; a handler never hangs or accepts on it.
 * Exports the handler factories used by index.ts.
 */
import type { SMTPServerAddress, SMTPServerAuthentication, SMTPServerAuthenticationResponse, SMTPServerSession } from 'smtp-server';
import { refuse, tempfail, type Verdict } from '../domain/index.ts';
import { authenticate, runChecks, type AuthResult } from '../policy/index.ts';
import { refuseWith, sessionOf, type IngressContext, type SessionState } from './context.ts';

type Done = (err?: Error | null) => void;
type AuthDone = (err: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void;

function checkFailureLogger(session: SessionState) {
  return (check: string, error: unknown) => session.log.error({ err: error, check }, 'policy check failed; answering 451 4.3.0');
}

export function onConnect(context: IngressContext) {
  return (session: SMTPServerSession, done: Done): void => {
    const state = sessionOf(context, session);
    state.log.debug({ secure: session.secure }, 'connected');
    done();
  };
}

export function onClose(context: IngressContext) {
  return (session: SMTPServerSession): void => {
    const state = context.sessions.get(session.id);
    if (!state) return;
    context.sessions.delete(session.id);
    if (state.identity) context.policy.tenantConnections.release(state.identity.tenantId, state.id);
    if (state.identity) void context.policy.tenantLimits.releaseConnection(state.identity.tenantId, state.id);
    state.log.debug('closed');
  };
}

async function checkCredentials(context: IngressContext, state: SessionState, auth: SMTPServerAuthentication): Promise<AuthResult> {
  try {
    return await authenticate(context.state, auth.username ?? '', auth.password ?? '');
  } catch (error) {
    state.log.error({ err: error }, 'AUTH lookup failed; answering 451 4.3.0');
    return { verdict: tempfail('internal.failure') };
  }
}

/** Counts a failed AUTH against the client address and refuses (421 + close once it is too many). */
function refuseAuth(context: IngressContext, state: SessionState, verdict: Verdict, done: AuthDone): void {
  const failures = context.policy.authThrottle.recordFailure(state.clientIp);
  const closing = context.policy.authThrottle.shouldDisconnect(failures);
  const effective = closing && verdict.kind === 'refuse' ? tempfail('auth.throttled') : verdict;
  done(refuseWith(context, state, effective, { stage: 'auth', closing }));
}

export function onAuth(context: IngressContext) {
  return (auth: SMTPServerAuthentication, session: SMTPServerSession, done: AuthDone): void => {
    const state = sessionOf(context, session);
    const throttle = context.policy.authThrottle.check(state.clientIp);
    if (throttle.verdict.kind !== 'accept') {
      refuseAuth(context, state, throttle.verdict, done);
      return;
    }
    void checkCredentials(context, state, auth).then((result) => {
      if (result.verdict.kind !== 'accept' || !result.tenantId) {
        // A store failure is not the client's fault: answer 451 without counting it.
        if (result.verdict.kind === 'tempfail') done(refuseWith(context, state, result.verdict, { stage: 'auth' }));
        else refuseAuth(context, state, result.verdict, done);
        return;
      }
      const slot = context.policy.tenantConnections.acquire(result.tenantId, state.id);
      if (slot.kind !== 'accept') {
        done(refuseWith(context, state, slot, { stage: 'auth', closing: true }));
        return;
      }
      state.identity = { tenantId: result.tenantId, via: 'auth', ...(result.keyId ? { keyId: result.keyId } : {}) };
      state.log = state.log.child({ tenantId: result.tenantId });
      state.log.info({ method: auth.method, keyId: result.keyId }, 'authenticated');
      done(null, { user: result.tenantId });
    });
  };
}

/** The session's tenant: from AUTH, else from the client's relay network (counted once). */
async function resolveIdentity(context: IngressContext, state: SessionState): Promise<Verdict> {
  if (state.identity) return { kind: 'accept' };
  const tenantId = await context.policy.relayNetworks.tenantFor(state.clientIp);
  if (!tenantId) return refuse('auth.required');
  const slot = context.policy.tenantConnections.acquire(tenantId, state.id);
  if (slot.kind !== 'accept') return slot;
  state.identity = { tenantId, via: 'relay-network' };
  state.log = state.log.child({ tenantId });
  state.log.info('identified by relay network');
  return { kind: 'accept' };
}

export function onMailFrom(context: IngressContext) {
  return (address: SMTPServerAddress, session: SMTPServerSession, done: Done): void => {
    const state = sessionOf(context, session);
    const mailFrom = address.address;
    const run = async (): Promise<Verdict> => {
      const identity = await resolveIdentity(context, state);
      if (identity.kind !== 'accept' || !state.identity) return identity;
      // One read per MAIL FROM through the per-node 1 s cache (the tenant-status check reuses it):
      // the record's own limits and content policy apply to this transaction.
      state.tenant = await context.policy.tenantRecord(state.identity.tenantId);
      const mailContext = { sessionId: state.id, clientIp: state.clientIp, tenantId: state.identity.tenantId, mailFrom, ...(state.tenant ? { tenant: state.tenant } : {}) };
      return runChecks(context.policy.checks.mailFrom, mailContext, { timeoutMs: context.policy.checkTimeoutMs, onFailure: checkFailureLogger(state) });
    };
    void run()
      .catch((error: unknown) => {
        state.log.error({ err: error }, 'MAIL FROM handling failed; answering 451 4.3.0');
        return tempfail('internal.failure');
      })
      .then((verdict) => done(verdict.kind === 'accept' ? null : refuseWith(context, state, verdict, { stage: 'mail', mailFrom })));
  };
}

export function onRcptTo(context: IngressContext) {
  return (address: SMTPServerAddress, session: SMTPServerSession, done: Done): void => {
    const state = sessionOf(context, session);
    const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    if (!state.identity) {
      done(refuseWith(context, state, refuse('auth.required'), { stage: 'rcpt', mailFrom, recipients: [address.address] }));
      return;
    }
    const rcptContext = {
      sessionId: state.id,
      clientIp: state.clientIp,
      tenantId: state.identity.tenantId,
      mailFrom,
      recipient: address.address,
      acceptedRecipients: session.envelope.rcptTo.length,
    };
    void runChecks(context.policy.checks.rcptTo, rcptContext, { timeoutMs: context.policy.checkTimeoutMs, onFailure: checkFailureLogger(state) }).then(
      (verdict) => done(verdict.kind === 'accept' ? null : refuseWith(context, state, verdict, { stage: 'rcpt', mailFrom, recipients: [address.address] })),
    );
  };
}
