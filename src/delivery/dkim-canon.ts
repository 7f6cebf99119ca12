/**
 * DKIM relaxed canonicalization (RFC 6376 §3.4.2 and §3.4.4), pure: splitMessage (header
 * section / body), relaxedBodyHash (sha256, base64), headerFields (one entry per field, folding
 * kept), relaxedHeader, signedFields (the fields a signer covers, bottom-up like mailauth).
 * Bytes are handled as latin1 strings, so any 8-bit header octet is hashed as it was received.
 * Invariant: a message without an empty line is all header and has an empty body.
 */
import { createHash } from 'node:crypto';

export interface SplitMessage {
  /** The header section, every field with its CRLF, without the empty line. */
  readonly header: string;
  readonly body: Buffer;
}

export interface HeaderField {
  /** Lower-cased name. */
  readonly key: string;
  /** The field as received, folding included, without its final CRLF. */
  readonly raw: string;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const WSP_AROUND = /^[ \t]+|[ \t]+$/g;

export function splitMessage(message: Buffer): SplitMessage {
  const at = message.indexOf(HEADER_END);
  if (at < 0) return { header: message.toString('latin1'), body: Buffer.alloc(0) };
  return { header: message.toString('latin1', 0, at + 2), body: message.subarray(at + 4) };
}

/** Relaxed body: WSP runs → one SP, no WSP at line ends, no empty lines at the end, CRLF-terminated. */
export function relaxedBody(body: Buffer): string {
  let text = body.toString('latin1').replace(/\r?\n/g, '\r\n');
  text = text.replace(/[ \t]+(?=\r\n|$)/g, '').replace(/[ \t]+/g, ' ');
  let end = text.length;
  while (end >= 2 && text.charCodeAt(end - 2) === 13 && text.charCodeAt(end - 1) === 10) end -= 2;
  // RFC 6376 errata 3133: a relaxed empty body hashes as the empty string.
  return end === 0 ? '' : `${text.slice(0, end)}\r\n`;
}

export function relaxedBodyHash(body: Buffer): string {
  return createHash('sha256').update(relaxedBody(body), 'latin1').digest('base64');
}

/** The header section as fields (a line starting with SP or HTAB continues the field above). */
export function headerFields(header: string): HeaderField[] {
  const fields: HeaderField[] = [];
  const lines = header.split('\r\n');
  let current: string | undefined;
  const flush = () => {
    if (current === undefined) return;
    const colon = current.indexOf(':');
    if (colon > 0) fields.push({ key: current.slice(0, colon).replace(WSP_AROUND, '').toLowerCase(), raw: current });
  };
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && current !== undefined) {
      current += `\r\n${line}`;
      continue;
    }
    flush();
    current = line === '' ? undefined : line;
  }
  flush();
  return fields;
}

/** `name:value` with the name lower-cased, unfolded, WSP runs as one SP, no WSP around the value. */
export function relaxedHeader(raw: string): string {
  const colon = raw.indexOf(':');
  const name = raw.slice(0, colon).replace(WSP_AROUND, '').toLowerCase();
  // Not String.trim: it would also drop 0xA0, the last byte of many UTF-8 characters (latin1 here).
  const value = raw.slice(colon + 1).replace(/\r\n/g, '').replace(/[ \t]+/g, ' ').replace(WSP_AROUND, '');
  return `${name}:${value}`;
}

/** Every field whose name is in `names`, last one first (the order a verifier consumes h=). */
export function signedFields(fields: readonly HeaderField[], names: ReadonlySet<string>): HeaderField[] {
  const out: HeaderField[] = [];
  for (let i = fields.length - 1; i >= 0; i--) {
    const field = fields[i] as HeaderField;
    if (names.has(field.key)) out.push(field);
  }
  return out;
}
