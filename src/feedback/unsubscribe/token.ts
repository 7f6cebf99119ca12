/**
 * One-click unsubscribe tokens (RFC 8058), signed and tenant-scoped:
 * `u1.<tenantId>.<messageId>.<base64url(recipient)>.<mac>`, mac = HMAC-SHA256(secret,
 * "u1|tenant|message|recipient lower-cased") truncated to 16 bytes, base64url. Exports
 * makeUnsubscribeToken, verifyUnsubscribeToken and UnsubscribeSubject. A token names exactly one
 * tenant and recipient: it cannot unsubscribe anyone else, nor from another tenant's mail.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface UnsubscribeSubject {
  readonly tenantId: string;
  readonly messageId: string;
  readonly recipient: string;
}

const PART = /^[A-Za-z0-9_-]{1,200}$/;

function mac(secret: Buffer, subject: UnsubscribeSubject): Buffer {
  return createHmac('sha256', secret)
    .update(`u1|${subject.tenantId}|${subject.messageId}|${subject.recipient.toLowerCase()}`)
    .digest()
    .subarray(0, 16);
}

export function makeUnsubscribeToken(subject: UnsubscribeSubject, secret: Buffer): string {
  const recipient = Buffer.from(subject.recipient.toLowerCase(), 'utf8').toString('base64url');
  return `u1.${subject.tenantId}.${subject.messageId}.${recipient}.${mac(secret, subject).toString('base64url')}`;
}

/** The subject of a token made with this secret; undefined for anything forged, altered or malformed. */
export function verifyUnsubscribeToken(token: string, secret: Buffer): UnsubscribeSubject | undefined {
  const parts = token.trim().split('.');
  if (parts.length !== 5 || parts[0] !== 'u1' || !parts.every((part) => PART.test(part))) return undefined;
  const [, tenantId, messageId, encoded, givenMac] = parts as [string, string, string, string, string];
  const recipient = Buffer.from(encoded, 'base64url').toString('utf8');
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(recipient)) return undefined;
  const subject = { tenantId, messageId, recipient };
  // Compare the text, not decoded bytes: base64url's padding bits would let altered tokens pass.
  const given = Buffer.from(givenMac, 'latin1');
  const expected = Buffer.from(mac(secret, subject).toString('base64url'), 'latin1');
  return given.length === expected.length && timingSafeEqual(given, expected) ? subject : undefined;
}
