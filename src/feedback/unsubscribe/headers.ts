/**
 * The List-Unsubscribe and List-Unsubscribe-Post header lines (RFC 2369, RFC 8058) that delivery
 * adds before DKIM signing (both names are in the DKIM signed-header list). Exports
 * createListUnsubscribe(settings) → (message, recipients) => ListUnsubscribeLines.
 * Who gets them is the pure rule of src/domain/stream.ts (the content gate applies the same one):
 * tenant on → all its mail, off → never, unlisted → bulk-stream mail when `bulkDefault`; never
 * over the message's own List-Unsubscribe. The token names one recipient, so a transaction of
 * several recipients gets one header block per recipient (delivery then splits the transaction).
 */
import { classifyStream, headerLookup, oneClickScope, type AcceptedMessage, type OneClickPolicy } from '../../domain/index.ts';
import { makeUnsubscribeToken } from './token.ts';

export interface ListUnsubscribeSettings {
  readonly baseUrl: string;
  /** The mailto address (the inbound listener handles it); the token travels in the subject. */
  readonly mailto: string;
  readonly policy: OneClickPolicy;
  readonly secret: Buffer;
}

/**
 * '' → nothing to add; a string → the lines for the (single-recipient) transaction; an array →
 * one block per recipient, in the order given: each recipient needs its own transaction.
 */
export type ListUnsubscribeLines = string | readonly string[];

export function createListUnsubscribe(settings: ListUnsubscribeSettings): (message: AcceptedMessage, recipients: readonly string[]) => ListUnsubscribeLines {
  const base = settings.baseUrl.replace(/\/+$/, '');
  const linesFor = (message: AcceptedMessage, recipient: string): string => {
    const token = makeUnsubscribeToken({ tenantId: message.tenantId, messageId: message.id, recipient }, settings.secret);
    return `List-Unsubscribe: <${base}/u/${token}>,\r\n <mailto:${settings.mailto}?subject=unsubscribe%20${token}>\r\n` +
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n';
  };
  return (message, recipients) => {
    // Decided from the settings first: a tenant switched off costs no header parse.
    const scope = oneClickScope(settings.policy, message.tenantId);
    if (scope === 'none' || recipients.length === 0) return '';
    const header = headerLookup(message.body);
    if (header('list-unsubscribe') !== undefined) return '';
    if (scope === 'bulk' && classifyStream(header).stream !== 'bulk') return '';
    const lines = recipients.map((recipient) => linesFor(message, recipient));
    return lines.length === 1 ? (lines[0] as string) : lines;
  };
}
