/**
 * `ferry ip …` and `ferry pool …` as real child processes, directly on the LMDB env the admin
 * fixture holds open and through its listening admin API (--api URL --token T): both paths
 * change the same inventory and print the same --json document and the same human text; usage
 * errors exit 2 before any call; refusals exit 1 with the same error code both ways.
 */
import t, { type Test } from 'tap';
import { runFerry as ferry, startAdminFixture, type AdminFixture } from './support/admin-fixture.ts';

const A = '192.0.2.10';
const B = '192.0.2.11';
const C = '2001:db8::25';

async function listening(t: Test): Promise<{ f: AdminFixture; api: string[] }> {
  const f = await startAdminFixture(t);
  await f.app.listen({ host: '127.0.0.1', port: 0 });
  const address = f.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { f, api: ['--api', `http://127.0.0.1:${port}`, '--token', await f.token(['read', 'ips', 'abuse'], 'noc')] };
}

/** The --json document of one command, asserting exit 0. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed CLI output, asserted field by field
async function json(t: Test, f: AdminFixture, args: readonly string[]): Promise<any> {
  const run = await ferry(f, ['--json', ...args]);
  t.equal(run.code, 0, `${args.filter((a) => !a.startsWith('fadm_')).join(' ')} exits 0 ${run.stderr}`);
  return JSON.parse(run.stdout);
}

async function addThree(t: Test, f: AdminFixture): Promise<void> {
  for (const [address, helo] of [[A, 'out1.ferry.test'], [B, 'out2.ferry.test'], [C, 'out6.ferry.test']] as const) await json(t, f, ['ip', 'add', address, '--helo', helo]);
}

/** Same --json and same human text directly and through the API. */
async function same(t: Test, f: AdminFixture, api: readonly string[], args: readonly string[]): Promise<void> {
  t.same(await json(t, f, [...api, ...args]), await json(t, f, args), `${args.join(' ')}: same JSON`);
  t.equal((await ferry(f, [...api, ...args])).stdout, (await ferry(f, args)).stdout, `${args.join(' ')}: same text`);
}

t.test('ip add|list|show|lease|auto-renew|renew|warmup|end-lease both ways', async (t) => {
  const { f, api } = await listening(t);
  const shop = await f.state.createTenant({ name: 'shop', contactEmail: 'noc@shop.test' });
  t.match(await json(t, f, [...api, 'ip', 'add', A, '--helo', 'out1.ferry.test']), { address: A, state: 'available' });
  t.match((await ferry(f, ['ip', 'add', C, '--helo', 'out6.ferry.test'])).stdout, /^2001:db8::25 {2}available {2}helo=out6\.ferry\.test/);
  await same(t, f, api, ['ip', 'list']);
  t.match((await ferry(f, ['ip', 'list'])).stdout, /192\.0\.2\.10\s+out1\.ferry\.test\s+available\s+-/);

  const leased = await json(t, f, [...api, 'ip', 'lease', A, 'shop', '--term', '30d', '--no-auto-renew', '--warmup', 'fast']);
  t.match(leased, { state: 'warming', lease: { tenantId: shop.id, autoRenew: false, termMs: 30 * 86_400_000 }, warmup: { schedule: 'fast' } });
  t.match(await json(t, f, ['ip', 'lease', C, 'shop']), { state: 'leased', lease: { autoRenew: true, termMs: 365 * 86_400_000 } }, 'term from config');
  await same(t, f, api, ['ip', 'show', A]);
  t.match((await ferry(f, ['ip', 'show', A])).stdout, /warm-up: fast since \S+, day 0, cap 500 per site today/);

  t.match(await json(t, f, ['ip', 'auto-renew', A, 'on']), { lease: { autoRenew: true } });
  t.match(await json(t, f, [...api, 'ip', 'auto-renew', A, 'off']), { lease: { autoRenew: false } });
  t.match(await json(t, f, [...api, 'ip', 'renew', A]), { lease: { renewals: 1 } });
  t.match(await json(t, f, ['ip', 'renew', A]), { lease: { renewals: 2 } });
  t.match(await json(t, f, ['ip', 'warmup', C, 'default']), { state: 'warming', warmup: { schedule: 'default' } });
  t.ok((await json(t, f, [...api, 'ip', 'end-lease', C, '--reason', 'moved out'])).lease.endedAt, 'lease ended');

  for (const args of [[...api, 'ip', 'lease', A, 'shop'], ['ip', 'lease', A, 'shop']]) {
    const twice = await ferry(f, ['--json', ...args]);
    t.same([twice.code, JSON.parse(twice.stderr).error.code], [1, 'MTA_ERR_IP_STATE'], 'lease a leased IP');
  }
  for (const args of [[...api, 'ip', 'show', B], ['ip', 'show', B]]) {
    const missing = await ferry(f, ['--json', ...args]);
    t.same([missing.code, JSON.parse(missing.stderr).error.code], [1, 'MTA_ERR_NOT_FOUND']);
  }
  for (const args of [['ip', 'add', B], ['ip', 'auto-renew', A, 'maybe'], ['ip', 'end-lease', A], ['ip', 'lease', A]]) {
    t.equal((await ferry(f, [...api, ...args])).code, 2, `${args.join(' ')}: usage error`);
  }
  t.match((await f.state.readOutcomes({ types: ['AdminAction'] })).map((r) => (r as { actor: string }).actor), ['admin-api:noc', 'cli']);
});

