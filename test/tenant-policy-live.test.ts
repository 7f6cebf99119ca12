/**
 * A tenant's own limits and content policy, changed through the admin API while the relay runs,
 * take effect without a restart (after the node's 1 s tenant cache): a daily quota of 2 refuses
 * that tenant's 3rd message at MAIL FROM with the quota reply (451 4.7.1) while another tenant
 * keeps sending; a content policy in monitor mode lets through a message the gate refused, and
 * clearing it (null) refuses it again. Real relay (SMTP over STARTTLS, embedded state, spool)
 * and the real admin app (inject()) on the same store.
 */
import t, { type Test } from 'tap';
import { buildAdmin } from '../src/admin/app.ts';
import { newAdminToken } from '../src/domain/index.ts';
import { createResolver } from '../src/platform/index.ts';
import { sendOverWire, startRelayFixture, type RelayFixture, type TestTenant } from './support/relay-fixture.ts';

const CASINO = 'Subject: 100 free spins at our online casino\r\n\r\nSign up today: free spins, welcome bonus, roulette and blackjack. Bet now!\r\n';
const CLEAN = 'Subject: Your order has shipped\r\n\r\nYour order 1042 has shipped and arrives Thursday.\r\n';
/** Longer than the per-node tenant cache (policy/senders.ts LOOKUP_TTL_MS, 1 s). */
const CACHE_WAIT_MS = 1_200;


/** The admin API on the relay's own store; `patch` answers the PATCH body as JSON (asserting 200). */
async function adminOn(t: Test, relay: RelayFixture) {
  const app = await buildAdmin({
    config: relay.config, state: relay.state, spool: relay.spool,
    resolver: createResolver({ servers: ['127.0.0.1:9'], timeoutMs: 500, negativeTtlMs: 1000 }),
    queueSnapshot: async () => undefined,
  });
  t.teardown(() => app.close());
  const { token, record } = newAdminToken('ops', ['read', 'tenants']);
  await relay.state.addAdminToken(record);
  return async (tenant: TestTenant, body: unknown) => {
    const response = await app.inject({ method: 'PATCH', url: `/v1/tenants/${tenant.tenant.id}`, headers: { authorization: `Bearer ${token}` }, payload: body as object });
    t.equal(response.statusCode, 200, `PATCH ${JSON.stringify(body)}: ${response.body}`);
    return response.json();
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The tenant's newest Reception record (outcome writes land just after the reply; waits up to 5 s). */
async function receptionOf(relay: RelayFixture, tenant: TestTenant) {
  for (let waited = 0; waited < 5_000; waited += 25) {
    const records = await relay.state.readOutcomes({ types: ['Reception'], tenantId: tenant.tenant.id });
    if (records.length > 0) return records.at(-1);
    await pause(25);
  }
  return undefined;
}

t.test('a daily quota set through the API refuses the 3rd message of that tenant only', async (t) => {
  const relay = await startRelayFixture(t);
  const patch = await adminOn(t, relay);
  const shop = await relay.tenant('shop');
  const news = await relay.tenant('news');
  t.match(await sendOverWire(relay, shop, CLEAN), /^250 /, 'accepted before the change (no quota in config)');

  await patch(shop, { limits: { dailyQuota: 2 } });
  await pause(CACHE_WAIT_MS);
  t.match(await sendOverWire(relay, shop, CLEAN), /^250 /, '1st message after the change');
  t.match(await sendOverWire(relay, shop, CLEAN), /^250 /, '2nd message');
  t.match(await sendOverWire(relay, shop, CLEAN), /^451 4\.7\.1 Daily quota of 2 messages reached/, '3rd message: the quota reply');
  for (let i = 1; i <= 3; i += 1) t.match(await sendOverWire(relay, news, CLEAN), /^250 /, `the other tenant's message ${i}`);

  await patch(shop, { limits: null });
  await pause(CACHE_WAIT_MS);
  t.match(await sendOverWire(relay, shop, CLEAN), /^250 /, 'cleared: config limits (no quota) again');
});

t.test('a content policy in monitor mode set through the API accepts what the gate refused', async (t) => {
  const relay = await startRelayFixture(t);
  const patch = await adminOn(t, relay);
  const shop = await relay.tenant('shop');
  const news = await relay.tenant('news');
  t.match(await sendOverWire(relay, shop, CASINO), /^550 5\.7\.1 Message refused by content policy: forbidden-sector/, 'refused before the change');

  const updated = await patch(shop, { contentPolicy: { mode: 'monitor' } });
  t.same(updated.contentPolicy, { mode: 'monitor' });
  await pause(CACHE_WAIT_MS);
  t.match(await sendOverWire(relay, shop, CASINO), /^250 2\.0\.0 queued as /, 'accepted now (monitor mode)');
  t.match(await receptionOf(relay, shop), { contentGate: { mode: 'monitor' } }, 'recorded under the tenant\'s monitor mode');
  t.match(await sendOverWire(relay, news, CASINO), /^550 5\.7\.1 /, 'another tenant is still refused');

  await patch(shop, { contentPolicy: { checks: { sectors: { threshold: 1000 } } } });
  await pause(CACHE_WAIT_MS);
  t.match(await sendOverWire(relay, shop, CASINO), /^250 /, 'enforce again but with a raised sector threshold: accepted');

  await patch(shop, { contentPolicy: null });
  await pause(CACHE_WAIT_MS);
  t.match(await sendOverWire(relay, shop, CASINO), /^550 5\.7\.1 /, 'cleared: refused again');
});
