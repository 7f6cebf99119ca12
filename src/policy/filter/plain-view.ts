/**
 * The fast path of the message view: a single-part text/plain message in us-ascii / utf-8 with a
 * 7bit / 8bit body (or no MIME headers at all) needs no MIME parser — its headers are unfolded
 * here and its body IS its text. Exports plainTextView (undefined → not eligible, the caller
 * uses mailparser). Invariant: it answers only when the result is what mailparser would give
 * the checks (same subject, text words, links, headers); anything encoded falls back. An all-ASCII
 * message (most mail) is decoded once as latin1 (a plain copy) and cut as a string, and its Subject
 * and body are split into words without words()' search for non-ASCII stretches.
 */
import { isAscii } from 'node:buffer';
import { linkDomain } from './html.ts';
import { asciiWords, words } from './terms.ts';
import type { LinkView, MessageView } from './types.ts';

const TEXT_URL = /\bhttps?:\/\/[^\s<>"')\]]+/gi;
const PLAIN_TYPE = /^text\/plain\s*(?:;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;
const SIMPLE_CHARSETS = new Set(['us-ascii', 'utf-8', 'utf8', 'ascii']);
const SIMPLE_ENCODINGS = new Set(['7bit', '8bit']);
/** Content-Type values seen most, all eligible: no pattern needed for them. */
const COMMON_PLAIN_TYPES = new Set(['text/plain', 'text/plain; charset=us-ascii', 'text/plain; charset=utf-8', 'text/plain; charset="utf-8"', 'text/plain; charset=UTF-8', 'text/plain; charset="UTF-8"', 'text/plain; charset="us-ascii"']);
const FOLD = /\r?\n[ \t]+/g;

/** The raw message (Buffer, bytes) or the whole of it decoded (string, an ASCII message's characters). */
interface Searchable {
  indexOf(needle: string): number;
  lastIndexOf(needle: string, from: number): number;
}

/** Where the body starts (after the blank line), or -1 when the header section does not end. */
function bodyStart(message: Searchable): number {
  const crlf = message.indexOf('\r\n\r\n');
  if (crlf < 0) {
    const lf = message.indexOf('\n\n');
    return lf >= 0 ? lf + 2 : -1;
  }
  // A bare "\n\n" only wins when it starts before the CRLF pair: look no further (not the whole
  // body). Searched backwards from there first: most mail has none, and then one search is enough.
  if (crlf < 2 || message.lastIndexOf('\n\n', crlf - 2) < 0) return crlf + 4;
  return message.indexOf('\n\n') + 2;
}

/** One field `section[from, end)` into `headers` (first value wins); `folded`: the field spans lines. */
function addField(headers: Map<string, string>, section: string, from: number, end: number, folded: boolean): void {
  const colon = section.indexOf(':', from);
  if (colon <= from || colon >= end) return;
  const key = section.slice(from, colon).trim().toLowerCase();
  if (headers.has(key)) return;
  const value = section.slice(colon + 1, end);
  headers.set(key, (folded ? value.replace(FOLD, ' ') : value).trim());
}

/**
 * Header fields by lower-case name, first value, unfolded and trimmed (as buildMessageView keeps
 * them). A field ends at a line break (its CR dropped) not followed by folding white space.
 */
function headerFields(section: string): Map<string, string> {
  const headers = new Map<string, string>();
  let from = 0;
  for (;;) {
    let lf = section.indexOf('\n', from);
    let folded = false;
    while (lf >= 0 && isFoldingSpace(section.charCodeAt(lf + 1))) {
      folded = true;
      lf = section.indexOf('\n', lf + 1);
    }
    const stop = lf < 0 ? section.length : lf;
    addField(headers, section, from, stop > from && section.charCodeAt(stop - 1) === 13 ? stop - 1 : stop, folded);
    if (lf < 0) return headers;
    from = lf + 1;
  }
}

function isFoldingSpace(code: number): boolean {
  return code === 32 || code === 9;
}

function eligible(headers: ReadonlyMap<string, string>): boolean {
  const type = headers.get('content-type');
  if (type !== undefined && !COMMON_PLAIN_TYPES.has(type)) {
    if (!PLAIN_TYPE.test(type)) return false;
    const charset = CHARSET.exec(type)?.[1]?.toLowerCase();
    if (charset !== undefined && !SIMPLE_CHARSETS.has(charset)) return false;
    // format=flowed with delsp=yes joins words across lines: the decoder's business.
    if (/delsp\s*=\s*"?yes/i.test(type)) return false;
  }
  const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
  if (encoding !== undefined && !SIMPLE_ENCODINGS.has(encoding)) return false;
  // Encoded words (RFC 2047) in the Subject need the decoder.
  return !(headers.get('subject') ?? '').includes('=?');
}

export function plainTextView(raw: Buffer, maxTextChars: number): MessageView | undefined {
  // An ASCII message no longer than the text window (most mail) is decoded whole, once, as latin1
  // (a plain copy; what utf8 gives ASCII) and cut by string searches. Other mail is cut as bytes.
  const whole = raw.length <= maxTextChars * 4 && isAscii(raw) ? raw.toString('latin1') : undefined;
  const start = bodyStart(whole ?? raw);
  if (start < 0) return undefined;
  const headers = headerFields((whole?.slice(0, start) ?? raw.toString('utf8', 0, start)).trimEnd());
  if (!eligible(headers)) return undefined;
  const end = Math.min(raw.length, start + maxTextChars * 4);
  const text = (whole?.slice(start) ?? raw.toString('utf8', start, end)).replace(/\r\n/g, '\n').trimEnd().slice(0, maxTextChars);
  const links: LinkView[] = [];
  // Every link has a "://": most plain mail has none, and this search is cheaper than the pattern's.
  if (text.includes('://')) for (const match of text.matchAll(TEXT_URL)) links.push({ href: match[0], domain: linkDomain(match[0]), text: '' });
  const subject = headers.get('subject') ?? '';
  const ascii = whole !== undefined;
  const textWords = ascii || isAscii(raw.subarray(start, end)) ? asciiWords(text) : words(text);
  return { subject, text, subjectWords: ascii ? asciiWords(subject) : words(subject), textWords, asciiOnly: ascii, links, attachments: [], headers, raw };
}
