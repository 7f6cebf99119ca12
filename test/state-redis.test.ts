/**
 * The Redis StateStore against a real redis-server this test starts (127.0.0.1, ephemeral port):
 * the whole shared contract (each subtest on a fresh key prefix), DKIM keys sealed in Redis,
 * a different master key refused, Redis going away (SIGSTOP: fails within commandTimeout;
 * SIGKILL: fails at once) and the same store working again after a restart on the same port,
 * the Redis round trips of reserve + commit counted with MONITOR, openStateStore picking the
 * backend from config (no local database needed), and a connection found through a real Sentinel.
 */
import t, { type Test } from 'tap';
import { Redis } from 'ioredis';
import { isFerryError } from '../src/domain/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { openStateStore, RedisStateStore, SecretBox, type RedisStateSettings } from '../src/state/index.ts';
import { runStateStoreContract } from '../src/state/contract.ts';
import { startRedisServer, startSentinel } from './support/redis-server.ts';

const server = await startRedisServer();
t.teardown(() => server.stop());

const KEY_A = Buffer.alloc(32, 7);
const KEY_B = Buffer.alloc(32, 9);
let counter = 0;
function settings(overrides: Partial<RedisStateSettings> = {}): RedisStateSettings {
  return { url: server.url, keyPrefix: `t${counter++}:`, commandTimeoutMs: 500, ...overrides };
}

runStateStoreContract(t, () => RedisStateStore.open(settings(), new SecretBox(KEY_A)));

const PEM = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFakeKeyMaterial\n-----END PRIVATE KEY-----\n';

t.test('DKIM private keys are sealed in Redis; another master key is refused', async (t) => {
  const shared = settings();
  const store = await RedisStateStore.open(shared, new SecretBox(KEY_A));
  t.teardown(() => store.close());
  const tenant = await store.createTenant({ name: 'acme' });
  const key = { selector: 's1', algorithm: 'ed25519-sha256' as const, privateKeyPem: PEM, publicKeyDns: 'p', createdAt: 1 };
  await store.addDomain({ domain: 'acme.test', tenantId: tenant.id, createdAt: 1, dkimKeys: [key] });
  const raw = await store.client.hget(`${shared.keyPrefix}{catalog}:domain:acme.test`, 'record');
  t.ok(raw && raw.includes('sealedPrivateKey'), 'raw record present');
  t.notOk(raw?.includes('BEGIN PRIVATE KEY') || raw?.includes('FakeKeyMaterial'), 'no key material in Redis');
  await t.rejects(RedisStateStore.open(shared, new SecretBox(KEY_B)), { code: 'MTA_ERR_SECRET_KEY', message: /master key differs/ });
});

t.test('no Redis at start: MTA_ERR_STATE_UNAVAILABLE, quickly', async (t) => {
  const started = Date.now();
  await t.rejects(RedisStateStore.open(settings({ url: 'redis://127.0.0.1:1' }), new SecretBox(KEY_A)), { code: 'MTA_ERR_STATE_UNAVAILABLE' });
  t.ok(Date.now() - started < 3000, `failed in ${Date.now() - started} ms`);
});

async function expectUnavailableWithin(t: Test, call: () => Promise<unknown>, withinMs: number, what: string): Promise<void> {
  const started = Date.now();
  try {
    await call();
    t.fail(`${what}: expected MTA_ERR_STATE_UNAVAILABLE`);
  } catch (error) {
    const took = Date.now() - started;
    t.ok(isFerryError(error, 'MTA_ERR_STATE_UNAVAILABLE'), `${what}: MTA_ERR_STATE_UNAVAILABLE (${(error as Error).message})`);
    t.ok(took <= withinMs, `${what}: failed after ${took} ms (≤ ${withinMs})`);
  }
}

