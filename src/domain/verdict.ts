/**
 * Verdicts: what every policy check returns. Expected refusals are Verdicts, not exceptions.
 * `reason` is a stable code (e.g. `auth.failed`, `sender.foreign-domain`); the ingress maps a
 * Verdict to an SMTP reply in exactly one function (src/ingress/replies.ts).
 */

export type VerdictReason =
  | 'auth.failed'
  | 'auth.required'
  | 'auth.tls-required'
  | 'auth.throttled'
  | 'sender.foreign-domain'
  | 'sender.header-foreign-domain'
  | 'tenant.suspended'
  | 'tenant.closed'
  | 'recipient.too-many'
  | 'recipient.suppressed'
  | 'rate.limited'
  | 'credits.insufficient'
  | 'connection.limit'
  | 'content.refused'
  | 'content.held'
  | 'message.too-large'
  | 'message.bare-line-ending'
  | 'message.smuggling'
  | 'internal.failure';

export type Verdict =
  | { readonly kind: 'accept' }
  | { readonly kind: 'refuse'; readonly reason: VerdictReason; readonly text?: string; readonly ref?: string }
  | { readonly kind: 'tempfail'; readonly reason: VerdictReason; readonly text?: string };

export const ACCEPT: Verdict = Object.freeze({ kind: 'accept' });

export function refuse(reason: VerdictReason, text?: string, ref?: string): Verdict {
  return { kind: 'refuse', reason, ...(text === undefined ? {} : { text }), ...(ref === undefined ? {} : { ref }) };
}

export function tempfail(reason: VerdictReason, text?: string): Verdict {
  return { kind: 'tempfail', reason, ...(text === undefined ? {} : { text }) };
}
