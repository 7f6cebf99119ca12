/**
 * VERP linkage: where a bounce carries our return path. Exports verpCandidates (the addresses
 * to try, best first: the SMTP envelope recipient, then Delivered-To / X-Original-To /
 * Envelope-To / To of the bounce, then the Return-Path of the returned original) and
 * findVerpSubject, which tries them with the delivery stage's parseVerpAddress. That function
 * is passed in (feedback and delivery are sibling stages and don't import each other); an
 * unsigned or forged token yields undefined.
 */
import { addressesInHeader } from './addresses.ts';
import { header, readMessage, type MimePart } from './mime.ts';
import { allParts } from './text.ts';

const BOUNCE_HEADERS = ['delivered-to', 'x-original-to', 'envelope-to', 'x-envelope-to', 'original-recipient', 'to'];

export function verpCandidates(message: MimePart | Buffer | string, envelopeRecipient?: string): string[] {
  const root = Buffer.isBuffer(message) || typeof message === 'string' ? readMessage(message) : message;
  const found: string[] = envelopeRecipient ? [envelopeRecipient.trim().replace(/^<|>$/g, '')] : [];
  for (const name of BOUNCE_HEADERS) found.push(...root.headers.filter(([n]) => n === name).flatMap(([, v]) => addressesInHeader(v)));
  for (const part of allParts(root).filter((p) => p !== root)) found.push(...addressesInHeader(header(part, 'return-path')));
  return [...new Set(found.filter((a) => a.includes('@')))];
}

/** The first candidate that `parseVerpAddress` accepts (it checks the bounce domain and the signature). */
export function findVerpSubject<T>(
  message: MimePart | Buffer | string,
  parseVerpAddress: (address: string) => T | undefined,
  envelopeRecipient?: string,
): { address: string; subject: T } | undefined {
  for (const address of verpCandidates(message, envelopeRecipient)) {
    const subject = parseVerpAddress(address);
    if (subject !== undefined) return { address, subject };
  }
  return undefined;
}
