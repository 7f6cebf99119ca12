/**
 * A small, bounded MIME reader for bounce parsing: headers (unfolded, RFC 2047 decoded), the
 * part tree (multipart/*, message/rfc822, text/rfc822-headers) and each leaf decoded to text
 * (base64 / quoted-printable, charset via TextDecoder). Exports readMessage, MimePart.
 * Invariants: never reads past `maxBytes` of input, at most `maxParts` parts, `maxDepth` levels;
 * a malformed message yields a best-effort tree, never an exception.
 */

export interface MimePart {
  /** Header fields, lower-cased names, in order; values unfolded and decoded. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** e.g. `text/plain`, lower case; `text/plain` when absent. */
  readonly contentType: string;
  readonly params: Readonly<Record<string, string>>;
  /** Decoded text of a leaf (empty for containers). */
  readonly text: string;
  readonly children: readonly MimePart[];
}

export interface MimeLimits {
  readonly maxBytes: number;
  readonly maxParts: number;
  readonly maxDepth: number;
}

export const DEFAULT_MIME_LIMITS: MimeLimits = { maxBytes: 1024 * 1024, maxParts: 64, maxDepth: 6 };

export function header(part: MimePart, name: string): string | undefined {
  return part.headers.find(([n]) => n === name)?.[1];
}

export function headersNamed(part: MimePart, name: string): string[] {
  return part.headers.filter(([n]) => n === name).map(([, v]) => v);
}

/** Bytes → text in the named charset; unknown charsets fall back to UTF-8, then Latin-1. */
export function decodeCharset(bytes: Buffer, charset: string | undefined): string {
  const label = (charset ?? 'utf-8').trim().toLowerCase().replace(/^"|"$/g, '');
  try {
    return new TextDecoder(label === 'us-ascii' || label === 'ascii' ? 'utf-8' : label).decode(bytes);
  } catch {
    const utf8 = bytes.toString('utf8');
    return utf8.includes('\uFFFD') ? bytes.toString('latin1') : utf8;
  }
}

function decodeQuotedPrintable(text: string): Buffer {
  const joined = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const ch = joined.charCodeAt(i);
    if (ch === 0x3d && /^[0-9A-Fa-f]{2}$/.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(ch & 0xff);
  }
  return Buffer.from(bytes);
}

/** RFC 2047 encoded words (`=?charset?B|Q?...?=`), adjacent words joined. */
export function decodeEncodedWords(value: string): string {
  const joined = value.replace(/(\?=)\s+(=\?)/g, '$1$2');
  return joined.replace(/=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g, (_all, charset: string, kind: string, data: string) => {
    const bytes = kind.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64')
      : decodeQuotedPrintable(data.replace(/_/g, ' '));
    return decodeCharset(bytes, charset.split('*')[0]);
  });
}

function rawHeaderToText(raw: string): string {
  const bytes = Buffer.from(raw, 'latin1');
  const utf8 = bytes.toString('utf8');
  return decodeEncodedWords(utf8.includes('\uFFFD') ? raw : utf8);
}

/** Parses a header block (binary string) into unfolded [name, value] pairs. */
export function parseHeaderBlock(block: string): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  for (const line of block.split(/\r?\n/)) {
    const last = fields[fields.length - 1];
    const colon = line.indexOf(':');
    const named = colon > 0 && !/\s/.test(line.slice(0, colon).trim());
    if (/^[ \t]/.test(line) && last) last[1] += ' ' + line.trim();
    else if (named) fields.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
    // A continuation someone forgot to indent (`boundary=...` on its own line): keep it.
    else if (last && /^[\w-]+=/.test(line)) last[1] += ' ' + line.trim();
  }
  return fields.map(([n, v]) => [n, rawHeaderToText(v)]);
}

export function parseContentType(value: string | undefined): { type: string; params: Record<string, string> } {
  if (!value) return { type: 'text/plain', params: {} };
  const [first = '', ...rest] = value.split(';');
  const params: Record<string, string> = {};
  for (const piece of rest) {
    const eq = piece.indexOf('=');
    if (eq > 0) params[piece.slice(0, eq).trim().toLowerCase()] = piece.slice(eq + 1).trim().replace(/^"(.*)"$/s, '$1');
  }
  const type = first.trim().toLowerCase();
  return { type: /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(type) ? type : 'text/plain', params };
}

