/**
 * The admin API through inject() on real LMDB state: bearer auth (missing, malformed, wrong,
 * revoked → 401; too many failures → 429), scopes (403), the one error shape with stable codes,
 * bad input → 400 with nothing changed, tenants / keys / domains (with a live DNS check against
 * a real DNS server on loopback), admin tokens (no scope escalation), IPs/pools, probes, and the
 * OpenAPI document (every route documented with its schemas).
 */
import t from 'tap';
import { startAdminFixture } from './support/admin-fixture.ts';
import { registerNodeIps, seedPools } from '../src/egress/index.ts';

async function adminActions(state: { readOutcomes(q: object): Promise<{ type: string }[]> }): Promise<number> {
  return (await state.readOutcomes({ types: ['AdminAction'] })).length;
}

t.test('auth: 401 without or with a bad token, 403 without the scope, 429 after repeated failures', async (t) => {
  const f = await startAdminFixture(t, { config: { admin: { authFailuresPerIp: 4 } } });
  const reader = await f.token(['read']);
  const none = await f.call(undefined, 'GET', '/v1/tenants');
  t.equal(none.status, 401);
  t.same(Object.keys(none.json.error).sort(), ['code', 'message', 'statusCode']);
  t.equal(none.json.error.code, 'MTA_ERR_UNAUTHORIZED');
  t.equal((await f.call('garbage', 'GET', '/v1/tenants')).status, 401, 'malformed token');
  t.equal((await f.call(reader.slice(0, -1) + (reader.endsWith('a') ? 'b' : 'a'), 'GET', '/v1/tenants')).status, 401, 'right id, wrong secret');
  t.equal((await f.call(reader, 'GET', '/v1/tenants')).status, 200, 'a good token passes (failures so far: 3)');
  const denied = await f.call(reader, 'POST', '/v1/tenants', { name: 'acme' });
  t.equal(denied.status, 403);
  t.equal(denied.json.error.code, 'MTA_ERR_FORBIDDEN');
  t.same((await f.state.listTenants()).length, 0, 'nothing created');
  t.equal((await f.call('fadm_aaaaaaaaaaaa.' + 'b'.repeat(40), 'GET', '/v1/tenants')).status, 401, 'fourth failure');
  const limited = await f.call(reader, 'GET', '/v1/tenants');
  t.equal(limited.status, 429, 'even a good token from a blocked address waits');
  t.equal(limited.json.error.code, 'MTA_ERR_RATE_LIMITED');
  t.equal((await f.call(undefined, 'GET', '/healthz')).status, 200, 'probes stay open');
});

t.test('revoked admin tokens fail; tokens cannot grant scopes they lack', async (t) => {
  const f = await startAdminFixture(t);
  const ops = await f.token(['read', 'queues'], 'ops');
  const escalate = await f.call(ops, 'POST', '/v1/admin-tokens', { name: 'sneaky', scopes: ['tenants'] });
  t.equal(escalate.status, 403);
  const issued = await f.call(ops, 'POST', '/v1/admin-tokens', { name: 'reader', scopes: ['read'] });
  t.equal(issued.status, 201);
  t.match(issued.json.token, /^fadm_/);
  t.equal((await f.call(issued.json.token, 'GET', '/v1/queues')).status, 200, 'the new token works');
  const listed = await f.call(ops, 'GET', '/v1/admin-tokens');
  t.notOk(JSON.stringify(listed.json).includes('hash'), 'no hashes listed');
  t.equal((await f.call(ops, 'DELETE', `/v1/admin-tokens/${issued.json.record.id}`)).status, 200);
  t.equal((await f.call(issued.json.token, 'GET', '/v1/queues')).status, 401, 'revoked');
  t.equal((await f.call(ops, 'DELETE', '/v1/admin-tokens/nosuchtoken1')).status, 404);
});

