/**
 * The feedback loop's admin routes through inject() on real LMDB state: suppressions (paged and
 * filtered list, manual add, removal with a note, CSV export), complaint cases (consent, review,
 * a rejection suspending the tenant) and webhook endpoints (secret shown once). Each covers auth
 * (401), scopes (403) and bad input (400 MTA_ERR_INVALID_INPUT with nothing changed).
 */
import t from 'tap';
import type { OutcomeRecord } from '../src/domain/index.ts';
import { startAdminFixture, type AdminFixture } from './support/admin-fixture.ts';

async function actions(f: AdminFixture): Promise<Extract<OutcomeRecord, { type: 'AdminAction' }>[]> {
  return (await f.state.readOutcomes({ types: ['AdminAction'] })) as Extract<OutcomeRecord, { type: 'AdminAction' }>[];
}

t.test('suppressions: add, page, filter, remove with a note, export CSV; auth, scope and bad input', async (t) => {
  const f = await startAdminFixture(t);
  const tenant = await f.state.createTenant({ name: 'shop' });
  const desk = await f.token(['read', 'abuse'], 'desk');
  const reader = await f.token(['read'], 'reader');
  t.equal((await f.call(undefined, 'GET', '/v1/suppressions/shop')).status, 401);
  const denied = await f.call(reader, 'POST', '/v1/suppressions/shop', { address: 'a@x.test' });
  t.same([denied.status, denied.json.error.code], [403, 'MTA_ERR_FORBIDDEN']);
  for (const [body, why] of [[{ address: 'not-an-address' }, 'bad address'], [{ address: 'a@x.test', reason: 'complaint' }, 'unknown key'], [{}, 'no address'], [{ address: 'a@x.test', expiresAt: 5 }, 'expiry in the past']] as const) {
    const bad = await f.call(desk, 'POST', '/v1/suppressions/shop', body);
    t.same([bad.status, bad.json.error.code], [400, 'MTA_ERR_INVALID_INPUT'], why);
  }
  t.equal((await f.state.listSuppressions(tenant.id)).length, 0, 'bad input suppressed nothing');
  t.equal((await f.call(desk, 'POST', '/v1/suppressions/nosuch', { address: 'a@x.test' })).status, 404);

  for (const address of ['c@x.test', 'A@X.test', 'b@y.test', 'd@x.test']) {
    t.equal((await f.call(desk, 'POST', '/v1/suppressions/shop', { address, note: 'asked by phone' })).status, 201, address);
  }
  await f.state.addSuppression({ scope: tenant.id, address: 'e@x.test', reason: 'hard-bounce', source: 'outcome:1', createdAt: Date.now() }, Date.now());
  const again = await f.call(desk, 'POST', '/v1/suppressions/shop', { address: 'a@x.test' });
  t.same([again.status, again.json.applied], [200, false], 'already suppressed: kept');
  const first = await f.call(reader, 'GET', '/v1/suppressions/shop?limit=2');
  t.same(first.json.entries.map((e: { address: string }) => e.address), ['a@x.test', 'b@y.test']);
  const second = await f.call(reader, 'GET', `/v1/suppressions/shop?limit=2&after=${first.json.nextAfter}`);
  t.same(second.json.entries.map((e: { address: string }) => e.address), ['c@x.test', 'd@x.test']);
  const third = await f.call(reader, 'GET', `/v1/suppressions/shop?limit=2&after=${second.json.nextAfter}`);
  t.same([third.json.entries.map((e: { address: string }) => e.address), third.json.nextAfter], [['e@x.test'], undefined], 'last page');
  t.same((await f.call(reader, 'GET', '/v1/suppressions/shop?reason=hard-bounce')).json.entries.map((e: { address: string }) => e.address), ['e@x.test']);
  t.same((await f.call(reader, 'GET', '/v1/suppressions/shop?contains=@y.')).json.entries.map((e: { address: string }) => e.address), ['b@y.test']);
  t.equal((await f.call(reader, 'GET', '/v1/suppressions/shop?reason=spam')).status, 400, 'unknown reason filter');

  const noNote = await f.call(desk, 'DELETE', '/v1/suppressions/shop/a@x.test', {});
  t.same([noNote.status, noNote.json.error.code], [400, 'MTA_ERR_INVALID_INPUT']);
  t.equal((await f.call(reader, 'DELETE', '/v1/suppressions/shop/a@x.test', { note: 'x' })).status, 403);
  t.ok(await f.state.findSuppression(tenant.id, 'a@x.test', Date.now()), 'still suppressed');
  const removed = await f.call(desk, 'DELETE', '/v1/suppressions/shop/A@x.test', { note: 'customer re-subscribed, ticket 7' });
  t.same([removed.status, removed.json.address], [200, 'a@x.test']);
  t.notOk(await f.state.findSuppression(tenant.id, 'a@x.test', Date.now()), 'lifted');
  t.equal((await f.call(desk, 'DELETE', '/v1/suppressions/shop/a@x.test', { note: 'again' })).status, 404);
  const trail = (await actions(f)).filter((a) => a.action.startsWith('suppression.'));
  t.equal(trail.filter((a) => a.action === 'suppression.add').length, 4, 'one record per applied add');
  t.match(trail.at(-1), { actor: 'admin-api:desk', action: 'suppression.remove', target: 'a@x.test', reason: /ticket 7/ });

  t.equal((await f.call(desk, 'POST', '/v1/suppressions/global', { address: 'g@z.test', note: 'spam trap, "known"' })).status, 201);
  const csv = await f.app.inject({ method: 'GET', url: '/v1/suppressions/global/export.csv', headers: { authorization: `Bearer ${reader}` } });
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /^text\/csv/);
  const lines = csv.body.trimEnd().split('\r\n');
  t.equal(lines[0], 'address,reason,source,created_at,expires_at,note');
  t.match(lines[1], /^g@z\.test,manual,admin:admin-api:desk,\d{4}-.*Z,,"spam trap, ""known"""$/);
  t.equal(lines.length, 2);
});

