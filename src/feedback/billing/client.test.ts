/**
 * The billing request signature: `v1=` + hex HMAC-SHA256 of `<timestamp>.<body>` with the
 * configured secret (what the operator's endpoint verifies).
 */
import t from 'tap';
import { createHmac } from 'node:crypto';
import { signPurchase } from './client.ts';

t.test('billing signature', async (t) => {
  const expected = createHmac('sha256', 'k').update('1700000000.{"a":1}').digest('hex');
  t.equal(signPurchase('k', '1700000000', '{"a":1}'), `v1=${expected}`);
  t.not(signPurchase('other', '1700000000', '{"a":1}'), `v1=${expected}`, 'another secret, another signature');
});
