/**
 * `ferry tenant update` as a real child process, directly on the LMDB env the admin fixture
 * holds open and through its listening admin API (--api URL --token T): pool, contact email, IP
 * fallback, the tenant's own limits (values given are merged with the current ones;
 * --clear-limits) and its content policy from a YAML or JSON file (--clear-content-policy).
 * Both paths validate alike (bad file → exit 1 MTA_ERR_INVALID_INPUT, nothing changed), print the
 * same `tenant show`, and write AdminAction records naming `cli` / the token's holder.
 */
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { listeningAdmin as listening, runFerry as ferry, type AdminFixture } from './support/admin-fixture.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed CLI output, asserted field by field
async function json(t: Test, f: AdminFixture, args: readonly string[]): Promise<any> {
  const run = await ferry(f, ['--json', ...args]);
  t.equal(run.code, 0, `${args.filter((a) => !a.startsWith('fadm_')).join(' ')} exits 0 ${run.stderr}`);
  return JSON.parse(run.stdout);
}

t.test('tenant update: settings, limits and content policy, directly and through --api', async (t) => {
  const { f, api } = await listening(t);
  const shop = await f.state.createTenant({ name: 'shop' });
  const dir = t.testdir({
    'policy.yaml': 'mode: monitor\nchecks:\n  sectors:\n    threshold: 25\nallow:\n  senders: [news@shop.test]\n',
    'policy.json': JSON.stringify({ checks: { attachments: { enabled: false } } }),
  });

  const direct = await json(t, f, ['tenant', 'update', 'shop', '--daily-quota', '5', '--rate', '2', '--pool', 'bulk', '--ip-fallback', 'wait']);
  t.match(direct, { id: shop.id, pool: 'bulk', ipFallback: 'wait', limits: { messagesPerSecond: 2, dailyQuota: 5 } });
  const viaApi = await json(t, f, [...api, 'tenant', 'update', 'shop', '--burst', '7', '--content-policy', join(dir, 'policy.yaml'), '--contact-email', 'noc@shop.test']);
  t.same(viaApi.limits, { messagesPerSecond: 2, dailyQuota: 5, burst: 7 }, 'given limits merged with the current ones');
  t.same(viaApi.contentPolicy, { mode: 'monitor', checks: { sectors: { threshold: 25 } }, allow: { senders: ['news@shop.test'] } }, 'YAML file');
  t.equal(viaApi.contactEmail, 'noc@shop.test');
  t.same((await f.state.getTenant(shop.id))?.contentPolicy, viaApi.contentPolicy, 'stored');

  t.same(await json(t, f, [...api, 'tenant', 'show', 'shop']), await json(t, f, ['tenant', 'show', 'shop']), 'show: same JSON both ways');
  const human = await ferry(f, ['tenant', 'show', 'shop']);
  t.equal((await ferry(f, [...api, 'tenant', 'show', 'shop'])).stdout, human.stdout, 'show: same text both ways');
  t.match(human.stdout, /limits: rate=2\/s burst=7 daily-quota=5 \(others from config\)/);
  t.match(human.stdout, /content policy: \{"mode":"monitor"/);

  const json2 = await json(t, f, ['tenant', 'update', 'shop', '--content-policy', join(dir, 'policy.json'), '--clear-limits']);
  t.same([json2.contentPolicy, 'limits' in json2], [{ checks: { attachments: { enabled: false } } }, false], 'JSON file replaces the policy; limits cleared');
  const text = await ferry(f, [...api, 'tenant', 'update', 'shop', '--clear-content-policy']);
  t.equal(text.code, 0, text.stderr);
  t.match(text.stdout, new RegExp(`^${shop.id}  shop  active  pool=bulk\\nlimits: from config\\ncontent policy: from config\\n$`), 'human output');
  const stored = await f.state.getTenant(shop.id);
  t.notOk(stored && ('limits' in stored || 'contentPolicy' in stored), 'both cleared in the store');

  const actions = (await f.state.readOutcomes({ types: ['AdminAction'] })).filter((r) => r.type === 'AdminAction' && r.action === 'tenant.update');
  t.same(actions.map((r) => r.type === 'AdminAction' && r.actor), ['cli', 'admin-api:ops', 'cli', 'admin-api:ops'], 'one record per update, naming the actor');
});

t.test('tenant update: bad input is refused alike both ways and changes nothing', async (t) => {
  const { f, api } = await listening(t);
  const shop = await f.state.createTenant({ name: 'shop' });
  const dir = t.testdir({ 'bad.yaml': 'mode: monitor\nchecks:\n  sectors:\n    weight: 3\n', 'list.yaml': '- mode: monitor\n' });
  for (const path of [[], api]) {
    const bad = await ferry(f, [...path, '--json', 'tenant', 'update', 'shop', '--content-policy', join(dir, 'bad.yaml')]);
    t.same([bad.code, JSON.parse(bad.stderr || '{}').error?.code], [1, 'MTA_ERR_INVALID_INPUT'], `unknown policy key ${path.length ? 'via api' : 'direct'}`);
    const quota = await ferry(f, [...path, '--json', 'tenant', 'update', 'shop', '--daily-quota=-1']);
    t.same([quota.code, JSON.parse(quota.stderr || '{}').error?.code], [1, 'MTA_ERR_INVALID_INPUT'], `negative quota ${path.length ? 'via api' : 'direct'}`);
  }
  const list = await ferry(f, ['--json', 'tenant', 'update', 'shop', '--content-policy', join(dir, 'list.yaml')]);
  t.same([list.code, JSON.parse(list.stderr || '{}').error?.code], [1, 'MTA_ERR_INVALID_INPUT'], 'a list is not one entry');
  for (const [args, why] of [[[], 'nothing to change'], [['--rate', 'fast'], 'not a number'], [['--rate', '1', '--clear-limits'], 'values and clear'], [['--content-policy', 'x.yaml', '--clear-content-policy'], 'file and clear']] as const) {
    t.equal((await ferry(f, [...api, 'tenant', 'update', 'shop', ...args])).code, 2, `usage error: ${why}`);
  }
  const missing = await ferry(f, [...api, '--json', 'tenant', 'update', 'nobody', '--daily-quota', '1']);
  t.same([missing.code, JSON.parse(missing.stderr || '{}').error?.code], [1, 'MTA_ERR_NOT_FOUND']);
  t.same(await f.state.getTenant(shop.id), shop, 'the tenant is unchanged');
  t.equal((await f.state.readOutcomes({ types: ['AdminAction'] })).filter((r) => r.type === 'AdminAction' && r.action === 'tenant.update').length, 0, 'no AdminAction');
});
