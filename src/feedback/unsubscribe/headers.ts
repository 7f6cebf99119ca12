/**
 * The List-Unsubscribe and List-Unsubscribe-Post header lines (RFC 2369, RFC 8058) that delivery
 * adds before DKIM signing (both names are in the DKIM signed-header list). Exports
 * createListUnsubscribe(settings) → (message, recipients) => header lines or ''.
 * Only for a one-recipient transaction (the token names the recipient), only for tenants with it
 * on, and never when the tenant's message already carries its own List-Unsubscribe.
 */
import type { AcceptedMessage } from '../../domain/index.ts';
import { makeUnsubscribeToken } from './token.ts';

export interface ListUnsubscribeSettings {
  readonly baseUrl: string;
  /** The mailto address (the inbound listener handles it); the token travels in the subject. */
  readonly mailto: string;
  readonly defaultOn: boolean;
  readonly tenants: Readonly<Record<string, boolean>>;
  readonly secret: Buffer;
}

function hasListUnsubscribe(body: Buffer): boolean {
  const end = body.indexOf('\r\n\r\n');
  const head = body.subarray(0, end < 0 ? Math.min(body.length, 65_536) : end).toString('latin1');
  return /(^|\r\n)list-unsubscribe\s*:/i.test(head);
}

export function createListUnsubscribe(settings: ListUnsubscribeSettings): (message: AcceptedMessage, recipients: readonly string[]) => string {
  const base = settings.baseUrl.replace(/\/+$/, '');
  return (message, recipients) => {
    const recipient = recipients[0];
    if (recipients.length !== 1 || recipient === undefined) return '';
    if (!(settings.tenants[message.tenantId] ?? settings.defaultOn)) return '';
    if (hasListUnsubscribe(message.body)) return '';
    const token = makeUnsubscribeToken({ tenantId: message.tenantId, messageId: message.id, recipient }, settings.secret);
    return `List-Unsubscribe: <${base}/u/${token}>,\r\n <mailto:${settings.mailto}?subject=unsubscribe%20${token}>\r\n` +
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n';
  };
}
