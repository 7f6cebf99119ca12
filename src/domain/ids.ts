/**
 * Identifiers: message ids, tenant ids, key ids.
 * Message ids are time-sortable (48-bit ms timestamp + 64 random bits, Crockford base32, 23 chars)
 * so the spool's key order is arrival order. Tenant and key ids are short random base32 strings
 * with a readable prefix. Pure: only crypto randomness, no I/O.
 */
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** A new message id; ids made later sort after ids made earlier (ms resolution). */
export function newMessageId(now = Date.now()): string {
  const bytes = new Uint8Array(14);
  let ts = now;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ts % 256;
    ts = Math.floor(ts / 256);
  }
  bytes.set(randomBytes(8), 6);
  return base32(bytes);
}

/** A random id with a readable prefix, e.g. `tn_8F3K2M9QW1` for a tenant. */
export function newPrefixedId(prefix: 'tn' | 'key' | 'dom' | 'out', randomLength = 10): string {
  return `${prefix}_${base32(randomBytes(Math.ceil((randomLength * 5) / 8))).slice(0, randomLength).toLowerCase()}`;
}

/** A new API key: `fy_` + 40 base32 characters (200 bits). Shown once, stored only as a hash. */
export function newApiKey(): string {
  return `fy_${base32(randomBytes(25)).toLowerCase()}`;
}

/** How an API key is stored and looked up: hex sha256 of the key. */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}
