/**
 * The admin API's sending-IP and pool routes through inject() on the real embedded store and
 * spool: inventory add/list/show (history, warm-up progress), lease, auto-renew, renew, end,
 * warm-up, quarantine, release, retire, revoke (warning spooled with a notice; none for an IP
 * nobody leases, quarantined at once), pools set/list/delete. Also 401, 403, 400 (nothing
 * changed), 404, 409 (state conflicts, no contact email) and the AdminAction records.
 */
import t, { type Test } from 'tap';
import { startAdminFixture, type AdminFixture } from './support/admin-fixture.ts';

const A = '192.0.2.10';
const B = '192.0.2.11';
const V6 = '2001:db8::25';

async function adminActions(f: AdminFixture): Promise<Array<{ action: string; target: string; actor: string; reason?: string; tenantId: string }>> {
  return (await f.state.readOutcomes({ types: ['AdminAction'] })) as never;
}

async function setup(t: Test) {
  const f = await startAdminFixture(t);
  const admin = await f.token(['read', 'ips', 'abuse'], 'noc');
  const reader = await f.token(['read'], 'viewer');
  const abuse = await f.token(['abuse'], 'abuse-desk');
  return { f, admin, reader, abuse };
}

t.test('inventory: add, list, show; auth, scope, bad input and not found', async (t) => {
  const { f, admin, reader } = await setup(t);
  t.equal((await f.call(undefined, 'GET', '/v1/ips')).status, 401, 'no token');
  t.equal((await f.call('fadm_nope.nope', 'POST', '/v1/ips', { address: A, helo: 'out1.ferry.test' })).status, 401, 'bad token');
  const forbidden = await f.call(reader, 'POST', '/v1/ips', { address: A, helo: 'out1.ferry.test' });
  t.same([forbidden.status, forbidden.json.error.code], [403, 'MTA_ERR_FORBIDDEN']);

  for (const body of [{ address: '999.1.1.1', helo: 'x.ferry.test' }, { address: A, helo: 'no_such host' }, { address: A }, { address: A, helo: 'x.ferry.test', extra: 1 }]) {
    const bad = await f.call(admin, 'POST', '/v1/ips', body);
    t.same([bad.status, bad.json.error.code], [400, 'MTA_ERR_INVALID_INPUT'], JSON.stringify(body));
  }
  t.same(await f.state.listIps(), [], 'nothing added by refused requests');

  const added = await f.call(admin, 'POST', '/v1/ips', { address: A, helo: 'Out1.Ferry.Test' });
  t.equal(added.status, 201);
  t.match(added.json, { address: A, helo: 'out1.ferry.test', state: 'available', nodes: [], pools: [] });
  t.equal((await f.call(admin, 'POST', '/v1/ips', { address: V6, helo: 'out6.ferry.test' })).status, 201, 'IPv6');
  const twice = await f.call(admin, 'POST', '/v1/ips', { address: A, helo: 'other.ferry.test' });
  t.same([twice.status, twice.json.error.code], [409, 'MTA_ERR_STATE_CONFLICT']);

  const list = await f.call(reader, 'GET', '/v1/ips');
  t.same(list.json.map((ip: { address: string; state: string }) => [ip.address, ip.state]), [[A, 'available'], [V6, 'available']]);
  const shown = await f.call(reader, 'GET', `/v1/ips/${V6}`);
  t.match(shown.json, { ip: { address: V6, helo: 'out6.ferry.test' }, history: [{ event: 'added', actor: 'admin-api:noc', to: 'available' }], warmup: null });
  const missing = await f.call(reader, 'GET', '/v1/ips/192.0.2.99');
  t.same([missing.status, missing.json.error.code], [404, 'MTA_ERR_NOT_FOUND']);
  t.equal((await f.call(reader, 'GET', '/v1/ips/not-an-ip')).status, 400, 'params pattern');
  t.match(await adminActions(f), [{ action: 'ip.add', target: A, actor: 'admin-api:noc', tenantId: '*' }, { action: 'ip.add', target: V6 }]);
});

