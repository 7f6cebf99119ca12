/**
 * The `ferry` CLI's feedback and DKIM verbs as real child processes on the same LMDB env the
 * admin fixture holds open (multi-process LMDB): suppression list|add|remove|export, case
 * list|show|consent|review, webhook set|show|remove, domain rotate|retire — each directly on the
 * store and through a listening admin API (--api URL --token T); usage errors exit 2, refused
 * operations exit 1 with the admin API's error code.
 */
import t from 'tap';
import { listeningAdmin as listening, runFerry as ferry } from './support/admin-fixture.ts';

t.test('suppression list|add|remove|export, direct and through --api', async (t) => {
  const { f, api } = await listening(t);
  const tenant = await f.state.createTenant({ name: 'shop' });
  t.equal((await ferry(f, ['suppression', 'add', 'shop', 'a@x.test', '--note', 'by phone'])).code, 0);
  t.equal((await ferry(f, [...api, 'suppression', 'add', 'shop', 'b@x.test'])).code, 0);
  t.equal((await ferry(f, [...api, 'suppression', 'add', 'global', 'c@y.test'])).code, 0);
  const bad = await ferry(f, [...api, '--json', 'suppression', 'add', 'shop', 'nonsense']);
  t.same([bad.code, JSON.parse(bad.stderr).error.code], [1, 'MTA_ERR_INVALID_INPUT']);
  const page = JSON.parse((await ferry(f, ['--json', 'suppression', 'list', 'shop', '--limit', '1'])).stdout);
  t.same([page.entries.map((e: { address: string }) => e.address), page.nextAfter], [['a@x.test'], 'a@x.test']);
  const next = JSON.parse((await ferry(f, [...api, '--json', 'suppression', 'list', 'shop', '--after', 'a@x.test'])).stdout);
  t.same(next.entries.map((e: { address: string }) => e.address), ['b@x.test']);
  t.equal((await ferry(f, ['suppression', 'remove', 'shop', 'a@x.test'])).code, 2, 'no --note: usage error');
  t.ok(await f.state.findSuppression(tenant.id, 'a@x.test', Date.now()), 'still suppressed');
  t.equal((await ferry(f, [...api, 'suppression', 'remove', 'shop', 'a@x.test', '--note', 'resubscribed'])).code, 0);
  t.equal((await ferry(f, ['suppression', 'remove', 'shop', 'b@x.test', '--note', 'resubscribed'])).code, 0);
  t.same(await f.state.listSuppressions(tenant.id), [], 'both lifted');
  for (const how of [[], api]) {
    const csv = (await ferry(f, [...how, 'suppression', 'export', 'global'])).stdout.trimEnd().split('\r\n');
    t.same([csv.length, csv[1]?.split(',')[0]], [2, 'c@y.test'], `export ${how.length ? 'via api' : 'direct'}`);
  }
});

t.test('case list|show|consent|review and webhook set|show|remove, direct and through --api', async (t) => {
  const { f, api } = await listening(t);
  const tenant = await f.state.createTenant({ name: 'news' });
  for (const id of ['cc_1', 'cc_2']) await f.state.openComplaintCase({ id, tenantId: tenant.id, recipient: 'r@x.test', openedAt: Date.now(), dueAt: Date.now() + 3_600_000, status: 'open' });
  t.same(JSON.parse((await ferry(f, [...api, '--json', 'case', 'list', '--tenant', 'news', '--status', 'open'])).stdout).length, 2);
  t.equal((await ferry(f, ['case', 'list', '--status', 'bogus'])).code, 2);
  const proof = ['--at', '2026-01-02T03:04:05Z', '--source', 'checkout', '--relationship', 'customer'];
  t.equal((await ferry(f, ['case', 'consent', 'cc_1', ...proof])).code, 0);
  t.equal((await ferry(f, [...api, 'case', 'consent', 'cc_2', ...proof])).code, 0);
  const twice = await ferry(f, ['--json', 'case', 'consent', 'cc_2', ...proof]);
  t.same([twice.code, JSON.parse(twice.stderr).error.code], [1, 'MTA_ERR_STATE_CONFLICT']);
  t.equal((await ferry(f, ['case', 'review', 'cc_1', 'maybe', '--note', 'x'])).code, 2);
  t.equal((await ferry(f, ['case', 'review', 'cc_1', 'accept', '--note', 'fine'])).code, 0);
  t.equal((await ferry(f, [...api, 'case', 'review', 'cc_2', 'reject', '--note', 'bought list'])).code, 0);
  t.match((await ferry(f, ['case', 'show', 'cc_2'])).stdout, /cc_2 {2}rejected/);
  t.equal((await f.state.getTenant(tenant.id))?.status, 'suspended');

  const set = JSON.parse((await ferry(f, [...api, '--json', 'webhook', 'set', 'news', 'https://hooks.test/a', '--batch', '10'])).stdout);
  t.equal((await f.state.getWebhookEndpoint(tenant.id))?.secret, set.secret, 'the secret printed is the one stored');
  t.equal((await ferry(f, ['webhook', 'set', 'news', 'https://hooks.test/b', '--batch', 'many'])).code, 2);
  const shown = await ferry(f, ['webhook', 'show', 'news']);
  t.match(shown.stdout, /https:\/\/hooks\.test\/a {2}batch 10/);
  t.notOk(shown.stdout.includes(set.secret), 'show never prints the secret');
  t.equal((await ferry(f, [...api, 'webhook', 'remove', 'news'])).code, 0);
  t.equal((await ferry(f, ['webhook', 'show', 'news'])).code, 1, 'gone: MTA_ERR_NOT_FOUND');
});

t.test('domain rotate|retire, direct and through --api', async (t) => {
  const { f, api } = await listening(t);
  const admin = await f.token(['tenants']);
  await f.call(admin, 'POST', '/v1/tenants', { name: 'shop' });
  await f.call(admin, 'POST', '/v1/tenants/shop/domains', { domain: 'shop.test' });
  const first = JSON.parse((await ferry(f, ['--json', 'domain', 'rotate', 'shop.test'])).stdout);
  t.equal(first.publish.length, 2);
  const second = JSON.parse((await ferry(f, [...api, '--json', 'domain', 'rotate', 'shop.test'])).stdout);
  t.equal(second.domain.rotated.length, 4);
  const signing = (await f.state.getDomain('shop.test'))!.dkimKeys.map((k) => k.selector);
  t.same(second.domain.signing.map((k: { selector: string }) => k.selector), signing);
  const refused = await ferry(f, ['--json', 'domain', 'retire', 'shop.test', signing[0]!]);
  t.same([refused.code, JSON.parse(refused.stderr).error.code], [1, 'MTA_ERR_INVALID_INPUT']);
  const oldest = first.keepPublished.map((r: { name: string }) => r.name.split('.')[0]);
  const partial = JSON.parse((await ferry(f, [...api, '--json', 'domain', 'retire', 'shop.test', ...oldest])).stdout);
  t.equal(partial.unpublish.length, 2);
  t.match((await ferry(f, ['domain', 'retire', 'shop.test'])).stdout, /can be deleted/);
  t.same((await f.state.getDomain('shop.test'))?.rotatedDkimKeys, undefined, 'all rotated keys retired');
});
