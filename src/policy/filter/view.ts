/**
 * Parses a raw message ONCE into the MessageView every content check reads: mailparser decodes
 * the MIME tree (transfer encodings, charsets, attachments); HTML parts go through html.ts (not
 * mailparser's html-to-text, which costs more and drops link domains); URLs written in plain
 * text count as links too; single-part text/plain takes the fast path (plain-view.ts, no MIME
 * parser). Exports buildMessageView, parsedMessageView. Invariant: the view holds at most
 * MAX_TEXT_CHARS of text, so a huge body cannot make term matching quadratic in practice.
 */
import { simpleParser } from 'mailparser';
import { htmlToView, linkDomain } from './html.ts';
import { plainTextView } from './plain-view.ts';
import { words } from './terms.ts';
import type { AttachmentView, LinkView, MessageView } from './types.ts';

/** Text beyond this is not scanned (a sector pitch is never hidden past the first 256 KiB). */
export const MAX_TEXT_CHARS = 256 * 1024;
const TEXT_URL = /\bhttps?:\/\/[^\s<>"')\]]+/gi;

function textLinks(text: string): LinkView[] {
  const links: LinkView[] = [];
  for (const match of text.matchAll(TEXT_URL)) links.push({ href: match[0], domain: linkDomain(match[0]), text: '' });
  return links;
}

/** Synchronous on the fast path (the gate then has no promise to wait for). */
export function buildMessageView(raw: Buffer): MessageView | Promise<MessageView> {
  return plainTextView(raw, MAX_TEXT_CHARS) ?? parsedMessageView(raw);
}

/** The MIME path: every message the fast path (plain-view.ts) does not take. */
export async function parsedMessageView(raw: Buffer): Promise<MessageView> {
  const parsed = await simpleParser(raw, {
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
    skipTextLinks: true,
    keepCidLinks: true,
  });
  // The raw lines, not parsed.headers: mailparser folds List-* fields into one `list` object.
  const headers = new Map<string, string>();
  for (const { key, line } of parsed.headerLines) {
    if (!headers.has(key)) headers.set(key, line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim());
  }
  const html = typeof parsed.html === 'string' ? await htmlToView(parsed.html) : { text: '', links: [] };
  const plain = parsed.text ?? '';
  const text = `${plain}\n${html.text}`.slice(0, MAX_TEXT_CHARS);
  const attachments: AttachmentView[] = parsed.attachments.map((a) => ({
    filename: a.filename ?? '',
    contentType: (a.contentType || 'application/octet-stream').toLowerCase(),
    content: a.content,
  }));
  const subject = parsed.subject ?? '';
  await new Promise((resolve) => setImmediate(resolve));
  const textWords = words(text);
  return {
    subject,
    text,
    subjectWords: words(subject),
    textWords,
    links: [...html.links, ...textLinks(plain)],
    attachments,
    headers,
    raw,
  };
}
