/**
 * The ONE mapping from a policy Verdict to the SMTP reply a client sees (ARCHITECTURE.md §4).
 * Exports smtpReplyFor(), formatReply() and replyLine(). Invariants: every refusal carries an
 * enhanced status code and a reason a tenant can act on; internal failures are 4xx, never 5xx;
 * a support reference (`ref`) is quoted, never the internals of a rule; when the server is about
 * to close the connection (`closing`) a temporary reply becomes 421 with the same enhanced code.
 */
import type { SmtpReply, Verdict, VerdictReason } from '../domain/index.ts';

/** Reply per reason; `text` is the default wording when the verdict carries none. */
const REPLY_TABLE: Readonly<Record<VerdictReason, SmtpReply>> = {
  'auth.failed': { code: 535, enhanced: '5.7.8', text: 'Authentication credentials invalid' },
  'auth.required': { code: 530, enhanced: '5.7.0', text: 'Authentication required' },
  'auth.tls-required': { code: 538, enhanced: '5.7.11', text: 'Encryption required for requested authentication mechanism, issue STARTTLS first' },
  'auth.throttled': { code: 454, enhanced: '4.7.0', text: 'Too many authentication failures from your address, try again later' },
  'sender.foreign-domain': { code: 550, enhanced: '5.7.1', text: 'Sender domain is not a sending domain of this account' },
  'sender.header-foreign-domain': { code: 550, enhanced: '5.7.1', text: 'From: header domain is not a sending domain of this account' },
  'tenant.suspended': { code: 550, enhanced: '5.7.1', text: 'Account suspended, contact support' },
  'tenant.closed': { code: 550, enhanced: '5.7.1', text: 'Account closed, contact support' },
  'recipient.too-many': { code: 452, enhanced: '4.5.3', text: 'Too many recipients' },
  'recipient.suppressed': { code: 550, enhanced: '5.7.1', text: 'Recipient is suppressed' },
  'rate.limited': { code: 451, enhanced: '4.7.1', text: 'Rate limit exceeded, try again later' },
  'credits.insufficient': { code: 452, enhanced: '4.7.1', text: 'insufficient credits' },
  'connection.limit': { code: 454, enhanced: '4.7.0', text: 'Too many concurrent connections for this account, try again later' },
  'content.refused': { code: 550, enhanced: '5.7.1', text: 'Message content refused' },
  'content.held': { code: 451, enhanced: '4.7.1', text: 'Message held for content review, try again later' },
  'message.too-large': { code: 552, enhanced: '5.3.4', text: 'Message too big for system' },
  'message.bare-line-ending': { code: 554, enhanced: '5.6.0', text: 'Bare CR or LF in message, lines must end with CRLF' },
  'message.smuggling': { code: 554, enhanced: '5.6.0', text: 'Malformed end-of-data sequence (SMTP smuggling), message refused' },
  'internal.failure': { code: 451, enhanced: '4.3.0', text: 'Internal error, message not accepted, try again later' },
};

/** The reply of a server that shuts down (RFC 3463 4.3.2: system not accepting network messages). */
export const SHUTTING_DOWN_REPLY: SmtpReply = Object.freeze({ code: 421, enhanced: '4.3.2', text: 'Service shutting down, try again later' });

export interface ReplyOptions {
  /** The accepted message's id (required for an accept verdict). */
  readonly messageId?: string;
  /** The server closes the connection after this reply: a 4xx becomes 421. */
  readonly closing?: boolean;
}

/** The SMTP reply for a verdict. */
export function smtpReplyFor(verdict: Verdict, options: ReplyOptions = {}): SmtpReply {
  if (verdict.kind === 'accept') {
    if (!options.messageId) throw new TypeError('an accept reply needs the queued message id');
    return { code: 250, enhanced: '2.0.0', text: `queued as ${options.messageId}` };
  }
  const row = REPLY_TABLE[verdict.reason];
  let text = verdict.text ?? row.text;
  if (verdict.kind === 'refuse' && verdict.ref) text += ` (support reference ${verdict.ref})`;
  const code = options.closing && row.code >= 400 && row.code < 500 ? 421 : row.code;
  return { code, enhanced: row.enhanced, text: sanitizeReplyText(text) };
}

/** Reply text never spans lines and never carries control characters (no response splitting). */
export function sanitizeReplyText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f]+/g, ' ').slice(0, 400);
}

/** `enhanced text`: what goes after the code on the wire. */
export function formatReply(reply: SmtpReply): string {
  return `${reply.enhanced} ${reply.text}`;
}

/** The full reply line, e.g. `250 2.0.0 queued as 01H...` (for outcome records and logs). */
export function replyLine(reply: SmtpReply): string {
  return `${reply.code} ${formatReply(reply)}`;
}
