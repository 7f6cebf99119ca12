/**
 * Unit tests of unsubscribe tokens and List-Unsubscribe headers: round trip, tenant scope,
 * tampering (including base64url padding bits), per-tenant switch, one recipient only, and a
 * message that already carries its own List-Unsubscribe.
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
  const add = createListUnsubscribe({ baseUrl: 'https://u.example/', mailto: 'unsubscribe@b.example', defaultOn: true, tenants: { tn_off: false }, secret });
  const message = (tenantId: string, head: string) => ({ id: 'M1', tenantId, body: Buffer.from(`${head}\r\n\r\nbody`) }) as AcceptedMessage;
  const lines = add(message('tn_abc', 'From: a@x.test'), ['g@y.test']);
  t.match(lines, /^List-Unsubscribe: <https:\/\/u\.example\/u\/u1\.tn_abc\.M1\.[^>]+>,\r\n <mailto:unsubscribe@b\.example\?subject=unsubscribe%20u1\.[^>]+>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n$/);
  t.equal(add(message('tn_off', 'From: a@x.test'), ['g@y.test']), '', 'tenant switched off');
  t.equal(add(message('tn_abc', 'From: a@x.test'), ['g@y.test', 'h@y.test']), '', 'several recipients: no per-recipient token');
  t.equal(add(message('tn_abc', 'From: a@x.test\r\nList-Unsubscribe: <mailto:x@x.test>'), ['g@y.test']), '', 'own header kept');
});
