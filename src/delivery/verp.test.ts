import t from 'tap';
import { randomBytes } from 'node:crypto';
import { makeVerpToken, parseVerpAddress, verifyVerpToken, verpAddress } from './verp.ts';

const secret = randomBytes(32);
const messageId = '06H04CN9XAM3Q2CHTN7DSC0';

t.test('recipient token round-trips, also when lower-cased by a remote MTA', async (t) => {
  const token = makeVerpToken({ messageId, recipient: 'Alice.Smith+news@Example.org' }, secret);
  t.same(verifyVerpToken(token, secret), { messageId, recipient: 'Alice.Smith+news@Example.org' });
  t.same(verifyVerpToken(token.toLowerCase(), secret), { messageId, recipient: 'alice.smith+news@example.org' });
  const address = verpAddress(token, 'bounces.ferry.test');
  t.same(parseVerpAddress(address, 'bounces.ferry.test', secret), { messageId, recipient: 'Alice.Smith+news@Example.org' });
  t.equal(parseVerpAddress(address, 'other.test', secret), undefined);
});

t.test('delivery token round-trips', async (t) => {
  const token = makeVerpToken({ messageId, deliveryId: `${messageId}:2` }, secret);
  t.same(verifyVerpToken(token, secret), { messageId, deliveryId: `${messageId}:2` });
});

t.test('forged and altered tokens are rejected', async (t) => {
  const token = makeVerpToken({ messageId, recipient: 'bob@example.org' }, secret);
  t.equal(verifyVerpToken(token, randomBytes(32)), undefined, 'another secret');
  t.equal(verifyVerpToken(token.replace('bob', 'eve'), secret), undefined, 'recipient changed');
  t.equal(verifyVerpToken(token.replace(messageId, '06H04CN9XAM3Q2CHTN7DSC1'), secret), undefined, 'message id changed');
  const parts = token.split('.');
  parts[2] = 'aaaaaaaaaa';
  t.equal(verifyVerpToken(parts.join('.'), secret), undefined, 'mac replaced');
  t.equal(verifyVerpToken(token.replace(/^r/, 'd'), secret), undefined, 'form changed');
  t.equal(verifyVerpToken('garbage', secret), undefined);
  const delivery = makeVerpToken({ messageId, deliveryId: `${messageId}:0` }, secret);
  t.equal(verifyVerpToken(delivery.replace(/\.0$/, '.1'), secret), undefined, 'delivery index changed');
});

t.test('a quoted local part falls back to the delivery form', async (t) => {
  const token = makeVerpToken({ messageId, recipient: '"odd person"@example.org' }, secret, `${messageId}:1`);
  t.same(verifyVerpToken(token, secret), { messageId, deliveryId: `${messageId}:1` });
  t.throws(() => makeVerpToken({ messageId, recipient: '"odd"@example.org' }, secret));
});
