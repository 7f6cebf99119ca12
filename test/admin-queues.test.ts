/**
 * The admin API's credits, queues, messages and outcome routes through inject() on real LMDB:
 * top-up idempotent by ref, ledger paging, auto-refill settings, bad amounts refused with nothing
 * changed; queue overview and bulk verbs (bounce writes one Bounce record per delivery; purge and
 * bounce need a filter and a reason; dry runs change nothing); message trace and search; outcome
 * paging and filters; scopes on every mutation.
 */
import t from 'tap';
import { startAdminFixture } from './support/admin-fixture.ts';

t.test('credits: balance, top-up (idempotent), ledger paging, auto-refill; bad input changes nothing', async (t) => {
  const f = await startAdminFixture(t);
  const admin = await f.token(['read', 'tenants'], 'billing');
  const reader = await f.token(['read']);
  await f.call(admin, 'POST', '/v1/tenants', { name: 'payco' });
  for (let i = 0; i < 5; i++) t.equal((await f.call(admin, 'POST', '/v1/tenants/payco/credits/top-up', { amount: 100 + i, ref: `pay-${i}` })).json.applied, true);
  t.equal((await f.call(admin, 'POST', '/v1/tenants/payco/credits/top-up', { amount: 100, ref: 'pay-0' })).json.applied, false, 'same ref: no second top-up');
  for (const body of [{ amount: 0, ref: 'x' }, { amount: -5, ref: 'x' }, { amount: 1.5, ref: 'x' }, { amount: 10 }, { amount: 10, ref: 'x', extra: true }]) {
    const bad = await f.call(admin, 'POST', '/v1/tenants/payco/credits/top-up', body);
    t.same([bad.status, bad.json.error.code], [400, 'MTA_ERR_INVALID_INPUT'], JSON.stringify(body));
  }
  t.equal((await f.call(reader, 'POST', '/v1/tenants/payco/credits/top-up', { amount: 5, ref: 'r' })).status, 403);
  const balance = await f.call(reader, 'GET', '/v1/tenants/payco/credits');
  t.same([balance.json.balance, balance.json.available, balance.json.autoRefill], [510, 510, null], 'only valid top-ups counted');
  const page1 = await f.call(reader, 'GET', '/v1/tenants/payco/credits/ledger?limit=3');
  t.same(page1.json.entries.map((e: { ref: string }) => e.ref), ['pay-4', 'pay-3', 'pay-2'], 'newest first');
  const page2 = await f.call(reader, 'GET', `/v1/tenants/payco/credits/ledger?limit=3&before=${page1.json.nextBefore}`);
  t.same(page2.json.entries.map((e: { ref: string }) => e.ref), ['pay-1', 'pay-0']);
  t.equal(page2.json.nextBefore, undefined, 'last page');
  t.equal((await f.call(reader, 'GET', '/v1/tenants/payco/credits/ledger?limit=5000')).status, 400, 'limit bounded');
  const refill = await f.call(admin, 'PUT', '/v1/tenants/payco/credits/auto-refill', { enabled: true, threshold: 50, amount: 1000 });
  t.same(refill.json, { enabled: true, threshold: 50, amount: 1000 });
  t.same((await f.call(reader, 'GET', '/v1/tenants/payco/credits')).json.autoRefill, { enabled: true, threshold: 50, amount: 1000 });
  t.equal((await f.call(admin, 'GET', '/v1/tenants/nosuch/credits')).status, 404);
  const actions = await f.state.readOutcomes({ types: ['AdminAction'] });
  t.equal(actions.filter((r) => r.type === 'AdminAction' && r.action === 'credits.top-up').length, 5, 'one record per applied top-up');
});