t.test('lease, auto-renew, renew, warm-up progress, end lease', async (t) => {
  const { f, admin, reader } = await setup(t);
  const shop = await f.state.createTenant({ name: 'shop' });
  await f.call(admin, 'POST', '/v1/ips', { address: A, helo: 'out1.ferry.test' });
  const path = `/v1/ips/${A}`;

  t.equal((await f.call(reader, 'POST', `${path}/lease`, { tenant: 'shop' })).status, 403);
  for (const body of [{ tenant: 'shop', term: 'forever' }, { tenant: 'shop', term: '0d' }, { tenant: 'shop', warmup: 'no-such-schedule' }, { tenant: 'shop', autoRenew: 'maybe' }]) {
    const bad = await f.call(admin, 'POST', `${path}/lease`, body);
    t.same([bad.status, bad.json.error.code], [400, 'MTA_ERR_INVALID_INPUT'], JSON.stringify(body));
  }
  t.equal((await f.call(admin, 'POST', `${path}/lease`, { tenant: 'nobody' })).status, 404, 'unknown tenant');
  t.equal((await f.call(admin, 'POST', '/v1/ips/192.0.2.99/lease', { tenant: 'shop' })).status, 404, 'unknown IP');
  t.equal((await f.state.getIp(A))?.lease, undefined, 'no lease after refusals');

  const leased = await f.call(admin, 'POST', `${path}/lease`, { tenant: 'shop', term: '30d', warmup: 'default' });
  t.equal(leased.status, 200);
  t.match(leased.json, { state: 'warming', lease: { tenantId: shop.id, autoRenew: true, termMs: 30 * 86_400_000, renewals: 0 }, warmup: { schedule: 'default' } });
  const again = await f.call(admin, 'POST', `${path}/lease`, { tenant: 'shop' });
  t.same([again.status, again.json.error.code], [409, 'MTA_ERR_IP_STATE'], 'lease a leased IP');

  const shown = (await f.call(reader, 'GET', path)).json;
  t.match(shown.warmup, { schedule: 'default', day: 0, cap: 50, sites: { google: 20, microsoft: 20 } });
  t.same(shown.history.map((h: { event: string }) => h.event), ['leased', 'added'], 'newest first');

  t.match((await f.call(admin, 'PATCH', `${path}/lease`, { autoRenew: false })).json, { lease: { autoRenew: false } });
  t.equal((await f.call(admin, 'PATCH', `${path}/lease`, {})).status, 400);
  const endsAt = (await f.state.getIp(A))?.lease?.endsAt ?? 0;
  const renewed = await f.call(admin, 'POST', `${path}/lease/renew`, {});
  t.match(renewed.json, { lease: { renewals: 1, endsAt: endsAt + 30 * 86_400_000 } });

  t.equal((await f.call(admin, 'DELETE', `${path}/lease`, {})).status, 400, 'end lease needs a reason');
  const ended = await f.call(admin, 'DELETE', `${path}/lease`, { reason: 'customer left' });
  t.ok(ended.json.lease.endedAt, 'lease ended');
  const noLease = await f.call(admin, 'POST', `${path}/lease/renew`, {});
  t.same([noLease.status, noLease.json.error.code], [409, 'MTA_ERR_IP_STATE'], 'renew without an active lease');

  t.match((await adminActions(f)).map((r) => [r.action, r.tenantId]), [
    ['ip.add', '*'], ['ip.lease', shop.id], ['ip.auto-renew', shop.id], ['ip.lease-renew', shop.id], ['ip.lease-end', shop.id],
  ]);
  t.match((await adminActions(f)).at(-1), { reason: 'customer left', actor: 'admin-api:noc' });
});

