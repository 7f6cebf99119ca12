/**
 * HTML → text for the content checks, with htmlparser2's tokenizer (no DOM built): visible text
 * only (script, style, head, template and HTML comments dropped; block elements break words),
 * and every link with its href, lower-cased http(s) domain and link text; big HTML is parsed in
 * 64 KiB slices with event-loop turns between them. Exports htmlToView and linkDomain. Invariant: never throws on malformed HTML — the parser is forgiving by design.
 */
import { Parser } from 'htmlparser2';
import type { LinkView } from './types.ts';

const HIDDEN = new Set(['script', 'style', 'head', 'template', 'noscript', 'title']);
const BLOCK = new Set(['br', 'p', 'div', 'td', 'th', 'tr', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'section', 'article', 'hr', 'blockquote', 'ul', 'ol']);

/** The lower-cased host name of an absolute http(s) URL, '' otherwise (mailto:, relative, junk). */
export function linkDomain(href: string): string {
  const trimmed = href.trim();
  if (!/^https?:\/\//i.test(trimmed)) return '';
  try {
    return new URL(trimmed).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return '';
  }
}

export interface HtmlView {
  readonly text: string;
  readonly links: LinkView[];
}

/** HTML is fed to the tokenizer in slices this big, yielding to the event loop between them. */
const SLICE_CHARS = 64 * 1024;

export async function htmlToView(html: string): Promise<HtmlView> {
  const parts: string[] = [];
  const links: LinkView[] = [];
  let hiddenDepth = 0;
  let openLink: { href: string; text: string[] } | undefined;
  const closeLink = () => {
    if (!openLink) return;
    links.push({ href: openLink.href, domain: linkDomain(openLink.href), text: openLink.text.join('').replace(/\s+/g, ' ').trim() });
    openLink = undefined;
  };
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (HIDDEN.has(name)) hiddenDepth++;
        else if (BLOCK.has(name)) parts.push('\n');
        if (name === 'a' && attributes.href !== undefined) {
          closeLink();
          openLink = { href: attributes.href, text: [] };
        }
        if (name === 'img' && attributes.alt) parts.push(` ${attributes.alt} `);
      },
      ontext(text) {
        if (hiddenDepth > 0) return;
        parts.push(text);
        openLink?.text.push(text);
      },
      onclosetag(name) {
        if (HIDDEN.has(name)) hiddenDepth = Math.max(0, hiddenDepth - 1);
        else if (BLOCK.has(name)) parts.push('\n');
        if (name === 'a') closeLink();
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  for (let start = 0; start < html.length; start += SLICE_CHARS) {
    if (start > 0) await new Promise((resolve) => setImmediate(resolve));
    parser.write(html.slice(start, start + SLICE_CHARS));
  }
  parser.end();
  closeLink();
  return { text: parts.join(''), links };
}
