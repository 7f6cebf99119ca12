/**
 * Identifiers: message ids, tenant ids, key ids.
 * Message ids are time-sortable (48-bit ms timestamp + 64 random bits, Crockford base32, 23 chars)
 * so the spool's key order is arrival order. Tenant and key ids are short random base32 strings
 * with a readable prefix. Pure: only crypto randomness, no I/O.
 * Hot-path randomness (a message id per message, a content-gate reference per message) comes
 * from pooledRandomBytes: CSPRNG bytes drawn 4 KiB at a time, each byte handed out once.
 */
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/**
 * `count` bytes from the CSPRNG, taken from a batch drawn POOL_BYTES at a time (a randomBytes
 * call costs ~15 µs whatever its size). Every byte is handed out once; each refill is a new
 * buffer, so a returned view never changes. Callers read or copy the bytes, never keep them.
 */
export function pooledRandomBytes(count: number): Buffer {
  if (count > POOL_BYTES) return randomBytes(count);
  if (poolOffset + count > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + count);
  poolOffset += count;
  return bytes;
}

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
  bytes.set(pooledRandomBytes(8), 6);
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
