/**
 * Non-standard bounces (plain-text Exim, qmail, Postfix without DSN, Sendmail, Exchange,
 * Domino, Courier, provider templates): decides whether a message without a delivery-status
 * part is a bounce, and pairs each failed recipient with the text that explains it.
 * Exports looksLikeBounce(root, text), plainRecipients(root, text). Pure.
 */
import { addressesInHeader, findAddresses, isSystemAddress } from './addresses.ts';
import { header, headersNamed, type MimePart } from './mime.ts';
import { allParts, snippetFor } from './text.ts';

const BOUNCE_SUBJECT = /undeliver|undelivered|delivery (status notification|failure|failed|has failed|problem|report|notification)|returned mail|mail delivery (failed|failure|system|subsystem)|failure notice|non[- ]?delivery|delivery unsuccessful|could not (be )?deliver|message not delivered|rejected|returned to sender|mail system error|warning: could not send|delayed mail|delivery (delayed|incomplete)|nicht zustellbar|unzustellbar|non remis|non distribu|недоставлен|不能|エラー|failed delivery|mail failure|bounce|SMTP server: errors from/iu;
const BOUNCE_SENDER = /^(mailer-?daemon|mail-?daemon|post_?master|.*\bNDR\b|mail delivery (system|subsystem)|mail administrator|microsoft ?outlook|microsoftexchange)/i;
const BOUNCE_BODY = /could not be delivered|couldn.t be delivered|undeliverable|delivery (has )?failed|permanent(ly)? (error|fatal|failure)|following address(es)? failed|failed recipient|not be delivered|unable to deliver|delivery to the following recipient|message (was|could) not (be )?(delivered|sent)|has not been delivered|did not reach|returned (to you|mail)|delivery status notification|i.m afraid i wasn.t able to deliver|i.m sorry to have to inform you|hi\. this is the qmail-send program|mail delivery failed|rejected your message|was not delivered|delivery failure|wasn.t delivered|nicht zugestellt|retry timeout exceeded|will not be delivered|transcript of session follows/i;

/** An SMTP error reply quoted in the body, about an address. */
const SMTP_ERROR_LINE = /\b[45]\d\d[ -](?:[45]\.\d{1,3}\.\d{1,3} )?.{0,60}\b(user|recipient|mailbox|address|account|domain)\b/i;

export function looksLikeBounce(root: MimePart, text: string): boolean {
  if (header(root, 'x-failed-recipients')) return true;
  const from = header(root, 'from') ?? '';
  const sender = addressesInHeader(from)[0] ?? '';
  const systemSender = BOUNCE_SENDER.test(from.replace(/^"/, '')) || (sender !== '' && isSystemAddress(sender));
  const nullPath = /^<?\s*>?$/.test(header(root, 'return-path') ?? 'x');
  const subject = BOUNCE_SUBJECT.test(header(root, 'subject') ?? '');
  const body = BOUNCE_BODY.test(text);
  const smtpError = SMTP_ERROR_LINE.test(text);
  const score = Number(systemSender) + Number(nullPath) + Number(subject) + Number(body) * 2 + Number(smtpError);
  return score >= 2;
}

/** Addresses that are never the failed recipient: the bounce's own parties and the original's sender. */
function excludedAddresses(root: MimePart): Set<string> {
  const excluded = new Set<string>();
  for (const name of ['from', 'to', 'cc', 'reply-to', 'return-path', 'sender', 'delivered-to', 'envelope-to', 'errors-to']) {
    for (const a of addressesInHeader(header(root, name))) excluded.add(a);
  }
  for (const part of allParts(root).filter((p) => p !== root)) {
    for (const name of ['from', 'return-path', 'sender', 'reply-to', 'message-id']) {
      for (const a of addressesInHeader(header(part, name))) excluded.add(a);
    }
  }
  return excluded;
}

const ID_LINE = /message-?id|in-reply-to|references|queue[- ]?id|\bid\s*[<:]|smtp\.mailfrom|envelope-from|\bfrom:|return-path|sender:|mail from/i;

function candidateAddresses(root: MimePart, text: string): string[] {
  const excluded = excludedAddresses(root);
  // "(generated from x)" (Exim) / "(expanded from <x>)" (Postfix) name the alias that led to the failed address.
  const withoutAliases = text.replace(/\((?:generated|expanded) from [^)]*\)/gi, ' ');
  const lines = withoutAliases.split(/\r?\n/).filter((line) => !ID_LINE.test(line));
  const found = findAddresses(lines.join('\n')).filter((a) => !isSystemAddress(a));
  const kept = found.filter((a) => !excluded.has(a));
  // A message sent to oneself bounces to the failed address: then the bounce's own To is the answer.
  if (kept.length > 0) return kept;
  const own = new Set(addressesInHeader(header(root, 'to')));
  return found.filter((a) => own.has(a) && RECIPIENT_POSITION(a).test(text));
}

/** The address standing where bounce templates put the failed recipient: alone, in <>, or before a colon. */
const RECIPIENT_POSITION = (address: string) =>
  new RegExp(`(^|\\n)\\s*<?${address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}>?\\s*(:|\\n|$)`, 'i');

/** The returned original's To: an attached message, else `To:` lines quoted in the text. */
function originalTo(root: MimePart, fullText: string): string[] {
  const original = allParts(root).find((p) => p !== root && p.headers.some(([n]) => n === 'to'));
  if (original) return addressesInHeader(header(original, 'to'));
  const quoted = /^\s*To:\s*(.+)$/im.exec(fullText.split(/\r?\n/).slice(1).join('\n'));
  return quoted?.[1] ? findAddresses(quoted[1]) : [];
}

export interface PlainRecipient {
  readonly address: string;
  readonly diagnostic: string;
}

export function plainRecipients(root: MimePart, text: string, fullText: string): PlainRecipient[] {
  const failed = headersNamed(root, 'x-failed-recipients').flatMap((v) => findAddresses(v));
  const inText = candidateAddresses(root, text);
  // X-Failed-Recipients is authoritative unless the text names other addresses and none of these.
  const failedMentioned = failed.some((a) => text.toLowerCase().includes(a));
  let addresses = failed.length > 0 && (failedMentioned || inText.length === 0) ? failed : inText;
  if (addresses.length === 0) addresses = originalTo(root, fullText).slice(0, 1);
  const single = addresses.length === 1;
  return addresses.map((address) => {
    const near = snippetFor(text, address, addresses, single ? 25 : 12);
    return { address, diagnostic: single || near === '' ? `${near}\n${text}` : near };
  });
}
