/**
 * Unit tests of unsubscribe tokens and List-Unsubscribe headers: round trip, tenant scope,
 * tampering (including base64url padding bits); which messages get the header (bulk stream by
 * default, per-tenant on/off, never over the message's own List-Unsubscribe) and one block per
 * recipient when a transaction has several.
 */
import t from 'tap';
import { makeUnsubscribeToken, verifyUnsubscribeToken } from './token.ts';
import { createListUnsubscribe } from './headers.ts';
import type { AcceptedMessage } from '../../domain/index.ts';

const secret = Buffer.alloc(32, 3);
const subject = { tenantId: 'tn_abc', messageId: '06H04X4WBWCXE0ASTB4A0M0', recipient: 'Gina@Dest.test' };

t.test('tokens', async (t) => {
  const token = makeUnsubscribeToken(subject, secret);
  t.same(verifyUnsubscribeToken(token, secret), { ...subject, recipient: 'gina@dest.test' });
  t.equal(verifyUnsubscribeToken(token, Buffer.alloc(32, 4)), undefined, 'other secret');
  t.equal(verifyUnsubscribeToken(token.replace('tn_abc', 'tn_abd'), secret), undefined, 'other tenant');
  const last = token.at(-1) === 'A' ? 'B' : 'A';
  t.equal(verifyUnsubscribeToken(token.slice(0, -1) + last, secret), undefined, 'padding bits count');
  t.equal(verifyUnsubscribeToken('u1.a.b', secret), undefined);
});

t.test('List-Unsubscribe header lines', async (t) => {
  const policy = { enabled: true, bulkDefault: true, tenants: { tn_off: false, tn_all: true } };
  const add = createListUnsubscribe({ baseUrl: 'https://u.example/', mailto: 'unsubscribe@b.example', policy, secret });
  const message = (tenantId: string, head: string) => ({ id: 'M1', tenantId, body: Buffer.from(`${head}\r\n\r\nbody`) }) as AcceptedMessage;
  const bulk = 'From: a@x.test\r\nX-Ferry-Stream: bulk';
  const lines = add(message('tn_abc', bulk), ['g@y.test']);
  t.match(lines, /^List-Unsubscribe: <https:\/\/u\.example\/u\/u1\.tn_abc\.M1\.[^>]+>,\r\n <mailto:unsubscribe@b\.example\?subject=unsubscribe%20u1\.[^>]+>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n$/);
  t.equal(add(message('tn_abc', 'From: a@x.test'), ['g@y.test']), '', 'unmarked mail of a tenant on the default: nothing');
  t.equal(add(message('tn_abc', 'From: a@x.test\r\nX-Ferry-Stream: transactional'), ['g@y.test']), '', 'transactional: nothing');
  t.match(add(message('tn_abc', 'From: a@x.test\r\nPrecedence: list'), ['g@y.test']), /^List-Unsubscribe: /, 'list headers make it bulk');
  t.match(add(message('tn_all', 'From: a@x.test'), ['g@y.test']), /^List-Unsubscribe: /, 'tenant switched on: all its mail');
  t.equal(add(message('tn_off', bulk), ['g@y.test']), '', 'tenant switched off');
  t.equal(add(message('tn_abc', `${bulk}\r\nList-Unsubscribe: <mailto:x@x.test>`), ['g@y.test']), '', 'own header kept');
  t.equal(add(message('tn_abc', bulk), []), '', 'no recipient');
  const several = add(message('tn_abc', bulk), ['g@y.test', 'H@y.test']);
  t.ok(Array.isArray(several) && several.length === 2, 'several recipients: one block each');
  const tokens = (several as string[]).map((block) => /\/u\/(u1\.[^>]+)>/.exec(block)?.[1] ?? '');
  t.same(tokens.map((token) => verifyUnsubscribeToken(token, secret)?.recipient), ['g@y.test', 'h@y.test'], 'each token names its recipient');
  const off = createListUnsubscribe({ baseUrl: 'https://u.example/', mailto: 'unsubscribe@b.example', policy: { ...policy, enabled: false }, secret });
  t.equal(off(message('tn_all', bulk), ['g@y.test']), '', 'feature off: nothing');
});
