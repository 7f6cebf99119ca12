/**
 * Webhook signatures: `Ferry-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`
 * (timestamp inside the MAC, so a captured request cannot be replayed outside the window).
 * Exports signWebhook and verifyWebhook (what a receiver runs; the tests use it as one).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'ferry-signature';

export function signWebhook(secret: string, body: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** True when the signature is ours and its timestamp is within `windowMs` of `nowMs`. */
export function verifyWebhook(secret: string, body: string, header: string, nowMs: number, windowMs: number): boolean {
  const fields = new Map(header.split(',').map((part) => part.trim().split('=', 2) as [string, string]));
  const t = Number(fields.get('t'));
  const given = Buffer.from(fields.get('v1') ?? '', 'hex');
  if (!Number.isInteger(t) || Math.abs(nowMs - t * 1000) > windowMs) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}