function splitHeadBody(raw: string): { head: string; body: string } {
  if (/^\r?\n/.test(raw)) return { head: '', body: raw.replace(/^\r?\n/, '') };
  const match = /\r?\n\r?\n/.exec(raw);
  if (!match) return /^[\x21-\x39\x3b-\x7e]+:/.test(raw) ? { head: raw, body: '' } : { head: '', body: raw };
  return { head: raw.slice(0, match.index), body: raw.slice(match.index + match[0].length) };
}

function decodeLeaf(body: string, encoding: string | undefined, charset: string | undefined): string {
  const kind = (encoding ?? '').trim().toLowerCase();
  let bytes: Buffer;
  if (kind === 'base64') bytes = Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  else if (kind === 'quoted-printable') bytes = decodeQuotedPrintable(body);
  else bytes = Buffer.from(body, 'latin1');
  return decodeCharset(bytes, charset);
}

function splitMultipart(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const parts: string[] = [];
  let current: string[] | undefined;
  for (const line of body.split(/\r?\n/)) {
    if (line.startsWith(delimiter)) {
      if (current) parts.push(current.join('\n'));
      if (line.slice(delimiter.length).startsWith('--')) return parts;
      current = [];
    } else current?.push(line);
  }
  if (current) parts.push(current.join('\n'));
  return parts;
}

function hasContentType(headers: ReadonlyArray<readonly [string, string]>): boolean {
  return headers.some(([n]) => n === 'content-type');
}

/** A message whose Content-Type header was lost (mbox extracts) may still be multipart: find the delimiter. */
function guessBoundary(body: string): string | undefined {
  const first = /^--([^\s-][^\s]{5,69})\s*$/m.exec(body);
  if (!first?.[1]) return undefined;
  const count = body.split(/\r?\n/).filter((line) => line.startsWith(`--${first[1]}`)).length;
  return count >= 2 ? first[1] : undefined;
}

/** The pieces of a multipart body; a declared boundary that never occurs falls back to a guessed one. */
function multipartPieces(type: string, params: Record<string, string>, headers: ReadonlyArray<readonly [string, string]>, body: string, depth: number): string[] {
  const multipart = type.startsWith('multipart/');
  if (!multipart && (depth > 0 || hasContentType(headers))) return [];
  const declared = multipart && params.boundary ? splitMultipart(body, params.boundary) : [];
  if (declared.length > 0) return declared;
  const guessed = guessBoundary(body);
  return guessed ? splitMultipart(body, guessed) : [];
}

interface Budget { parts: number; readonly limits: MimeLimits }

function readPart(raw: string, depth: number, budget: Budget, headersOnly = false): MimePart {
  budget.parts++;
  const { head, body } = headersOnly ? { head: raw, body: '' } : splitHeadBody(raw);
  const headers = parseHeaderBlock(head);
  const { type, params } = parseContentType(headers.find(([n]) => n === 'content-type')?.[1]);
  const canNest = depth < budget.limits.maxDepth && budget.parts < budget.limits.maxParts;
  const pieces = canNest ? multipartPieces(type, params, headers, body, depth) : [];
  if (pieces.length > 0) {
    const children = pieces.slice(0, budget.limits.maxParts).map((piece) => readPart(piece, depth + 1, budget));
    return { headers, contentType: type.startsWith('multipart/') ? type : 'multipart/mixed', params, text: '', children };
  }
  const encoding = headers.find(([n]) => n === 'content-transfer-encoding')?.[1];
  if ((type === 'message/rfc822' || type === 'text/rfc822-headers' || type === 'message/rfc822-headers') && canNest) {
    const inner = decodeLeaf(body, encoding, 'latin1');
    const child = readPart(inner, depth + 1, budget, type !== 'message/rfc822');
    return { headers, contentType: type, params, text: '', children: [child] };
  }
  // A multipart whose delimiters never occur (lost in transit): its body is plain text.
  const leafType = type.startsWith('multipart/') ? 'text/plain' : type;
  return { headers, contentType: leafType, params, text: decodeLeaf(body, encoding, params.charset), children: [] };
}

/** Reads one raw message (only its first `limits.maxBytes` bytes). */
export function readMessage(raw: Buffer | string, limits: MimeLimits = DEFAULT_MIME_LIMITS): MimePart {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  const capped = bytes.subarray(0, limits.maxBytes).toString('latin1');
  const withoutMbox = capped.replace(/^From [^\n]*\n/, '');
  return readPart(withoutMbox, 0, { parts: 0, limits });
}

/** All parts, depth first, the part itself included. */
export function walkParts(part: MimePart): MimePart[] {
  return [part, ...part.children.flatMap(walkParts)];
}
