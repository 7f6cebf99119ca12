/**
 * The typed contexts and the check interface of the ingress policy gates (ARCHITECTURE.md §1,
 * CONVENTIONS.md 2 and 14). A check answers a Verdict and does not throw for expected outcomes;
 * runChecks (run.ts) turns a throw or a timeout into `tempfail('internal.failure')`.
 * IngressChecks is the closed list of checks per SMTP stage, built in one place (index.ts).
 */
import type { Tenant, Verdict } from '../domain/index.ts';

/** Who a session speaks for, once known: AUTH, or the tenant's relay network (no AUTH). */
export interface SessionIdentity {
  readonly tenantId: string;
  readonly via: 'auth' | 'relay-network';
  /** The authenticated API key's id (per-sender identity inside the tenant); absent for relay networks. */
  readonly keyId?: string;
}

export interface MailContext {
  readonly sessionId: string;
  readonly clientIp: string;
  readonly tenantId: string;
  /** Envelope sender as given to MAIL FROM ('' for the null sender). */
  readonly mailFrom: string;
  /**
   * The tenant record as read at MAIL FROM (per-node cache, at most LOOKUP_TTL_MS old): its own
   * limits apply. Absent when the caller did not load it (config limits only).
   */
  readonly tenant?: Tenant;
}

export interface RcptContext extends MailContext {
  readonly recipient: string;
  /** Recipients already accepted in this transaction. */
  readonly acceptedRecipients: number;
}

export interface MessageContext extends MailContext {
  readonly recipients: readonly string[];
  /** Addresses of the `From:` header field(s), lower-cased. */
  readonly fromAddresses: readonly string[];
  readonly size: number;
}

export interface IngressCheck<Context> {
  /** Stable name for logs, e.g. `sender-domain`. */
  readonly name: string;
  check(context: Context, signal: AbortSignal): Promise<Verdict>;
}

/** The closed list of checks, per stage, in the order they run. */
export interface IngressChecks {
  readonly mailFrom: readonly IngressCheck<MailContext>[];
  readonly rcptTo: readonly IngressCheck<RcptContext>[];
  readonly message: readonly IngressCheck<MessageContext>[];
}
