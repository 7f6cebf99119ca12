/**
 * The human-readable side of a bounce: the notification text of the message's own parts (never
 * of an attached original), cut where the returned original begins, and the snippet of it
 * that talks about one recipient. Exports notificationText, ownParts, snippetFor. Pure.
 */
import { walkParts, header, type MimePart } from './mime.ts';

/** Parts of this message, not descending into attached messages. */
export function ownParts(part: MimePart): MimePart[] {
  if (part.contentType === 'message/rfc822' || part.contentType.endsWith('rfc822-headers')) return [part];
  return [part, ...part.children.flatMap(ownParts)];
}

function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<br\s*\/?>|<\/(p|div|tr|li|h\d)>/gi, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/&nbsp;/g, ' ').replace(/&quot;/g, '"')
    .replace(/[ \t]+/g, ' ');
}

/** Lines at which a returned copy of the original message begins. */
const ORIGINAL_MARKERS = [
  /^-+ ?(this is a copy of|below this line is a copy of|original message|the original message|returned message|original mail|message header follows|undelivered message)/i,
  /^-+\s*(original|returned|undelivered) (message|mail)( follows)?/i,
  /^(original|returned) message( follows)?:?\s*$/i,
  /^-+ ?the following (is|are) (a copy of )?the (original|message)/i,
  /^-+ ?(headers of|text of|copy of) (the )?(original|returned|your) message/i,
  /^Content-Type: message\/rfc822/i,
  /^-+ ?Forwarded message/i,
  /^message headers follow/i,
  /^-+ ?(original message|message header)/i,
  /^-+ ?the headers? of the original message/i,
];

function cutAtOriginal(text: string): string {
  const lines = text.split(/\r?\n/);
  const stop = lines.findIndex((line, i) => i > 0 && ORIGINAL_MARKERS.some((marker) => marker.test(line.trim())));
  return (stop > 0 ? lines.slice(0, stop) : lines).join('\n');
}

/** Text of the notification itself: text/plain parts (HTML if none), original cut off. */
export function notificationText(root: MimePart): string {
  return cutAtOriginal(fullNotificationText(root));
}

/** The same text without the cut (the returned original's headers may be inline). */
export function fullNotificationText(root: MimePart): string {
  const leaves = ownParts(root).filter((p) => p.children.length === 0 && header(p, 'content-disposition')?.startsWith('attachment') !== true);
  const plain = leaves.filter((p) => p.contentType === 'text/plain');
  const chosen = plain.length > 0 ? plain.map((p) => p.text) : leaves.filter((p) => p.contentType === 'text/html').map((p) => htmlToText(p.text));
  return chosen.join('\n');
}

/** Every part, nested originals included. */
export function allParts(root: MimePart): MimePart[] {
  return walkParts(root);
}

/**
 * The lines about `address`: from its first mention up to the next other recipient's mention
 * (at most `maxLines`). Empty if not mentioned.
 */
export function snippetFor(text: string, address: string, others: readonly string[], maxLines = 12): string {
  const lines = text.split(/\r?\n/);
  const lower = lines.map((l) => l.toLowerCase());
  const start = lower.findIndex((l) => l.includes(address));
  if (start < 0) return '';
  const taken: string[] = [];
  for (let i = start; i < lines.length && taken.length < maxLines; i++) {
    if (i > start && others.some((o) => o !== address && lower[i]?.includes(o))) break;
    taken.push(lines[i] ?? '');
  }
  return taken.join('\n');
}