t.test('warm-up, quarantine, release, retire', async (t) => {
  const { f, admin, abuse } = await setup(t);
  await f.call(admin, 'POST', '/v1/ips', { address: A, helo: 'out1.ferry.test' });
  const path = `/v1/ips/${A}`;
  t.equal((await f.call(admin, 'POST', `${path}/warmup`, { schedule: 'nope' })).status, 400);
  t.match((await f.call(admin, 'POST', `${path}/warmup`, { schedule: 'fast' })).json, { state: 'warming', warmup: { schedule: 'fast' } });

  t.equal((await f.call(abuse, 'POST', `${path}/release`, { note: 'x' })).status, 403, 'release needs ips');
  t.equal((await f.call(abuse, 'POST', `${path}/quarantine`, {})).status, 400, 'quarantine needs a reason');
  const notQuarantined = await f.call(admin, 'POST', `${path}/release`, { note: 'nothing to lift' });
  t.same([notQuarantined.status, notQuarantined.json.error.code], [409, 'MTA_ERR_IP_STATE']);
  t.match((await f.call(abuse, 'POST', `${path}/quarantine`, { reason: 'spam run' })).json, { state: 'quarantined', stateReason: 'spam run' });
  t.match((await f.call(admin, 'POST', `${path}/release`, { note: 'cleaned up' })).json, { state: 'warming' });

  t.match((await f.call(admin, 'POST', `${path}/retire`, { reason: 'range returned' })).json, { state: 'retired' });
  const warm = await f.call(admin, 'POST', `${path}/warmup`, { schedule: 'fast' });
  t.same([warm.status, warm.json.error.code], [409, 'MTA_ERR_IP_STATE'], 'a retired IP cannot warm up');
  const revoke = await f.call(admin, 'POST', `${path}/revoke`, { reason: 'x', notice: '0s' });
  t.same([revoke.status, revoke.json.error.code], [409, 'MTA_ERR_IP_STATE'], 'revoke a retired IP');
  t.same((await adminActions(f)).map((r) => r.action), ['ip.add', 'ip.warmup', 'ip.quarantine', 'ip.release', 'ip.retire']);
});

t.test('revoke: a notice spools the warning; nobody leasing + 0s quarantines at once; no contact → 409', async (t) => {
  const { f, admin, reader, abuse } = await setup(t);
  const shop = await f.state.createTenant({ name: 'shop', contactEmail: 'noc@shop.test' });
  await f.state.createTenant({ name: 'mute' });
  for (const [address, helo] of [[A, 'out1.ferry.test'], [B, 'out2.ferry.test'], [V6, 'out6.ferry.test']]) await f.call(admin, 'POST', '/v1/ips', { address, helo });
  await f.call(admin, 'POST', `/v1/ips/${A}/lease`, { tenant: 'shop' });
  await f.call(admin, 'POST', `/v1/ips/${V6}/lease`, { tenant: 'mute' });

  t.equal((await f.call(reader, 'POST', `/v1/ips/${A}/revoke`, { reason: 'abuse' })).status, 403);
  t.equal((await f.call(abuse, 'POST', `/v1/ips/${A}/revoke`, { reason: 'abuse', notice: 'soon' })).status, 400, 'bad notice');
  t.equal((await f.call(abuse, 'POST', `/v1/ips/${A}/revoke`, {})).status, 400, 'no reason');
  t.equal((await f.call(abuse, 'POST', '/v1/ips/192.0.2.99/revoke', { reason: 'abuse' })).status, 404);
  const mute = await f.call(abuse, 'POST', `/v1/ips/${V6}/revoke`, { reason: 'abuse', notice: '24h' });
  t.same([mute.status, mute.json.error.code], [409, 'MTA_ERR_NO_CONTACT']);
  t.equal((await f.state.getIp(V6))?.revocation, undefined, 'nothing recorded without the warning');

  const noticed = await f.call(abuse, 'POST', `/v1/ips/${A}/revoke`, { reason: 'phishing reports', notice: '24h' });
  t.equal(noticed.status, 200);
  t.match(noticed.json, { warning: 'pending', warningMessageId: String, ip: { address: A, state: 'leased', revocation: { reason: 'phishing reports', tenantId: shop.id } } });
  t.equal(noticed.json.ip.revocation.completedAt, undefined, 'removal pending until the notice ends');
  const message = await f.spool.getMessage(noticed.json.warningMessageId);
  t.same(message?.envelope.rcptTo, ['noc@shop.test'], 'the warning is spooled to the contact');
  t.match(message?.body.toString('utf8'), new RegExp(A.replace(/\./g, '\\.')));
  t.equal((await f.spool.listDeliveries(noticed.json.warningMessageId)).length, 1);
  const pending = await f.call(abuse, 'POST', `/v1/ips/${A}/revoke`, { reason: 'again', notice: '1h' });
  t.same([pending.status, pending.json.error.code], [409, 'MTA_ERR_IP_STATE'], 'a revocation is already pending');

  const now = await f.call(admin, 'POST', `/v1/ips/${B}/revoke`, { reason: 'compromised host', notice: '0s' });
  t.equal(now.status, 200);
  t.match(now.json, { warning: 'none', ip: { address: B, state: 'quarantined', stateReason: 'revoked: compromised host', revocation: { completedAt: Number } } });
  t.notOk('warningMessageId' in now.json);
  t.match((await adminActions(f)).filter((r) => r.action === 'ip.revoke'), [{ target: A, tenantId: shop.id, actor: 'admin-api:abuse-desk' }, { target: B, tenantId: '*', actor: 'admin-api:noc' }]);
});

