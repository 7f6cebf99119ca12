/**
 * The fast path of the message view: a single-part text/plain message in us-ascii / utf-8 with a
 * 7bit / 8bit body (or no MIME headers at all) needs no MIME parser — its headers are unfolded
 * here and its body IS its text. Exports plainTextView (undefined → not eligible, the caller
 * uses mailparser). Invariant: it answers only when the result is what mailparser would give
 * the checks (same subject, text words, links, headers); anything encoded falls back. An all-ASCII
 * body (most mail) is split into words without words()' search for non-ASCII stretches.
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
const FIELD_BREAK = /\r?\n(?![ \t])/;
const FOLD = /\r?\n[ \t]+/g;

/** Where the body starts (after the blank line), or -1 when the header section does not end. */
function bodyStart(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n');
  // A bare "\n\n" only wins when it starts before the CRLF pair: look no further (not the whole body).
  const lf = (crlf >= 0 ? raw.subarray(0, crlf + 1) : raw).indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + 4;
  return lf >= 0 ? lf + 2 : -1;
}

/** Header fields by lower-case name, first value, unfolded and trimmed (as buildMessageView keeps them). */
function headerFields(section: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const field of section.split(FIELD_BREAK)) {
    const colon = field.indexOf(':');
    if (colon <= 0) continue;
    const key = field.slice(0, colon).trim().toLowerCase();
    if (headers.has(key)) continue;
    const value = field.slice(colon + 1);
    headers.set(key, (value.includes('\n') ? value.replace(FOLD, ' ') : value).trim());
  }
  return headers;
}

function eligible(headers: ReadonlyMap<string, string>): boolean {
  const type = headers.get('content-type');
  if (type !== undefined) {
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
  const start = bodyStart(raw);
  if (start < 0) return undefined;
  const headers = headerFields(raw.toString('utf8', 0, start).trimEnd());
  if (!eligible(headers)) return undefined;
  const end = Math.min(raw.length, start + maxTextChars * 4);
  const text = raw.toString('utf8', start, end).replace(/\r\n/g, '\n').trimEnd().slice(0, maxTextChars);
  const links: LinkView[] = [];
  // Every link has a "://": most plain mail has none, and this search is cheaper than the pattern's.
  if (text.includes('://')) for (const match of text.matchAll(TEXT_URL)) links.push({ href: match[0], domain: linkDomain(match[0]), text: '' });
  const subject = headers.get('subject') ?? '';
  return { subject, text, subjectWords: words(subject), textWords: isAscii(raw.subarray(start, end)) ? asciiWords(text) : words(text), links, attachments: [], headers, raw };
}