t.test('quarantine, release, retire, revoke both ways', async (t) => {
  const { f, api } = await listening(t);
  await f.state.createTenant({ name: 'shop', contactEmail: 'noc@shop.test' });
  await addThree(t, f);
  t.match(await json(t, f, [...api, 'ip', 'quarantine', A, '--reason', 'spam run']), { state: 'quarantined', stateReason: 'spam run' });
  t.match(await json(t, f, ['ip', 'release', A, '--note', 'cleaned']), { state: 'available' });
  t.match(await json(t, f, ['ip', 'quarantine', A, '--reason', 'again']), { state: 'quarantined' });
  t.match(await json(t, f, [...api, 'ip', 'release', A, '--note', 'ok now']), { state: 'available' });
  t.equal((await ferry(f, ['ip', 'release', A])).code, 2, 'release needs --note');

  await json(t, f, ['ip', 'lease', A, 'shop']);
  const noticed = await json(t, f, [...api, 'ip', 'revoke', A, '--reason', 'phishing', '--notice', '24h']);
  t.match(noticed, { warning: 'pending', warningMessageId: String, ip: { state: 'leased', revocation: { reason: 'phishing' } } });
  t.same((await f.spool.getMessage(noticed.warningMessageId))?.envelope.rcptTo, ['noc@shop.test'], 'warning spooled');
  const direct = await json(t, f, ['ip', 'revoke', B, '--reason', 'compromised', '--notice', '0s']);
  t.match(direct, { warning: 'none', ip: { state: 'quarantined', stateReason: 'revoked: compromised' } });
  t.match((await ferry(f, [...api, 'ip', 'revoke', C, '--reason', 'gone', '--notice', '0s'])).stdout, /quarantined \(revoked: gone\)[\s\S]*\(done\)\nwarning: none\n$/);

  t.match(await json(t, f, [...api, 'ip', 'retire', B, '--reason', 'range returned']), { state: 'retired' });
  for (const args of [[...api, 'ip', 'revoke', B, '--reason', 'x'], ['ip', 'revoke', B, '--reason', 'x']]) {
    const refused = await ferry(f, ['--json', ...args]);
    t.same([refused.code, JSON.parse(refused.stderr).error.code], [1, 'MTA_ERR_IP_STATE'], 'revoke a retired IP');
  }
  await same(t, f, api, ['ip', 'list']);
});

t.test('pool set|list|delete both ways', async (t) => {
  const { f, api } = await listening(t);
  const shop = await f.state.createTenant({ name: 'shop' });
  await addThree(t, f);
  t.match(await json(t, f, [...api, 'pool', 'set', 'shared', '--member', A, '--member', `${B}:3`]), { name: 'shared', kind: 'shared', members: [{ address: A, weight: 1 }, { address: B, weight: 3 }] });
  const own = await json(t, f, ['pool', 'set', 'shop-own', '--tenant', 'shop', '--member', `[${C}]:2`]);
  t.match(own, { kind: 'tenant', tenantId: shop.id, members: [{ address: C, weight: 2 }] });
  await same(t, f, api, ['pool', 'list']);
  t.match((await ferry(f, ['pool', 'list'])).stdout, /shop-own\s+tenant\s+tn_\S+\s+\[2001:db8::25\]:2/);

  for (const args of [[...api, 'pool', 'set', 'x', '--member', '192.0.2.99'], ['pool', 'set', 'x', '--member', '192.0.2.99']]) {
    const refused = await ferry(f, ['--json', ...args]);
    t.same([refused.code, JSON.parse(refused.stderr).error.code], [1, 'MTA_ERR_INVALID_INPUT'], 'member not in the inventory');
  }
  t.equal((await ferry(f, ['pool', 'set', 'x'])).code, 2, 'no --member');
  t.equal((await ferry(f, ['pool', 'set', 'x', '--member', 'a:b:c'])).code, 2, 'bad member');
  const shared = await ferry(f, [...api, '--json', 'pool', 'delete', 'shared']);
  t.same([shared.code, JSON.parse(shared.stderr).error.code], [1, 'MTA_ERR_INVALID_INPUT']);
  t.same(await json(t, f, [...api, 'pool', 'delete', 'shop-own']), { deleted: 'shop-own' });
  t.equal((await ferry(f, ['pool', 'delete', 'shop-own'])).code, 1, 'already gone');
  t.same((await f.state.listPools()).map((p) => p.name), ['shared']);
});
