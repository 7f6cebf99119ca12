/**
 * The `ferry` CLI's core verbs as real child processes, directly on the LMDB env the admin
 * fixture holds open and through its listening admin API (--api URL --token T): tenant
 * add|list|show|suspend|resume|relay-networks, key add|list|revoke, domain add|list, credits
 * add|show, tenant refill. Both paths must print the same --json document; API refusals exit 1
 * with the admin API's error code.
 */
import t, { type Test } from 'tap';
import { listeningAdmin as listening, runFerry as ferry, type AdminFixture } from './support/admin-fixture.ts';

/** The --json document of one command, asserting exit 0 (the token is left out of the message). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed CLI output, asserted field by field
async function json(t: Test, f: AdminFixture, args: readonly string[]): Promise<any> {
  const run = await ferry(f, ['--json', ...args]);
  t.equal(run.code, 0, `${args.filter((a) => !a.startsWith('fadm_')).join(' ')} exits 0 ${run.stderr}`);
  return JSON.parse(run.stdout);
}

t.test('tenant add|list|show|suspend|resume|relay-networks through --api match the direct path', async (t) => {
  const { f, api } = await listening(t);
  const added = await ferry(f, [...api, 'tenant', 'add', 'shop']);
  t.match(added.stdout, /^tn_\S+\n$/, 'prints the new id');
  t.equal((await f.state.listTenants()).find((x) => x.name === 'shop')?.id, added.stdout.trim(), 'created in the store');
  t.equal((await ferry(f, ['tenant', 'add', 'news'])).code, 0);
  t.same(await json(t, f, [...api, 'tenant', 'list']), await json(t, f, ['tenant', 'list']));
  t.equal((await ferry(f, [...api, 'tenant', 'list'])).stdout, (await ferry(f, ['tenant', 'list'])).stdout, 'same human table');

  const suspended = await json(t, f, [...api, 'tenant', 'suspend', 'shop', '--reason', 'abuse report']);
  t.match(suspended, { name: 'shop', status: 'suspended', statusReason: 'abuse report' });
  t.equal((await f.state.getTenant(suspended.id))?.status, 'suspended');
  t.equal((await ferry(f, [...api, 'tenant', 'suspend', 'shop'])).code, 2, 'no --reason: usage error before any call');
  t.match((await ferry(f, [...api, 'tenant', 'resume', 'shop'])).stdout, /shop {2}active/);
  t.equal((await f.state.getTenant(suspended.id))?.status, 'active');

  t.match((await ferry(f, [...api, 'tenant', 'relay-networks', 'shop', '10.1.0.0/16', '192.0.2.7'])).stdout, /relay-networks=10\.1\.0\.0\/16,192\.0\.2\.7/);
  t.same((await f.state.getTenant(suspended.id))?.relayNetworks.length, 2);
  t.equal((await json(t, f, [...api, 'tenant', 'relay-networks', 'shop', '--clear'])).relayNetworks.length, 0);
  t.same(await json(t, f, [...api, 'tenant', 'show', 'shop']), await json(t, f, ['tenant', 'show', 'shop']));

  const missing = await ferry(f, [...api, '--json', 'tenant', 'show', 'nobody']);
  t.same([missing.code, JSON.parse(missing.stderr).error.code], [1, 'MTA_ERR_NOT_FOUND']);
  const human = await ferry(f, [...api, 'tenant', 'suspend', 'nobody', '--reason', 'x']);
  t.same([human.code, /^ferry: MTA_ERR_NOT_FOUND: /.test(human.stderr)], [1, true], human.stderr);
});

t.test('key add|list|revoke and domain add|list through --api match the direct path', async (t) => {
  const { f, api, url } = await listening(t);
  await f.state.createTenant({ name: 'shop' });
  const issued = await json(t, f, [...api, 'key', 'add', 'shop']);
  t.match(issued, { id: String, key: String, createdAt: /^\d{4}-/, revokedAt: null });
  t.equal((await ferry(f, ['key', 'add', 'shop'])).code, 0);
  const listed = await json(t, f, [...api, 'key', 'list', 'shop']);
  t.same(listed, await json(t, f, ['key', 'list', 'shop']));
  t.equal(listed.length, 2);
  t.notOk(JSON.stringify(listed).includes(issued.key), 'list never shows the key');
  const revoked = await json(t, f, [...api, 'key', 'revoke', issued.id]);
  t.match(revoked, { id: issued.id, revokedAt: /^\d{4}-/ });
  t.same((await json(t, f, ['key', 'list', 'shop'])).find((k: { id: string }) => k.id === issued.id), revoked, 'direct list sees the revocation');

  const domain = await json(t, f, [...api, 'domain', 'add', 'shop', 'shop.test']);
  t.match(domain.domain, { domain: 'shop.test', createdAt: /^\d{4}-/ });
  t.ok(domain.dnsRecords.length >= 3, 'DNS records to publish');
  t.notOk(JSON.stringify(domain).includes('PRIVATE'), 'no private key');
  t.equal((await ferry(f, ['domain', 'add', 'shop', 'other.test'])).code, 0);
  const domains = await json(t, f, [...api, 'domain', 'list', 'shop']);
  t.same(domains, await json(t, f, ['domain', 'list', 'shop']));
  t.same(domains.map((d: { domain: string }) => d.domain).sort(), ['other.test', 'shop.test']);
  const unsigned = await json(t, f, [...api, 'domain', 'add', 'shop', 'unsigned.test', '--no-dkim']);
  t.same(unsigned.domain.dkimKeys, [], '--no-dkim through the API: no keys');
  t.notOk(unsigned.dnsRecords.some((r: { purpose: string }) => r.purpose === 'dkim'), 'and no DKIM record to publish');
  const twice = await ferry(f, [...api, '--json', 'domain', 'add', 'shop', 'shop.test']);
  t.same([twice.code, JSON.parse(twice.stderr).error.code], [1, 'MTA_ERR_STATE_CONFLICT']);

  const reader = await f.token(['read'], 'viewer');
  const refused = await ferry(f, ['--api', url, '--token', reader, '--json', 'key', 'add', 'shop']);
  t.same([refused.code, JSON.parse(refused.stderr).error.code], [1, 'MTA_ERR_FORBIDDEN'], 'a read-only token cannot issue keys');
  t.equal((await ferry(f, ['--api', url, 'key', 'list', 'shop'])).code, 2, '--api without a token: usage error');
});

t.test('credits add|show and tenant refill through --api match the direct path', async (t) => {
  const { f, api } = await listening(t);
  const tenant = await f.state.createTenant({ name: 'shop' });
  const first = await json(t, f, [...api, 'credits', 'add', 'shop', '50', '--ref', 'pay-1']);
  t.match(first, { tenantId: tenant.id, applied: true, balance: 50, entry: { kind: 'top-up', amount: 50, ref: 'pay-1' } });
  t.match((await ferry(f, [...api, 'credits', 'add', 'shop', '50', '--ref', 'pay-1'])).stdout, /already applied; balance 50/);
  t.equal((await ferry(f, ['credits', 'add', 'shop', '25'])).code, 0);
  t.equal((await ferry(f, [...api, 'credits', 'add', 'shop', '-3'])).code, 2, 'negative: usage error');

  const refill = await json(t, f, [...api, 'tenant', 'refill', 'shop', '--disable', '--threshold', '5', '--amount', '100']);
  t.same(refill, { tenantId: tenant.id, refill: { enabled: false, threshold: 5, amount: 100, paused: false } });
  t.match(await f.state.getRefillSettings(tenant.id), { enabled: false, threshold: 5, amount: 100 });
  t.equal((await ferry(f, [...api, 'tenant', 'refill', 'shop', '--enable'])).code, 1, 'no billing.url: refused');

  for (const lines of ['1', '10']) {
    const viaApi = await json(t, f, [...api, 'credits', 'show', 'shop', '--lines', lines]);
    t.same(viaApi, await json(t, f, ['credits', 'show', 'shop', '--lines', lines]), `show --lines ${lines}`);
    t.equal(viaApi.ledger.length, Math.min(Number(lines), 2));
  }
  t.match(await json(t, f, [...api, 'credits', 'show', 'shop', '--lines', '0']), { balance: 75, available: 75, ledger: [] });
  const human = await ferry(f, [...api, 'credits', 'show', 'shop']);
  t.equal(human.stdout, (await ferry(f, ['credits', 'show', 'shop'])).stdout, 'same human text');
  t.match(human.stdout, /balance 75 {2}reserved 0 {2}available 75\nauto-refill: off, below 5 buy 100/);
});