t.test('tenants: create, bad input changes nothing, update, suspend/resume/close with AdminAction records', async (t) => {
  const f = await startAdminFixture(t);
  const admin = await f.token(['read', 'tenants'], 'alice');
  const created = await f.call(admin, 'POST', '/v1/tenants', { name: 'acme' });
  t.equal(created.status, 201);
  const id = created.json.id as string;
  for (const [body, why, code] of [[{ name: 'bad name!' }, 'invalid name', 400], [{ name: 'x', extra: 1 }, 'unknown key', 400], [{}, 'missing name', 400], ['not json', 'not JSON', 415]] as const) {
    const bad = await f.call(admin, 'POST', '/v1/tenants', body);
    t.equal(bad.status, code, why);
    t.equal(bad.json.error.code, 'MTA_ERR_INVALID_INPUT', why);
  }
  t.equal((await f.state.listTenants()).length, 1, 'bad input created nothing');
  t.equal((await f.call(admin, 'POST', '/v1/tenants', { name: 'acme' })).json.error.code, 'MTA_ERR_STATE_CONFLICT');
  t.equal((await f.call(admin, 'GET', '/v1/tenants/nosuch')).status, 404);
  const patched = await f.call(admin, 'PATCH', `/v1/tenants/acme`, { pool: 'bulk', relayNetworks: ['10.0.0.0/8'] });
  t.same([patched.status, patched.json.pool, patched.json.relayNetworks], [200, 'bulk', ['10.0.0.0/8']]);
  t.equal((await f.call(admin, 'PATCH', `/v1/tenants/acme`, { relayNetworks: ['not-a-cidr'] })).status, 400);
  t.equal(created.json.ipFallback, 'pool', 'ipFallback defaults to pool');
  const contact = await f.call(admin, 'PATCH', `/v1/tenants/acme`, { contactEmail: 'noc@acme.test', ipFallback: 'wait' });
  t.same([contact.status, contact.json.contactEmail, contact.json.ipFallback], [200, 'noc@acme.test', 'wait']);
  for (const body of [{ contactEmail: 'not an address' }, { ipFallback: 'drop' }, { dedicatedIps: ['192.0.2.1'] }]) {
    t.equal((await f.call(admin, 'PATCH', `/v1/tenants/acme`, body)).status, 400, `PATCH refused: ${JSON.stringify(body)}`);
  }
  const withContact = await f.call(admin, 'POST', '/v1/tenants', { name: 'beta', contactEmail: 'ops@beta.test', ipFallback: 'wait' });
  t.same([withContact.status, withContact.json.contactEmail, withContact.json.ipFallback], [201, 'ops@beta.test', 'wait']);
  t.equal((await f.call(admin, 'POST', '/v1/tenants', { name: 'gamma', contactEmail: 'nope' })).status, 400, 'bad contact email on create');
  const noReason = await f.call(admin, 'POST', `/v1/tenants/${id}/suspend`, {});
  t.equal(noReason.status, 400);
  t.equal((await f.state.getTenant(id))?.status, 'active', 'not suspended without a reason');
  const before = await adminActions(f.state);
  t.equal((await f.call(admin, 'POST', `/v1/tenants/${id}/suspend`, { reason: 'phishing report #42' })).json.status, 'suspended');
  t.equal((await f.call(admin, 'POST', `/v1/tenants/${id}/resume`)).json.status, 'active');
  t.equal((await f.call(admin, 'POST', `/v1/tenants/${id}/close`, { reason: 'contract ended' })).json.status, 'closed');
  const actions = (await f.state.readOutcomes({ types: ['AdminAction'] })).slice(before);
  t.same(actions.map((r) => r.type === 'AdminAction' && [r.actor, r.action]), [
    ['admin-api:alice', 'tenant.suspend'], ['admin-api:alice', 'tenant.resume'], ['admin-api:alice', 'tenant.close'],
  ]);
  const abuse = await f.token(['abuse'], 'desk');
  t.equal((await f.call(abuse, 'POST', `/v1/tenants/${id}/suspend`, { reason: 'spam' })).status, 200, 'abuse scope may suspend');
  t.equal((await f.call(abuse, 'POST', '/v1/tenants', { name: 'other' })).status, 403, 'but not create');
});

