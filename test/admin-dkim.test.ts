/**
 * DKIM rotation with overlapping selectors through the admin API (inject(), real LMDB state):
 * rotate → a new signing pair under new selectors, the old pair still among the DNS records;
 * the relay's DKIM signer (src/delivery/dkim.ts, real) signs with the new selectors only;
 * retire → the old selectors leave the records. Auth, scope, bad input and conflicts change nothing.
 */
import t from 'tap';
import { createDkimSigner } from '../src/delivery/dkim.ts';
import { newMessageId, type AcceptedMessage } from '../src/domain/index.ts';
import { startAdminFixture } from './support/admin-fixture.ts';

function selectorsOf(header: Buffer): string[] {
  return [...header.toString('utf8').matchAll(/\bs=([^;]+);/g)].map((m) => m[1]!.trim());
}

t.test('rotate, sign with the newest pair only, retire', async (t) => {
  const f = await startAdminFixture(t);
  const admin = await f.token(['read', 'tenants'], 'alice');
  const reader = await f.token(['read']);
  const tenantId = (await f.call(admin, 'POST', '/v1/tenants', { name: 'shop' })).json.id as string;
  await f.call(admin, 'POST', '/v1/tenants/shop/domains', { domain: 'shop.test' });
  const before = await f.state.getDomain('shop.test');
  const oldSelectors = before!.dkimKeys.map((k) => k.selector);

  t.equal((await f.call(undefined, 'POST', '/v1/domains/shop.test/dkim/rotate', {})).status, 401);
  t.equal((await f.call(reader, 'POST', '/v1/domains/shop.test/dkim/rotate', {})).status, 403);
  const extra = await f.call(admin, 'POST', '/v1/domains/shop.test/dkim/rotate', { selector: 'x' });
  t.same([extra.status, extra.json.error.code], [400, 'MTA_ERR_INVALID_INPUT']);
  t.equal((await f.call(admin, 'POST', '/v1/domains/nosuch.test/dkim/rotate', {})).status, 404);
  const early = await f.call(admin, 'POST', '/v1/domains/shop.test/dkim/retire', {});
  t.same([early.status, early.json.error.code], [409, 'MTA_ERR_STATE_CONFLICT'], 'nothing to retire before a rotation');
  t.same(await f.state.getDomain('shop.test'), before, 'refused calls changed nothing');

  const rotated = await f.call(admin, 'POST', '/v1/domains/shop.test/dkim/rotate', {});
  t.equal(rotated.status, 200);
  const newSelectors = rotated.json.domain.signing.map((k: { selector: string }) => k.selector) as string[];
  t.equal(newSelectors.length, 2);
  t.notOk(newSelectors.some((s) => oldSelectors.includes(s)), `new selectors ${newSelectors.join(',')} differ from ${oldSelectors.join(',')}`);
  t.same(rotated.json.publish.map((r: { name: string }) => r.name), newSelectors.map((s) => `${s}._domainkey.shop.test`));
  t.same(rotated.json.keepPublished.map((r: { name: string }) => r.name), oldSelectors.map((s) => `${s}._domainkey.shop.test`));
  t.notOk(JSON.stringify(rotated.json).includes('PRIVATE'), 'no private key in the answer');
  const records = (await f.call(reader, 'GET', '/v1/domains/shop.test/dns-records')).json as { purpose: string; name: string }[];
  t.equal(records.filter((r) => r.purpose === 'dkim').length, 4, 'old and new selectors published side by side');

  const signer = createDkimSigner({ state: f.state, now: Date.now, cacheMs: 0 });
  const body = Buffer.from('From: a@shop.test\r\nTo: b@x.test\r\nSubject: hi\r\n\r\nhello\r\n');
  const message: AcceptedMessage = { id: newMessageId(Date.now()), tenantId, envelope: { mailFrom: 'a@shop.test', rcptTo: ['b@x.test'] }, fromDomain: 'shop.test', receivedAt: Date.now(), clientIp: '127.0.0.1', size: body.length, body };
  t.same(selectorsOf(await signer.sign(message)).sort(), [...newSelectors].sort(), 'the signer uses the newest pair only');

  const again = await f.call(admin, 'POST', '/v1/domains/shop.test/dkim/rotate', {});
  const third = again.json.domain.signing.map((k: { selector: string }) => k.selector) as string[];
  t.notOk(third.some((s) => newSelectors.includes(s) || oldSelectors.includes(s)), `a second rotation the same month gets fresh selectors (${third.join(',')})`);
  t.equal(again.json.domain.rotated.length, 4, 'both earlier pairs still published');

  const signingRetire = await f.call(admin, 'POST', '/v1/domains/shop.test/dkim/retire', { selectors: [third[0]] });
  t.same([signingRetire.status, signingRetire.json.error.code], [400, 'MTA_ERR_INVALID_INPUT'], 'a signing key cannot be retired');
  t.equal((await f.call(admin, 'POST', '/v1/domains/shop.test/dkim/retire', { selectors: ['nope'] })).status, 400);
  t.equal((await f.call(reader, 'POST', '/v1/domains/shop.test/dkim/retire', {})).status, 403);
  t.equal((await f.state.getDomain('shop.test'))?.rotatedDkimKeys?.length, 4, 'refused retirements changed nothing');

  const partial = await f.call(admin, 'POST', '/v1/domains/shop.test/dkim/retire', { selectors: oldSelectors });
  t.same(partial.json.unpublish.map((r: { name: string }) => r.name), oldSelectors.map((s) => `${s}._domainkey.shop.test`));
  t.same(partial.json.domain.rotated.map((k: { selector: string }) => k.selector), newSelectors);
  const rest = await f.call(admin, 'POST', '/v1/domains/shop.test/dkim/retire', {});
  t.same(rest.json.domain.rotated, []);
  const finalRecords = (await f.call(reader, 'GET', '/v1/domains/shop.test/dns-records')).json as { purpose: string; name: string }[];
  t.same(finalRecords.filter((r) => r.purpose === 'dkim').map((r) => r.name), third.map((s) => `${s}._domainkey.shop.test`));
  t.same(selectorsOf(await signer.sign(message)).sort(), [...third].sort());
  const trail = (await f.state.readOutcomes({ types: ['AdminAction'] })).map((r) => (r.type === 'AdminAction' ? r.action : ''));
  t.same(trail.filter((a) => a.startsWith('domain.dkim')), ['domain.dkim-rotate', 'domain.dkim-rotate', 'domain.dkim-retire', 'domain.dkim-retire']);
});
