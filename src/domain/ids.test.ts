/** Unit tests of ids.ts: message-id order and shape, pooled randomness handed out once. */
import t from 'tap';
import { newMessageId, newPrefixedId, pooledRandomBytes } from './ids.ts';

t.test('message ids are 23 base32 chars, sort by time, and do not repeat', async (t) => {
  const ids = Array.from({ length: 2000 }, (_, i) => newMessageId(1_700_000_000_000 + Math.floor(i / 10)));
  t.ok(ids.every((id) => /^[0-9A-HJKMNP-TV-Z]{23}$/.test(id)), 'shape');
  t.equal(new Set(ids).size, ids.length, 'no repeats, also across pool refills (2000 × 8 bytes > 4 KiB)');
  // 48 timestamp bits fill the first 9 characters (45 bits) and part of the 10th.
  t.same(ids.map((id) => id.slice(0, 9)), ids.map((id) => id.slice(0, 9)).sort(), 'timestamp prefix sorts in creation order');
  t.ok(newMessageId(2) > newMessageId(1), 'later ms sorts after');
});

t.test('pooled bytes: the asked count, each byte handed out once, large requests too', async (t) => {
  const a = pooledRandomBytes(6);
  const b = pooledRandomBytes(6);
  t.equal(a.length, 6);
  t.not(a.buffer === b.buffer && a.byteOffset === b.byteOffset, true, 'two draws are different bytes of the pool');
  const copy = Buffer.from(a);
  for (let i = 0; i < 1000; i++) pooledRandomBytes(8); // refills the pool at least once
  t.same(Buffer.from(a), copy, 'a refill never rewrites bytes already handed out');
  t.equal(pooledRandomBytes(10_000).length, 10_000, 'more than one pool is drawn directly');
  t.match(newPrefixedId('tn'), /^tn_[0-9a-hjkmnp-tv-z]{10}$/);
});
