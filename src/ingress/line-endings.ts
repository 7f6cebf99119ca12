/**
 * Line-ending checks of a received DATA payload (after smtp-server removed the dot-stuffing):
 * every CR must be followed by LF and every LF preceded by CR. A bare CR/LF next to a lone dot
 * (`\n.\r\n`, `\r.\n`, `\n.\n`, `\r.\r\n`, `\r\n.\n`, …) is an SMTP smuggling attempt: a relay
 * that forwards it lets a receiver that reads bare line endings see a second, forged message.
 * Exports findLineEndingProblem(). Pure; the fast path (no bare ending) is two indexOf scans.
 */

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

export type LineEndingProblem = 'bare-line-ending' | 'smuggling';

function hasBareLineEnding(body: Buffer): boolean {
  for (let i = body.indexOf(LF); i !== -1; i = body.indexOf(LF, i + 1)) {
    if (i === 0 || body[i - 1] !== CR) return true;
  }
  for (let i = body.indexOf(CR); i !== -1; i = body.indexOf(CR, i + 1)) {
    if (body[i + 1] !== LF) return true;
  }
  return false;
}

/** A dot alone on a "line" where at least one of the two line endings around it is not CRLF. */
function hasSmugglingDotLine(body: Buffer): boolean {
  for (let i = body.indexOf(DOT); i !== -1; i = body.indexOf(DOT, i + 1)) {
    const before = body[i - 1];
    const after = body[i + 1];
    const startsLine = i === 0 || before === CR || before === LF;
    const endsLine = after === CR || after === LF;
    if (!startsLine || !endsLine) continue;
    // The start of the payload counts as a CRLF (it follows the DATA command line).
    const crlfBefore = i === 0 || (before === LF && body[i - 2] === CR);
    const crlfAfter = after === CR && body[i + 2] === LF;
    if (!crlfBefore || !crlfAfter) return true;
  }
  return false;
}

/** undefined when every line ends in CRLF; else what is wrong (smuggling wins over plain bare endings). */
export function findLineEndingProblem(body: Buffer): LineEndingProblem | undefined {
  if (!hasBareLineEnding(body)) return undefined;
  return hasSmugglingDotLine(body) ? 'smuggling' : 'bare-line-ending';
}
