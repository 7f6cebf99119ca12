/**
 * Unit tests of the mail-stream classifier, the one-click injection rule, the raw header lookup
 * and the stripping of Ferry's own X-Ferry-Stream field (src/domain/stream.ts).
 */
import t from 'tap';
import { classifyStream, headerLookup, injectsOneClick, oneClickPolicyOf, oneClickScope, withoutStreamHeader } from './stream.ts';

const lookup = (fields: Record<string, string>) => (name: string) => fields[name];

t.test('classifyStream', async (t) => {
  t.same(classifyStream(lookup({ 'x-ferry-stream': ' Bulk ' })), { stream: 'bulk', reasons: ['X-Ferry-Stream: bulk'] });
  t.equal(classifyStream(lookup({ 'x-ferry-stream': 'marketing' })).stream, 'bulk');
  for (const precedence of ['bulk', 'list', 'JUNK']) t.equal(classifyStream(lookup({ precedence })).stream, 'bulk', `Precedence: ${precedence}`);
  t.equal(classifyStream(lookup({ precedence: 'first-class' })).stream, 'unmarked');
  t.same(classifyStream(lookup({ 'list-id': '' })).reasons, ['List-Id present'], 'an empty List-Id still counts');
  t.same(classifyStream(lookup({ 'x-ferry-stream': 'transactional' })), { stream: 'transactional', reasons: [] });
  t.equal(classifyStream(lookup({ 'x-ferry-stream': 'transactional', 'list-id': '<news.x.test>' })).stream, 'bulk', 'list headers win');
  t.same(classifyStream(lookup({})), { stream: 'unmarked', reasons: [] });
  t.equal(classifyStream(lookup({ 'x-ferry-stream': 'other' })).stream, 'unmarked');
});

t.test('injection rule', async (t) => {
  const policy = oneClickPolicyOf({ enabled: true, unsubscribe: { enabled: true, bulkDefault: true, tenants: { tn_on: true, tn_off: false } } });
  t.equal(oneClickScope(policy, 'tn_on'), 'all');
  t.equal(oneClickScope(policy, 'tn_off'), 'none');
  t.equal(oneClickScope(policy, 'tn_x'), 'bulk');
  t.equal(oneClickScope(policy, 'constructor'), 'bulk', 'no prototype keys');
  t.ok(injectsOneClick(policy, 'tn_x', 'bulk', false));
  t.notOk(injectsOneClick(policy, 'tn_x', 'transactional', false));
  t.notOk(injectsOneClick(policy, 'tn_x', 'unmarked', false));
  t.notOk(injectsOneClick(policy, 'tn_x', 'bulk', true), 'never over the own List-Unsubscribe');
  t.ok(injectsOneClick(policy, 'tn_on', 'transactional', false), 'tenant on: all its mail');
  t.notOk(injectsOneClick(policy, 'tn_off', 'bulk', false), 'tenant off: never');
  const noDefault = { ...policy, bulkDefault: false };
  t.notOk(injectsOneClick(noDefault, 'tn_x', 'bulk', false));
  t.ok(injectsOneClick(noDefault, 'tn_on', 'bulk', false));
  for (const feedback of [{ enabled: false, unsubscribe: { enabled: true, bulkDefault: true, tenants: { tn_on: true } } }, { enabled: true, unsubscribe: { enabled: false, bulkDefault: true, tenants: { tn_on: true } } }]) {
    t.notOk(injectsOneClick(oneClickPolicyOf(feedback), 'tn_on', 'bulk', false), 'feature off: never');
  }
});

t.test('headerLookup', async (t) => {
  const header = headerLookup(Buffer.from('From: a@x.test\r\nList-Unsubscribe: <https://x.test/u>,\r\n <mailto:u@x.test>\r\nlist-id:\r\nFrom: b@x.test\r\n\r\nPrecedence: bulk\r\n'));
  t.equal(header('from'), 'a@x.test', 'first value');
  t.equal(header('list-unsubscribe'), '<https://x.test/u>, <mailto:u@x.test>', 'folded lines joined');
  t.equal(header('list-id'), '');
  t.equal(header('precedence'), undefined, 'the body is not the header');
  t.equal(headerLookup(Buffer.from('\r\nPrecedence: bulk\r\n'))('precedence'), undefined, 'no header section');
});

t.test('withoutStreamHeader', async (t) => {
  const plain = Buffer.from('From: a@x.test\r\nSubject: hi\r\n\r\nX-Ferry-Stream: bulk\r\n');
  t.equal(withoutStreamHeader(plain), plain, 'unchanged (same buffer) without the field; the body is not searched');
  const marked = Buffer.from('From: a@x.test\r\nx-ferry-STREAM : bulk\r\n  folded\r\nSubject: hi\r\nX-Ferry-Stream: marketing\r\n\r\nbody\r\n');
  t.equal(withoutStreamHeader(marked).toString(), 'From: a@x.test\r\nSubject: hi\r\n\r\nbody\r\n', 'every occurrence and its continuation lines');
  t.equal(withoutStreamHeader(Buffer.from('X-Ferry-Stream: bulk\r\n\r\nbody')).toString(), '\r\nbody', 'the only field');
  t.equal(withoutStreamHeader(Buffer.from('X-Ferry-Streamer: 1\r\n\r\nb')).toString(), 'X-Ferry-Streamer: 1\r\n\r\nb', 'another field kept');
  t.equal(withoutStreamHeader(Buffer.from('X-Ferry-Sender: shop-eu\r\nTo: b@y.test\r\n\r\nb')).toString(), 'To: b@y.test\r\n\r\nb', 'the sub-sender id is Ferry\'s too');
});