t.test('keys and domains: issue once, list without secrets, revoke; DNS records and a live check', async (t) => {
  const f = await startAdminFixture(t, { config: { egress: { ips: [{ address: '127.0.0.2', helo: 'a.test' }], pools: { shared: ['127.0.0.2'] } } } });
  const admin = await f.token(['read', 'tenants']);
  await f.call(admin, 'POST', '/v1/tenants', { name: 'shop' });
  const key = await f.call(admin, 'POST', '/v1/tenants/shop/keys');
  t.equal(key.status, 201);
  t.match(key.json.key, /^fy_/);
  const keys = await f.call(admin, 'GET', '/v1/tenants/shop/keys');
  t.equal(keys.json.length, 1);
  t.notOk(JSON.stringify(keys.json).includes(key.json.key), 'the key is never listed');
  t.type((await f.call(admin, 'DELETE', `/v1/keys/${key.json.id}`)).json.revokedAt, 'number');
  t.equal((await f.call(admin, 'DELETE', '/v1/keys/key_nosuch')).status, 404);

  t.equal((await f.call(admin, 'POST', '/v1/tenants/shop/domains', { domain: 'not a domain' })).status, 400);
  const added = await f.call(admin, 'POST', '/v1/tenants/shop/domains', { domain: 'shop.test' });
  t.equal(added.status, 201);
  t.notOk(JSON.stringify(added.json).includes('PRIVATE'), 'no private key in the answer');
  const records = (await f.call(admin, 'GET', '/v1/domains/shop.test/dns-records')).json as { purpose: string; name: string; value: string }[];
  t.same(records.map((r) => r.purpose).sort(), ['dkim', 'dkim', 'dmarc', 'return-path', 'spf']);
  const [dkim] = records.filter((r) => r.purpose === 'dkim');
  f.dns.setZone({
    [dkim!.name]: { TXT: [dkim!.value] },
    'shop.test': { TXT: ['v=spf1 ip4:127.0.0.9 ~all', 'google-site-verification=x'] },
  });
  const check = await f.call(admin, 'GET', '/v1/domains/shop.test/dns-check');
  t.equal(check.json.ok, false);
  const status = Object.fromEntries((check.json.checks as { name: string; purpose: string; status: string }[]).map((c) => [`${c.purpose}:${c.name}`, c.status]));
  t.equal(status[`dkim:${dkim!.name}`], 'ok', 'published DKIM key found');
  t.equal(status['spf:shop.test'], 'mismatch', 'SPF without our IP');
  t.equal(status['dmarc:_dmarc.shop.test'], 'missing');
  t.equal((await f.call(admin, 'GET', '/v1/domains/nosuch.test/dns-check')).status, 404);
});

t.test('IPs, pools, probes and the OpenAPI document', async (t) => {
  const f = await startAdminFixture(t, { config: { egress: { ips: [{ address: '127.0.0.2', helo: 'a.test' }, { address: '127.0.0.3', helo: 'b.test' }], pools: { shared: ['127.0.0.2'], bulk: [{ address: '127.0.0.3', weight: 2 }] } } } });
  const reader = await f.token(['read']);
  await registerNodeIps(f.state, f.config, Date.now); // what the relay does at start (startEgress)
  await seedPools(f.state, f.config, Date.now);
  t.same((await f.call(reader, 'GET', '/v1/ips')).json.map((ip: { address: string; pools: string[] }) => [ip.address, ip.pools]), [['127.0.0.2', ['shared']], ['127.0.0.3', ['bulk']]]);
  t.match((await f.call(reader, 'GET', '/v1/pools')).json[0], { name: 'bulk', kind: 'custom', members: [{ address: '127.0.0.3', weight: 2 }] });
  t.same((await f.call(undefined, 'GET', '/readyz')).json, { status: 'ready', checks: { spool: true, state: true, listeners: true } });
  const missing = await f.call(reader, 'GET', '/v1/nothing-here');
  t.same([missing.status, missing.json.error.code], [404, 'MTA_ERR_NOT_FOUND']);

  const doc = (await f.call(undefined, 'GET', '/openapi.json')).json;
  t.equal(doc.openapi, '3.0.3');
  t.ok(doc.components.securitySchemes.bearer);
  const operations = Object.entries(doc.paths as Record<string, Record<string, { responses?: object; security?: unknown[]; requestBody?: unknown; parameters?: unknown[] }>>)
    .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
  t.ok(operations.length >= 30, `${operations.length} operations documented`);
  for (const { path, method, op } of operations) {
    if (!path.startsWith('/v1/')) continue;
    t.ok(op.responses && '401' in op.responses && '400' in op.responses, `${method} ${path}: error responses`);
    t.ok(op.security, `${method} ${path}: bearer security`);
    if (['post', 'put', 'patch'].includes(method) && !/resume|keys$/.test(path)) t.ok(op.requestBody, `${method} ${path}: body schema`);
    if (path.includes('{')) t.ok(op.parameters?.length, `${method} ${path}: path parameters`);
  }
  const docs = await f.app.inject({ method: 'GET', url: '/docs/' });
  t.equal(docs.statusCode, 200, 'docs page served');
  t.match(docs.body, /swagger/i);
});