t.test('pools: set, list, delete', async (t) => {
  const { f, admin, reader } = await setup(t);
  const shop = await f.state.createTenant({ name: 'shop' });
  for (const [address, helo] of [[A, 'out1.ferry.test'], [B, 'out2.ferry.test']]) await f.call(admin, 'POST', '/v1/ips', { address, helo });
  t.equal((await f.call(reader, 'PUT', '/v1/pools/bulk', { members: [{ address: A, weight: 1 }] })).status, 403);
  for (const body of [
    { members: [] }, { members: [{ address: '192.0.2.99', weight: 1 }] }, { members: [{ address: A, weight: 1 }, { address: A, weight: 2 }] },
    { members: [{ address: A, weight: -1 }] }, { kind: 'tenant', members: [{ address: A, weight: 1 }] }, { kind: 'shared', members: [{ address: A, weight: 1 }] },
  ]) {
    const bad = await f.call(admin, 'PUT', '/v1/pools/bulk', body);
    t.same([bad.status, bad.json.error.code], [400, 'MTA_ERR_INVALID_INPUT'], JSON.stringify(body));
  }
  t.equal((await f.call(admin, 'PUT', '/v1/pools/Bad_Name', { members: [{ address: A, weight: 1 }] })).status, 400);
  t.same(await f.state.listPools(), [], 'no pool from refused requests');

  t.match((await f.call(admin, 'PUT', '/v1/pools/shared', { members: [{ address: A, weight: 1 }, { address: B, weight: 3 }] })).json, { name: 'shared', kind: 'shared' });
  t.match((await f.call(admin, 'PUT', '/v1/pools/shop-own', { tenant: 'shop', members: [{ address: B, weight: 1 }] })).json, { kind: 'tenant', tenantId: shop.id });
  const pools = (await f.call(reader, 'GET', '/v1/pools')).json;
  t.same(pools.map((p: { name: string }) => p.name), ['shared', 'shop-own']);
  t.same((await f.call(reader, 'GET', '/v1/ips')).json.map((ip: { pools: string[] }) => ip.pools), [['shared'], ['shared', 'shop-own']]);

  const shared = await f.call(admin, 'DELETE', '/v1/pools/shared');
  t.same([shared.status, shared.json.error.code], [400, 'MTA_ERR_INVALID_INPUT']);
  await f.state.updateTenant(shop.id, { pool: 'shop-own' });
  const used = await f.call(admin, 'DELETE', '/v1/pools/shop-own');
  t.same([used.status, used.json.error.code], [409, 'MTA_ERR_STATE_CONFLICT'], 'a pool a tenant uses');
  await f.state.updateTenant(shop.id, { pool: 'shared' });
  t.same((await f.call(admin, 'DELETE', '/v1/pools/shop-own')).json, { deleted: 'shop-own' });
  t.equal((await f.call(admin, 'DELETE', '/v1/pools/shop-own')).status, 404);
  t.match((await adminActions(f)).filter((r) => r.action.startsWith('pool.')), [
    { action: 'pool.set', target: 'shared', tenantId: '*' }, { action: 'pool.set', target: 'shop-own', tenantId: shop.id }, { action: 'pool.delete', target: 'shop-own' },
  ]);
});
