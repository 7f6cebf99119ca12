/**
 * SMTP reply parser for the bench load source: turns the raw bytes a server sends into complete
 * replies (`250-a` … `250 z` multi-line replies folded into one). Pure and allocation-light: it
 * keeps only the unfinished tail of the stream between chunks.
 * Exports: `ReplyParser` (push bytes, get whole replies), `SmtpReply`, `parseEhloKeywords`.
 * Invariant: a reply is emitted only when its last line (`ddd ` or bare `ddd`) has arrived; a line
 * that does not start with three digits is a protocol error and is reported as code 0.
 */

export interface SmtpReply {
  /** Three-digit reply code; 0 when the server sent something that is not an SMTP reply line. */
  readonly code: number;
  /** Text of every line, without the code and separator. */
  readonly lines: readonly string[];
}

const DIGIT_0 = 48;

function lineCode(line: string): number {
  if (line.length < 3) return 0;
  let code = 0;
  for (let i = 0; i < 3; i++) {
    const d = line.charCodeAt(i) - DIGIT_0;
    if (d < 0 || d > 9) return 0;
    code = code * 10 + d;
  }
  return code;
}

export class ReplyParser {
  #tail = '';
  #pendingLines: string[] = [];

  /** Feeds a chunk; returns the replies completed by it (often none or one). */
  push(chunk: Buffer | string): SmtpReply[] {
    const text = this.#tail + (typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
    const replies: SmtpReply[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      const reply = this.#line(text.slice(start, end));
      if (reply) replies.push(reply);
      start = nl + 1;
    }
    this.#tail = start === 0 ? text : text.slice(start);
    return replies;
  }

  /** True when bytes of an unfinished reply are buffered. */
  get midReply(): boolean {
    return this.#tail.length > 0 || this.#pendingLines.length > 0;
  }

  #line(line: string): SmtpReply | undefined {
    const code = lineCode(line);
    if (code === 0) {
      this.#pendingLines = [];
      return { code: 0, lines: [line] };
    }
    const sep = line.charAt(3);
    this.#pendingLines.push(line.slice(4));
    if (sep === '-') return undefined;
    const lines = this.#pendingLines;
    this.#pendingLines = [];
    return { code, lines };
  }
}

/** EHLO keywords (upper case), from the lines after the greeting line of a 250 EHLO reply. */
export function parseEhloKeywords(reply: SmtpReply): Set<string> {
  const keywords = new Set<string>();
  for (const line of reply.lines.slice(1)) {
    const word = line.split(' ', 1)[0];
    if (word) keywords.add(word.toUpperCase());
  }
  return keywords;
}

/** One-line rendering of a reply for error messages and failure keys. */
export function replyText(reply: SmtpReply): string {
  return `${reply.code} ${reply.lines.join(' / ')}`;
}