t.test('queues: overview, bulk verbs with dry runs, bounce records, scopes and bad filters', async (t) => {
  const f = await startAdminFixture(t);
  const ops = await f.token(['read', 'queues'], 'ops');
  const reader = await f.token(['read']);
  const tenant = await f.state.createTenant({ name: 'mailco' });
  const old = Date.now() - 3_600_000;
  const a = await f.accept(tenant.id, ['x@one.test', 'y@two.test'], old);
  const b = await f.accept(tenant.id, ['z@two.test']);
  f.snapshot = { at: Date.now() - 1500, nodeId: 'node-x', pid: 1, egressPaths: [{ ip: '127.0.0.2', site: 'google', depth: 7, activeConnections: 2, oldestAgeMs: 9000, sendsLastMinute: 40 }] };
  const view = (await f.call(reader, 'GET', '/v1/queues')).json;
  t.same(view.byDomain.map((g: { key: string; deliveries: number }) => [g.key, g.deliveries]), [['two.test', 2], ['one.test', 1]]);
  t.ok(view.byTenant[0].oldestAgeMs >= 3_600_000, 'oldest age by tenant');
  t.same([view.egressPaths.nodeId, view.egressPaths.paths[0].depth], ['node-x', 7]);
  t.equal(view.egressPaths.paths[0].sendsLastMinute, 40, 'the per-path send rate of the last minute comes through');
  t.ok(view.egressPaths.snapshotAgeMs >= 1500);

  t.equal((await f.call(reader, 'POST', '/v1/queues/hold', { dryRun: true })).status, 403, 'read cannot run verbs');
  t.equal((await f.call(ops, 'POST', '/v1/queues/explode', { dryRun: true })).status, 400, 'unknown verb');
  t.equal((await f.call(ops, 'POST', '/v1/queues/hold', {})).status, 400, 'dryRun is required');
  t.equal((await f.call(ops, 'POST', '/v1/queues/hold', { domain: '-bad-', dryRun: true })).status, 400, 'bad domain');
  t.equal((await f.call(ops, 'POST', '/v1/queues/hold', { tenant: 'nosuch', dryRun: true })).status, 404, 'unknown tenant');
  t.equal((await f.call(ops, 'POST', '/v1/queues/bounce', { dryRun: false, reason: 'all' })).status, 400, 'no filter: refused');
  const dry = await f.call(ops, 'POST', '/v1/queues/hold', { olderThanMs: 60_000, dryRun: true });
  t.same([dry.json.matched, dry.json.messages], [2, 1], 'older-than selects the old message');
  const held = await f.call(ops, 'POST', '/v1/queues/hold', { domain: 'two.test', dryRun: false });
  t.equal(held.json.matched, 2);
  t.equal((await f.spool.stats()).held, 2);
  t.equal((await f.call(ops, 'POST', '/v1/queues/retry-now', { domain: 'two.test', dryRun: false })).json.matched, 0, 'held are not retried');
  t.equal((await f.call(ops, 'POST', '/v1/queues/release', { messageId: b.id, dryRun: false })).json.matched, 1);
  const bounce = await f.call(ops, 'POST', '/v1/queues/bounce', { messageId: a.id, dryRun: false, reason: 'recipient asked' });
  t.same([bounce.json.matched, bounce.json.messages], [2, 1]);
  const bounces = await f.state.readOutcomes({ messageId: a.id, types: ['Bounce'] });
  t.same(bounces.map((r) => r.type === 'Bounce' && [r.recipients, r.bounceClass, r.reply?.code]).sort(), [[['x@one.test'], 'admin', 550], [['y@two.test'], 'admin', 550]]);
  t.equal(await f.spool.getMessage(a.id), undefined, 'bounced message removed');

  const trace = await f.call(reader, 'GET', `/v1/messages/${a.id}`);
  t.same(trace.json.records.map((r: { type: string }) => r.type), ['Bounce', 'Bounce']);
  t.equal(trace.json.message, undefined);
  t.equal((await f.call(reader, 'GET', `/v1/messages/${b.id}`)).json.deliveries[0].state, 'scheduled');
  t.equal((await f.call(reader, 'GET', '/v1/messages/NOSUCHMESSAGE')).json.error.code, 'MTA_ERR_NOT_FOUND');
});

t.test('outcomes paged and filtered; message search by tenant + recipient + time', async (t) => {
  const f = await startAdminFixture(t);
  const reader = await f.token(['read']);
  const tenant = await f.state.createTenant({ name: 'logco' });
  const base = Date.parse('2026-01-01T00:00:00Z');
  await f.state.appendOutcomes(Array.from({ length: 7 }, (_, i) => ({ type: 'Reception' as const, at: base + i * 60_000, tenantId: tenant.id, messageId: `m${i}`, recipients: [i % 2 ? 'odd@x.test' : 'even@x.test'], mailFrom: 'a@b.test', size: 10, clientIp: '127.0.0.1', reply: '250' })));
  await f.state.appendOutcomes([{ type: 'Rejection', at: base, tenantId: tenant.id, stage: 'rcpt', reason: 'suppressed', recipients: ['s@x.test'], clientIp: '127.0.0.1', reply: '550' }]);
  const first = await f.call(reader, 'GET', '/v1/outcomes?limit=3&tenant=logco');
  t.equal(first.json.records.length, 3);
  const rest = await f.call(reader, 'GET', `/v1/outcomes?limit=10&tenant=logco&afterSeq=${first.json.nextAfterSeq}`);
  t.equal(rest.json.records.length, 5);
  t.equal(rest.json.nextAfterSeq, undefined);
  t.same((await f.call(reader, 'GET', '/v1/outcomes?type=Rejection')).json.records.map((r: { reason: string }) => r.reason), ['suppressed']);
  t.equal((await f.call(reader, 'GET', '/v1/outcomes?type=Nonsense')).status, 400);
  const found = await f.call(reader, 'GET', `/v1/messages?tenant=logco&recipient=ODD@x.test&from=${new Date(base + 120_000).toISOString()}&to=${new Date(base + 360_000).toISOString()}`);
  t.same(found.json.map((r: { messageId: string }) => r.messageId), ['m3', 'm5']);
  t.equal((await f.call(reader, 'GET', '/v1/messages?recipient=x@y.test')).status, 400, 'tenant required');
  t.equal((await f.call(reader, 'GET', '/v1/messages?tenant=logco&from=yesterday')).status, 400, 'dates are ISO 8601');
});
