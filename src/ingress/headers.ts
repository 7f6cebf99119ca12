/**
 * Just enough RFC 5322 header handling for the DATA pipeline, without a MIME parse: find the
 * header section, unfold its fields, extract the `From:` addresses, and add the relay's own
 * fields (`Received:` on top, `Message-ID:` at the end of the section when missing).
 * Exports splitHeaderSection, parseHeaderFields, fromAddresses, headerValue, receivedHeader,
 * addHeaderFields. Pure; header text is decoded as UTF-8 (SMTPUTF8 clients may send it).
 */

export interface HeaderField {
  /** Lower-cased field name. */
  readonly name: string;
  /** Unfolded value, leading whitespace trimmed. */
  readonly value: string;
}

/** Header sections larger than this are not searched for their end (the message is treated as body-less). */
const MAX_HEADER_SECTION = 1024 * 1024;
const HEADER_END = Buffer.from('\r\n\r\n');

/** Byte offset just after the CRLF of the last header line (0 when the message has no header section). */
export function splitHeaderSection(message: Buffer): number {
  if (message.subarray(0, 2).toString('latin1') === '\r\n') return 0;
  const end = message.subarray(0, MAX_HEADER_SECTION).indexOf(HEADER_END);
  return end === -1 ? Math.min(message.length, MAX_HEADER_SECTION) : end + 2;
}

/** Fields of a header section, folded lines joined; lines that are not fields are skipped. */
export function parseHeaderFields(section: string): HeaderField[] {
  const fields: HeaderField[] = [];
  let current: string | undefined;
  const flush = () => {
    if (current === undefined) return;
    const colon = current.indexOf(':');
    if (colon > 0) fields.push({ name: current.slice(0, colon).trim().toLowerCase(), value: current.slice(colon + 1).trim() });
    current = undefined;
  };
  for (const line of section.split('\r\n')) {
    if (line === '') continue;
    if ((line.startsWith(' ') || line.startsWith('\t')) && current !== undefined) current += ' ' + line.trim();
    else {
      flush();
      current = line;
    }
  }
  flush();
  return fields;
}

export function headerValue(fields: readonly HeaderField[], name: string): string | undefined {
  return fields.find((f) => f.name === name)?.value;
}

/** Drops comments `( … )` and quoted strings `" … "` (display names may hold `@` and `,`). */
function stripCommentsAndQuotes(value: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (quoted) quoted = ch !== '"';
    else if (ch === '"' && depth === 0) quoted = true;
    else if (ch === '(') depth++;
    else if (ch === ')' && depth > 0) depth--;
    else if (depth === 0) out += ch;
  }
  return out;
}

/** The addresses of every `From:` field (`Name <a@b>`, `a@b`, groups of them), lower-cased. */
export function fromAddresses(fields: readonly HeaderField[]): string[] {
  const addresses: string[] = [];
  for (const field of fields) {
    if (field.name !== 'from') continue;
    const value = stripCommentsAndQuotes(field.value);
    const angled = [...value.matchAll(/<([^<>]*)>/g)].map((m) => (m[1] ?? '').trim());
    const found = angled.length > 0 ? angled : value.split(',').map((part) => part.trim());
    addresses.push(...found.filter((a) => a.includes('@')).map((a) => a.toLowerCase()));
  }
  return addresses;
}

export interface ReceivedInfo {
  readonly heloName: string;
  readonly clientHostname: string;
  readonly clientIp: string;
  readonly hostname: string;
  /** e.g. ESMTPSA */
  readonly protocol: string;
  readonly messageId: string;
  readonly tenantId: string;
  /** How the session's tenant is known: SMTP AUTH or its relay network (no AUTH). */
  readonly via: 'auth' | 'relay-network';
  readonly tls?: { readonly version: string; readonly cipher: string } | undefined;
  readonly at: number;
}

/** RFC 5322 date-time in UTC, e.g. `Sat, 22 Nov 2025 07:28:00 +0000`. */
export function rfc5322Date(at: number): string {
  return new Date(at).toUTCString().replace(/GMT$/, '+0000');
}

/** The `Received:` field (folded, CRLF-terminated) this relay prepends. */
export function receivedHeader(info: ReceivedInfo): string {
  const clean = (text: string) => text.replace(/[^\x21-\x7e]/g, '');
  const lines = [
    `Received: from ${clean(info.heloName) || 'unknown'} (${clean(info.clientHostname)} [${clean(info.clientIp)}])`,
    `\tby ${clean(info.hostname)} (Ferry) with ${clean(info.protocol)} id ${info.messageId}`,
  ];
  if (info.tls) lines.push(`\t(using ${clean(info.tls.version)} with cipher ${clean(info.tls.cipher)})`);
  const identity = info.via === 'auth' ? `authenticated tenant ${clean(info.tenantId)}` : `tenant ${clean(info.tenantId)} by relay network`;
  lines.push(`\t(${identity});`, `\t${rfc5322Date(info.at)}`);
  return lines.join('\r\n') + '\r\n';
}

/** The message with `prepend` fields before the header section and `append` fields at its end. */
export function addHeaderFields(message: Buffer, headerEnd: number, prepend: string, append: string): Buffer {
  const parts = [Buffer.from(prepend, 'utf8'), message.subarray(0, headerEnd), Buffer.from(append, 'utf8'), message.subarray(headerEnd)];
  return Buffer.concat(parts);
}
