/**
 * PATCH /v1/tenants/:tenant with the tenant's own `limits` and `contentPolicy` (inject()): set,
 * shown by GET, replaced, cleared by null; bad input (unknown keys at any depth, out-of-range
 * values, wrong types) answers 400 MTA_ERR_INVALID_INPUT and changes nothing; a token without
 * the `tenants` scope gets 403; every change writes one AdminAction record naming the actor.
 */
import t from 'tap';
import { startAdminFixture } from './support/admin-fixture.ts';

t.test('limits and content policy: set, shown, replaced, cleared; one AdminAction each', async (t) => {
  const f = await startAdminFixture(t);
  const admin = await f.token(['read', 'tenants'], 'alice');
  const { json: created } = await f.call(admin, 'POST', '/v1/tenants', { name: 'acme' });
  const policy = { mode: 'monitor', checks: { sectors: { threshold: 25 }, spam: { refuseScore: 12 } }, allow: { senders: ['news@acme.test'] }, blockedSenders: ['key_x'] };
  const before = (await f.state.readOutcomes({ types: ['AdminAction'] })).length;

  const set = await f.call(admin, 'PATCH', '/v1/tenants/acme', { limits: { messagesPerSecond: 2.5, burst: 10, dailyQuota: 500 }, contentPolicy: policy });
  t.equal(set.status, 200, JSON.stringify(set.json));
  t.same(set.json.limits, { messagesPerSecond: 2.5, burst: 10, dailyQuota: 500 });
  t.same(set.json.contentPolicy, policy);
  const shown = await f.call(admin, 'GET', `/v1/tenants/${created.id}`);
  t.same([shown.json.limits, shown.json.contentPolicy], [set.json.limits, policy], 'GET shows both');
  t.same((await f.state.getTenant(created.id))?.contentPolicy, policy, 'stored');

  const replaced = await f.call(admin, 'PATCH', '/v1/tenants/acme', { limits: { dailyQuota: 2 }, pool: 'bulk' });
  t.same([replaced.json.limits, replaced.json.pool, replaced.json.contentPolicy], [{ dailyQuota: 2 }, 'bulk', policy], 'limits replaced whole, policy kept');
  const cleared = await f.call(admin, 'PATCH', '/v1/tenants/acme', { limits: null, contentPolicy: null });
  t.equal(cleared.status, 200);
  t.notOk('limits' in cleared.json || 'contentPolicy' in cleared.json, 'null clears both');
  const stored = await f.state.getTenant(created.id);
  t.notOk(stored && ('limits' in stored || 'contentPolicy' in stored), 'cleared in the store');

  const actions = (await f.state.readOutcomes({ types: ['AdminAction'] })).slice(before);
  t.same(actions.map((r) => r.type === 'AdminAction' && [r.actor, r.action, r.target]), [
    ['admin-api:alice', 'tenant.update', created.id], ['admin-api:alice', 'tenant.update', created.id], ['admin-api:alice', 'tenant.update', created.id],
  ]);
  const first = actions[0];
  t.match(first?.type === 'AdminAction' ? JSON.parse(first.reason ?? '{}') : {}, { limits: { dailyQuota: 500 }, contentPolicy: { mode: 'monitor' } }, 'the record says what changed');
  const last = actions[2];
  t.same(last?.type === 'AdminAction' ? JSON.parse(last.reason ?? '{}') : {}, { limits: null, contentPolicy: null }, 'and what was cleared');
});

t.test('bad limits / content policy: 400 MTA_ERR_INVALID_INPUT, nothing changed, no record', async (t) => {
  const f = await startAdminFixture(t);
  const admin = await f.token(['read', 'tenants'], 'alice');
  const { json: created } = await f.call(admin, 'POST', '/v1/tenants', { name: 'acme' });
  const good = { limits: { dailyQuota: 7 }, contentPolicy: { mode: 'enforce' } };
  t.equal((await f.call(admin, 'PATCH', '/v1/tenants/acme', good)).status, 200);
  const snapshot = await f.state.getTenant(created.id);
  const records = (await f.state.readOutcomes({ types: ['AdminAction'] })).length;
  const bad: [unknown, string][] = [
    [{ limits: { dailyQuota: 5, perHour: 3 } }, 'unknown limits key'],
    [{ limits: { burst: 0 } }, 'burst below 1'],
    [{ limits: { dailyQuota: -1 } }, 'negative quota'],
    [{ limits: { dailyQuota: 1.5 } }, 'fractional quota'],
    [{ limits: 'fast' }, 'limits not an object'],
    [{ contentPolicy: { mode: 'lenient' } }, 'unknown mode'],
    [{ contentPolicy: { checks: { sectors: { threshold: 5, weight: 2 } } } }, 'unknown key inside a check'],
    [{ contentPolicy: { checks: { virus: { enabled: false } } } }, 'unknown check'],
    [{ contentPolicy: { allow: { domains: ['x.test'] } } }, 'unknown allow-list'],
    [{ contentPolicy: { checks: { spam: { url: 'http://evil.test' } } } }, 'scanner url is not a tenant setting'],
    [{ contentPolicy: { mode: 'monitor' }, relayNetworks: ['not-a-cidr'] }, 'a bad field beside a good one'],
    [{ limits: { dailyQuota: 3 }, contactEmail: 'not an address' }, 'bad contact email beside good limits'],
  ];
  for (const [body, why] of bad) {
    const answer = await f.call(admin, 'PATCH', '/v1/tenants/acme', body);
    t.same([answer.status, answer.json.error?.code], [400, 'MTA_ERR_INVALID_INPUT'], why);
  }
  t.same(await f.state.getTenant(created.id), snapshot, 'the tenant is unchanged');
  t.equal((await f.state.readOutcomes({ types: ['AdminAction'] })).length, records, 'no AdminAction for refused input');
});

t.test('scopes: read and abuse tokens cannot change limits or policy (403)', async (t) => {
  const f = await startAdminFixture(t);
  const admin = await f.token(['read', 'tenants'], 'alice');
  const { json: created } = await f.call(admin, 'POST', '/v1/tenants', { name: 'acme' });
  for (const scopes of [['read'], ['abuse']] as const) {
    const token = await f.token(scopes, `only-${scopes[0]}`);
    const answer = await f.call(token, 'PATCH', '/v1/tenants/acme', { limits: { dailyQuota: 1 } });
    t.same([answer.status, answer.json.error.code], [403, 'MTA_ERR_FORBIDDEN'], `${scopes[0]} scope`);
  }
  t.equal((await f.call(undefined, 'PATCH', '/v1/tenants/acme', { limits: { dailyQuota: 1 } })).status, 401, 'no token');
  t.notOk('limits' in ((await f.state.getTenant(created.id)) ?? {}), 'nothing changed');
  t.equal((await f.call(admin, 'PATCH', '/v1/tenants/nosuch', { limits: { dailyQuota: 1 } })).status, 404, 'unknown tenant');
});