async function eventually(body: () => Promise<void>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      await body();
      return Date.now() - started;
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

t.test('Redis goes away: calls fail fast; the same store works again after a restart', async (t) => {
  const store = await RedisStateStore.open(settings({ commandTimeoutMs: 300 }), new SecretBox(KEY_A));
  t.teardown(() => store.close());
  await store.addCredits('tn_down', 10, 'top-up', 'p');

  server.pause();
  try {
    await expectUnavailableWithin(t, () => store.reserveCredits('tn_down', 'm1', 1, 60_000), 1000, 'paused (no answer)');
  } finally {
    server.resume();
  }
  const afterPause = await eventually(async () => void (await store.getCredits('tn_down')), 5000);
  t.pass(`answering again ${afterPause} ms after resume`);

  await server.kill();
  await expectUnavailableWithin(t, () => store.getCredits('tn_down'), 400, 'killed');
  await expectUnavailableWithin(t, () => store.createTenant({ name: 'x' }), 400, 'killed, still down');
  await server.restart();
  const recovered = await eventually(async () => void (await store.addCredits('tn_down', 5, 'top-up', 'after-restart')), 5000);
  t.pass(`recovered by itself ${recovered} ms after the restart`);
  t.same(await store.getCredits('tn_down'), { balance: 5, reserved: 0 }, 'the restarted Redis is empty (no persistence): only the new top-up');
  t.equal((await store.reserveCredits('tn_down', 'm2', 5, 60_000)).ok, true, 'scripts reloaded after the restart');
});

t.test('round trips: reserve + commit is 2 Redis commands per message', async (t) => {
  const store = await RedisStateStore.open(settings(), new SecretBox(KEY_A));
  const observer = new Redis(server.url);
  const monitor = await observer.monitor();
  t.teardown(async () => {
    monitor.disconnect();
    observer.disconnect();
    await store.close();
  });
  const seen: string[] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (!source.includes('lua')) seen.push(String(args[0]).toLowerCase());
  });
  // Warm-up loads the scripts (EVALSHA → NOSCRIPT → EVAL once per script after a restart).
  await store.addCredits('tn_rt', 100, 'top-up', 'p');
  await store.reserveCredits('tn_rt', 'warm', 1, 60_000);
  await store.commitReservation('tn_rt', 'warm');
  await new Promise((resolve) => setTimeout(resolve, 200));
  seen.length = 0;
  const messages = 20;
  for (let i = 0; i < messages; i += 1) {
    await store.reserveCredits('tn_rt', `m${i}`, 1, 60_000);
    await store.commitReservation('tn_rt', `m${i}`);
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.comment(`client commands for ${messages} messages: ${seen.length} (${seen.length / messages} per message): ${[...new Set(seen)].join(', ')}`);
  t.equal(seen.length / messages, 2, 'one EVALSHA to reserve, one to commit');
  t.ok(seen.every((c) => c === 'evalsha'), 'only scripts on the hot path');
});

t.test('openStateStore: state.backend redis, no local database', async (t) => {
  const config = loadConfig({
    env: { FERRY_DATA_DIR: '/nonexistent/ferry', FERRY_SECRETS_MASTER_KEY: KEY_A.toString('hex') },
    overrides: { state: { backend: 'redis', redis: { url: server.url, keyPrefix: `cfg${counter++}:`, commandTimeout: '500ms' } } },
  });
  const store = await openStateStore(config, undefined);
  t.teardown(() => store.close());
  t.equal(store.backend, 'redis');
  const tenant = await store.createTenant({ name: 'from-config' });
  t.equal((await store.getTenant('from-config'))?.id, tenant.id);
});

t.test('Sentinel: the store finds the master through a real sentinel', async (t) => {
  const sentinel = await startSentinel(server);
  t.teardown(() => sentinel.stop());
  const viaSentinel = settings({ url: 'redis://unused:1', sentinels: [{ host: sentinel.host, port: sentinel.port }], name: sentinel.masterName });
  const store = await RedisStateStore.open(viaSentinel, new SecretBox(KEY_A));
  const direct = new Redis(server.url);
  t.teardown(async () => {
    direct.disconnect();
    await store.close();
  });
  await store.addCredits('tn_sentinel', 3, 'top-up', 'p');
  t.same(await store.getCredits('tn_sentinel'), { balance: 3, reserved: 0 });
  t.equal(await direct.hget(`${viaSentinel.keyPrefix}{tn_sentinel}:credits`, 'balance'), '3', 'written to the master the sentinel named');
});
