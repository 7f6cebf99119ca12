/**
 * The mail stream of a message and the RFC 8058 one-click injection rule (issues 5 and 6), pure,
 * so the content gate (src/policy/filter/bulk.ts) and the header builder delivery is given
 * (src/feedback/unsubscribe/headers.ts) agree on what "bulk" means and on who gets Ferry's header.
 * Exports classifyStream, headerLookup, oneClickPolicyOf, oneClickScope, injectsOneClick and
 * withoutStreamHeader. `X-Ferry-Stream` and `X-Ferry-Sender` are Ferry's own fields: delivery
 * strips them before signing.
 */

/** `bulk`: marked or list headers; `transactional`: marked so; `unmarked`: neither. */
export type MailStream = 'bulk' | 'transactional' | 'unmarked';

export interface StreamClass {
  readonly stream: MailStream;
  /** Why the message is bulk (empty unless `stream` is `bulk`), for records. */
  readonly reasons: readonly string[];
}

/** First value of a header field by lower-case name; undefined when absent ('' when empty). */
export type HeaderLookup = (name: string) => string | undefined;

/**
 * Bulk when the tenant marks the stream bulk/marketing, or Precedence bulk/list/junk, or a List-Id
 * is present (list headers win over a `transactional` mark); transactional when marked so.
 */
export function classifyStream(header: HeaderLookup): StreamClass {
  const reasons: string[] = [];
  const marked = (header('x-ferry-stream') ?? '').trim().toLowerCase();
  if (marked === 'bulk' || marked === 'marketing') reasons.push(`X-Ferry-Stream: ${marked}`);
  const precedence = (header('precedence') ?? '').trim().toLowerCase();
  if (precedence === 'bulk' || precedence === 'list' || precedence === 'junk') reasons.push(`Precedence: ${precedence}`);
  if (header('list-id') !== undefined) reasons.push('List-Id present');
  if (reasons.length > 0) return { stream: 'bulk', reasons };
  return { stream: marked === 'transactional' ? 'transactional' : 'unmarked', reasons };
}

/** Header sections larger than this are not searched further (as the ingress does). */
const MAX_HEADER_SECTION = 1024 * 1024;

/** Byte offset just after the CRLF of the last header line. */
function headerEnd(message: Buffer): number {
  if (message[0] === 13 && message[1] === 10) return 0;
  const end = message.subarray(0, MAX_HEADER_SECTION).indexOf('\r\n\r\n');
  return end < 0 ? Math.min(message.length, MAX_HEADER_SECTION) : end + 2;
}

/** Lookup over the header section of a raw message (CRLF, folded lines joined). */
export function headerLookup(message: Buffer): HeaderLookup {
  const fields = new Map<string, string>();
  const lines = message.toString('latin1', 0, headerEnd(message)).split('\r\n');
  for (let index = 0; index < lines.length; index++) {
    let line = lines[index] ?? '';
    while (/^[ \t]/.test(lines[index + 1] ?? '')) line += ' ' + (lines[++index] ?? '').trim();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
  }
  return (name) => fields.get(name);
}

/** Ferry's own fields (the tenant's stream mark and sub-sender id): read at ingress, never sent on. */
const STREAM_FIELD = /(?:^|\r\n)x-ferry-(?:stream|sender)[ \t]*:/i;

/** The message without its `X-Ferry-Stream` / `X-Ferry-Sender` field(s); the same Buffer when it has none. */
export function withoutStreamHeader(message: Buffer): Buffer {
  const end = headerEnd(message);
  const head = message.toString('latin1', 0, end);
  if (!STREAM_FIELD.test(head)) return message;
  const kept: string[] = [];
  let dropping = false;
  for (const line of head.split('\r\n')) {
    const continuation = /^[ \t]/.test(line);
    if (!continuation) dropping = /^x-ferry-(?:stream|sender)[ \t]*:/i.test(line);
    if (!dropping) kept.push(line);
  }
  return Buffer.concat([Buffer.from(kept.join('\r\n'), 'latin1'), message.subarray(end)]);
}

/** Who gets Ferry's List-Unsubscribe: the `feedback.unsubscribe` settings the rule needs. */
export interface OneClickPolicy {
  /** The feature is on (`feedback.enabled` and `feedback.unsubscribe.enabled`). */
  readonly enabled: boolean;
  /** Tenants not listed in `tenants`: add the header to their bulk-stream mail. */
  readonly bulkDefault: boolean;
  /** Tenant id → true (all its mail) or false (never). */
  readonly tenants: Readonly<Record<string, boolean>>;
}

/** The settings as config holds them (structural: the domain layer does not import config). */
interface FeedbackSettings {
  readonly enabled: boolean;
  readonly unsubscribe: { readonly enabled: boolean; readonly bulkDefault: boolean; readonly tenants: Readonly<Record<string, boolean>> };
}

export function oneClickPolicyOf(feedback: FeedbackSettings): OneClickPolicy {
  const { unsubscribe } = feedback;
  return { enabled: feedback.enabled && unsubscribe.enabled, bulkDefault: unsubscribe.bulkDefault, tenants: unsubscribe.tenants };
}

/** What the tenant's setting says before the message is read: all its mail, bulk only, or none. */
export function oneClickScope(policy: OneClickPolicy, tenantId: string): 'all' | 'bulk' | 'none' {
  if (!policy.enabled) return 'none';
  if (Object.hasOwn(policy.tenants, tenantId)) return policy.tenants[tenantId] === true ? 'all' : 'none';
  return policy.bulkDefault ? 'bulk' : 'none';
}

/** Whether Ferry adds its one-click header: never over the tenant's own List-Unsubscribe. */
export function injectsOneClick(policy: OneClickPolicy, tenantId: string, stream: MailStream, hasOwnListUnsubscribe: boolean): boolean {
  if (hasOwnListUnsubscribe) return false;
  const scope = oneClickScope(policy, tenantId);
  return scope === 'all' || (scope === 'bulk' && stream === 'bulk');
}