t.test('complaint cases: consent, review, rejection suspends; bad input and wrong state change nothing', async (t) => {
  const f = await startAdminFixture(t);
  const tenant = await f.state.createTenant({ name: 'news' });
  const now = Date.now();
  for (const id of ['cc_1', 'cc_2']) {
    await f.state.openComplaintCase({ id, tenantId: tenant.id, recipient: `${id}@r.test`, openedAt: now - (id === 'cc_1' ? 1000 : 0), dueAt: now + 86_400_000, status: 'open' });
  }
  const owner = await f.token(['read', 'tenants'], 'owner');
  const desk = await f.token(['read', 'abuse'], 'desk');
  t.equal((await f.call(undefined, 'GET', '/v1/complaint-cases')).status, 401);
  t.same((await f.call(owner, 'GET', '/v1/complaint-cases?tenant=news&status=open')).json.map((c: { id: string }) => c.id), ['cc_2', 'cc_1']);
  t.equal((await f.call(owner, 'GET', '/v1/complaint-cases?status=bogus')).status, 400);
  t.equal((await f.call(owner, 'GET', '/v1/complaint-cases/cc_9')).status, 404);
  const proof = { consentedAt: '2026-03-01T10:00:00Z', source: 'https://news.test/signup', relationship: 'newsletter subscriber' };
  for (const [body, why] of [[{ ...proof, consentedAt: 'last week' }, 'not a date'], [{ ...proof, consentedAt: '2999-01-01T00:00:00Z' }, 'future'], [{ source: 'x', relationship: 'y' }, 'no date'], [{ ...proof, relationship: '' }, 'empty relationship']] as const) {
    const bad = await f.call(owner, 'POST', '/v1/complaint-cases/cc_1/consent', body);
    t.same([bad.status, bad.json.error.code], [400, 'MTA_ERR_INVALID_INPUT'], why);
  }
  t.equal((await f.state.getComplaintCase('cc_1'))?.status, 'open', 'bad proofs changed nothing');
  const early = await f.call(desk, 'POST', '/v1/complaint-cases/cc_1/review', { decision: 'accept', note: 'ok' });
  t.same([early.status, early.json.error.code], [409, 'MTA_ERR_STATE_CONFLICT'], 'nothing to review yet');
  const submitted = await f.call(owner, 'POST', '/v1/complaint-cases/cc_1/consent', proof);
  t.same([submitted.status, submitted.json.status, submitted.json.consent.consentedAt], [200, 'consent-submitted', Date.parse(proof.consentedAt)]);
  t.equal((await f.call(owner, 'POST', '/v1/complaint-cases/cc_1/consent', proof)).status, 409, 'only once');
  t.equal((await f.call(owner, 'POST', '/v1/complaint-cases/cc_1/review', { decision: 'accept', note: 'ok' })).status, 403, 'tenants scope cannot review');
  t.equal((await f.call(desk, 'POST', '/v1/complaint-cases/cc_1/review', { decision: 'maybe', note: 'ok' })).status, 400);
  const accepted = await f.call(desk, 'POST', '/v1/complaint-cases/cc_1/review', { decision: 'accept', note: 'double opt-in log attached' });
  t.same([accepted.status, accepted.json.status], [200, 'accepted']);
  t.equal((await f.state.getTenant(tenant.id))?.status, 'active');

  await f.call(owner, 'POST', '/v1/complaint-cases/cc_2/consent', { ...proof, source: 'bought list' });
  const rejected = await f.call(desk, 'POST', '/v1/complaint-cases/cc_2/review', { decision: 'reject', note: 'purchased addresses' });
  t.same([rejected.status, rejected.json.status], [200, 'rejected']);
  t.equal((await f.state.getTenant(tenant.id))?.status, 'suspended', 'a rejected proof suspends the tenant');
  const trail = (await actions(f)).map((a) => [a.actor, a.action, a.target]);
  t.same(trail, [
    ['admin-api:owner', 'complaint.consent', 'cc_1'], ['admin-api:desk', 'complaint.accept', 'cc_1'],
    ['admin-api:owner', 'complaint.consent', 'cc_2'], ['feedback.complaints', 'tenant.suspend', tenant.id], ['admin-api:desk', 'complaint.reject', 'cc_2'],
  ]);
});

