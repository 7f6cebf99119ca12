/**
 * VERP return paths: `bounces+<token>@<bounceDomain>`, so a bounce names the message (and the
 * recipient) it is about. Exports makeVerpToken, verifyVerpToken, verpAddress, parseVerpAddress.
 * Token forms: `r.<messageId>.<mac>.<local>=<domain>` (single-recipient delivery; readable, like
 * classic VERP) and `d.<messageId>.<mac>.<deliveryIndex>` (multi-recipient: the DSN names the
 * recipient). `mac` = HMAC-SHA256(secret, form|id|payload lower-cased), truncated to 10 base32
 * chars (50 bits). Verification is case-insensitive because some MTAs lower-case local parts.
 */
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

export type VerpSubject =
  | { readonly messageId: string; readonly recipient: string }
  | { readonly messageId: string; readonly deliveryId: string };

const MAC_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const MAC_LENGTH = 10;
/** atext of RFC 5322, dot-separated: the local parts that can go into a token verbatim. */
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/;
const MESSAGE_ID = /^[0-9A-Za-z]{10,40}$/;

/** The secret as a KeyObject, made once: createHmac with a Buffer re-imports the key on every call (≈3× slower). */
const secretKeys = new WeakMap<Buffer, KeyObject>();

function hmacKey(secret: Buffer): KeyObject {
  let key = secretKeys.get(secret);
  if (!key) {
    key = createSecretKey(secret);
    secretKeys.set(secret, key);
  }
  return key;
}

function mac(secret: Buffer, form: string, messageId: string, payload: string): string {
  const digest = createHmac('sha256', hmacKey(secret)).update(`${form}|${messageId.toUpperCase()}|${payload.toLowerCase()}`).digest();
  let out = '';
  for (let i = 0; i < MAC_LENGTH; i++) out += MAC_ALPHABET[(digest[i] as number) & 31];
  return out;
}

function deliveryIndex(deliveryId: string, messageId: string): string {
  const prefix = `${messageId}:`;
  if (!deliveryId.startsWith(prefix)) throw new RangeError(`delivery ${deliveryId} is not of message ${messageId}`);
  return deliveryId.slice(prefix.length);
}

/** The token for one delivery; a recipient whose local part is not a dot-atom falls back to the delivery form. */
export function makeVerpToken(subject: VerpSubject, secret: Buffer, deliveryId?: string): string {
  const { messageId } = subject;
  if (!MESSAGE_ID.test(messageId)) throw new RangeError(`message id ${messageId} cannot go into a VERP token`);
  if ('recipient' in subject) {
    const at = subject.recipient.lastIndexOf('@');
    const local = subject.recipient.slice(0, at);
    const domain = subject.recipient.slice(at + 1);
    if (at > 0 && DOT_ATOM.test(local) && /^[A-Za-z0-9.-]+$/.test(domain)) {
      const payload = `${local}=${domain}`;
      return `r.${messageId}.${mac(secret, 'r', messageId, payload)}.${payload}`;
    }
    if (deliveryId === undefined) throw new RangeError(`recipient ${subject.recipient} cannot go into a VERP token`);
    return makeVerpToken({ messageId, deliveryId }, secret);
  }
  const index = deliveryIndex(subject.deliveryId, messageId);
  return `d.${messageId}.${mac(secret, 'd', messageId, index)}.${index}`;
}

function macMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The subject of a token made with this secret; undefined for anything forged, altered or malformed. */
export function verifyVerpToken(token: string, secret: Buffer): VerpSubject | undefined {
  const [form, rawId, givenMac, ...rest] = token.split('.');
  const payload = rest.join('.');
  if (!form || !rawId || !givenMac || !payload || !MESSAGE_ID.test(rawId)) return undefined;
  const messageId = rawId.toUpperCase();
  const kind = form.toLowerCase();
  if (kind !== 'r' && kind !== 'd') return undefined;
  if (!macMatches(mac(secret, kind, messageId, payload), givenMac)) return undefined;
  if (kind === 'd') return /^\d+$/.test(payload) ? { messageId, deliveryId: `${messageId}:${payload}` } : undefined;
  const eq = payload.lastIndexOf('=');
  if (eq <= 0 || eq === payload.length - 1) return undefined;
  return { messageId, recipient: `${payload.slice(0, eq)}@${payload.slice(eq + 1)}` };
}

export function verpAddress(token: string, bounceDomain: string): string {
  return `bounces+${token}@${bounceDomain}`;
}

/** The subject of a bounce address `bounces+<token>@<bounceDomain>`, or undefined. */
export function parseVerpAddress(address: string, bounceDomain: string, secret: Buffer): VerpSubject | undefined {
  const at = address.lastIndexOf('@');
  if (at < 0 || address.slice(at + 1).toLowerCase() !== bounceDomain.toLowerCase()) return undefined;
  const local = address.slice(0, at);
  if (!local.toLowerCase().startsWith('bounces+')) return undefined;
  return verifyVerpToken(local.slice('bounces+'.length), secret);
}
