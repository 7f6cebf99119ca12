/**
 * RFC 3464 delivery-status parsing: splits a message/delivery-status body into the per-message
 * block and per-recipient blocks and reads Final-Recipient, Original-Recipient, Action, Status,
 * Diagnostic-Code, Remote-MTA. Exports parseDeliveryStatus, DsnRecipient. Pure; tolerant of
 * missing blank lines between blocks and of folded fields.
 */
import { cleanAddress } from './addresses.ts';

export interface DsnRecipient {
  readonly address: string | undefined;
  readonly originalAddress: string | undefined;
  readonly action: string | undefined;
  readonly status: string | undefined;
  readonly diagnostic: string | undefined;
  /** The Diagnostic-Code type, lower case: `smtp`, `x-unix` (a local delivery program), … */
  readonly diagnosticType: string | undefined;
  readonly remoteMta: string | undefined;
}

type Fields = Map<string, string>;

/** Fields that occur once per recipient: seeing one again means the next recipient began. */
const PER_RECIPIENT = new Set(['final-recipient', 'original-recipient', 'action', 'status']);

function unfold(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of text.split(/\r?\n/)) {
    const last = out[out.length - 1];
    if (/^[ \t]/.test(line) && last && line.trim() !== '') last[1] += ' ' + line.trim();
    else if (line.trim() === '') out.push(['', '']);
    else {
      const colon = line.indexOf(':');
      if (colon > 0 && /^[A-Za-z][A-Za-z0-9-]*$/.test(line.slice(0, colon).trim())) out.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
      else if (last && last[0] === 'diagnostic-code') last[1] += ' ' + line.trim();
    }
  }
  return out;
}

/** Blocks of fields; a new block starts at a blank line or at a second recipient field. */
function blocks(text: string): Fields[] {
  const result: Fields[] = [];
  let current: Fields = new Map();
  const flush = () => {
    if (current.size > 0) result.push(current);
    current = new Map();
  };
  for (const [name, value] of unfold(text)) {
    if (name === '') {
      flush();
      continue;
    }
    const startsRecipient = current.has(name) && current.has('final-recipient') && PER_RECIPIENT.has(name);
    if (startsRecipient) flush();
    if (!current.has(name)) current.set(name, value);
  }
  flush();
  return result;
}

function stripType(value: string | undefined): string | undefined {
  return value?.replace(/^\s*[a-z0-9-]+\s*;\s*/i, '').trim() || undefined;
}

export function parseDeliveryStatus(text: string): DsnRecipient[] {
  return blocks(text)
    .filter((fields) => fields.has('final-recipient') || fields.has('original-recipient') || (fields.has('action') && fields.has('status')))
    .map((fields) => ({
      address: cleanAddress(fields.get('final-recipient')) ?? cleanAddress(fields.get('original-recipient')),
      originalAddress: cleanAddress(fields.get('original-recipient')),
      action: fields.get('action')?.toLowerCase().trim(),
      status: /([245])\.\d{1,3}\.\d{1,3}/.exec(fields.get('status') ?? '')?.[0],
      // No Diagnostic-Code: the comment in `Status: 4.0.0 (host name lookup failure)` is the reason.
      diagnostic: stripType(fields.get('diagnostic-code')) ?? /\((.+)\)/.exec(fields.get('status') ?? '')?.[1],
      diagnosticType: /^\s*([a-z0-9-]+)\s*;/i.exec(fields.get('diagnostic-code') ?? '')?.[1]?.toLowerCase(),
      remoteMta: stripType(fields.get('remote-mta')),
    }));
}