t.test('webhook endpoints: set shows the secret once, show never does; bad input and scope checks', async (t) => {
  const f = await startAdminFixture(t);
  const tenant = await f.state.createTenant({ name: 'app' });
  const admin = await f.token(['read', 'tenants'], 'alice');
  const reader = await f.token(['read']);
  t.equal((await f.call(admin, 'GET', '/v1/tenants/app/webhook')).status, 404, 'none yet');
  for (const [body, why] of [[{ url: 'ftp://hooks.test/x' }, 'scheme'], [{ url: 'https://u:p@hooks.test/x' }, 'credentials'], [{ url: 'https://hooks.test/x', batchSize: 0 }, 'batch 0'], [{ url: 'https://hooks.test/x', batchSize: 101 }, 'batch too big'], [{ url: 'not a url at all' }, 'not a URL']] as const) {
    const bad = await f.call(admin, 'PUT', '/v1/tenants/app/webhook', body);
    t.same([bad.status, bad.json.error.code], [400, 'MTA_ERR_INVALID_INPUT'], why);
  }
  t.equal((await f.call(reader, 'PUT', '/v1/tenants/app/webhook', { url: 'https://hooks.test/x' })).status, 403);
  t.notOk(await f.state.getWebhookEndpoint(tenant.id), 'nothing set by refused calls');
  const set = await f.call(admin, 'PUT', '/v1/tenants/app/webhook', { url: 'https://hooks.test/ferry', batchSize: 50 });
  t.same([set.status, set.json.batchSize, set.json.url], [200, 50, 'https://hooks.test/ferry']);
  t.match(set.json.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
  t.equal((await f.state.getWebhookEndpoint(tenant.id))?.secret, set.json.secret, 'the stored signing secret');
  const shown = await f.call(reader, 'GET', '/v1/tenants/app/webhook');
  t.same([shown.status, shown.json.url, 'secret' in shown.json], [200, 'https://hooks.test/ferry', false]);
  const reset = await f.call(admin, 'PUT', '/v1/tenants/app/webhook', { url: 'https://hooks.test/v2' });
  t.not(reset.json.secret, set.json.secret, 'a new secret on every set');
  t.equal(reset.json.batchSize, 1, 'single events by default');
  t.equal((await f.call(admin, 'DELETE', '/v1/tenants/app/webhook')).status, 200);
  t.notOk(await f.state.getWebhookEndpoint(tenant.id));
  t.same((await actions(f)).map((a) => a.action), ['webhook.set', 'webhook.set', 'webhook.remove']);
});
