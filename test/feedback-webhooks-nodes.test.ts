/**
 * Two nodes' webhook dispatchers on one Redis state (each its own connection, as two relays have):
 * one tenant's outbox of 20 events, a slow endpoint (100 ms per request), both dispatchers
 * passing at the same time, repeatedly: every event arrives exactly once and in seq order, because
 * a tenant's outbox is served by one node at a time (state-store lease).
 */
import t from 'tap';
import { createWebhookDispatcher } from '../src/feedback/webhooks/index.ts';
import { RedisStateStore, SecretBox, type WebhookEvent } from '../src/state/index.ts';
import { startHttpReceiver } from './support/http-receiver.ts';
import { startRedisServer } from './support/redis-server.ts';

const EVENTS = 20;

t.test('two nodes never post one tenant\'s events twice or out of order', async (t) => {
  const redis = await startRedisServer();
  t.teardown(() => redis.stop());
  const settings = { url: redis.url, keyPrefix: 'wh:', commandTimeoutMs: 1000 };
  const [a, b] = [await RedisStateStore.open(settings, new SecretBox(Buffer.alloc(32, 1))), await RedisStateStore.open(settings, new SecretBox(Buffer.alloc(32, 1)))];
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  const receiver = await startHttpReceiver('/hook', 100);
  t.teardown(() => receiver.stop());
  const tenant = await a.createTenant({ name: 'acme' });
  await a.setWebhookEndpoint(tenant.id, { tenantId: tenant.id, url: receiver.url, secret: 'whsec_x', batchSize: 1, createdAt: Date.now() });
  const events: WebhookEvent[] = Array.from({ length: EVENTS }, (_, i) => ({
    id: `evt_${i + 1}`, tenantId: tenant.id, seq: i + 1, type: 'delivered', createdAt: Date.now(), messageId: `m${i + 1}`, data: { n: i + 1 },
  }));
  await a.enqueueWebhookEvents(events);

  const timing = { timeoutMs: 5000, retryForMs: 3_600_000, firstRetryMs: 1000, maxRetryMs: 60_000 };
  const nodeA = createWebhookDispatcher(a, { ...timing, holder: 'node-a' });
  const nodeB = createWebhookDispatcher(b, { ...timing, holder: 'node-b' });
  t.teardown(async () => {
    await nodeA.stop();
    await nodeB.stop();
  });
  for (let round = 0; round < 10 && receiver.requests.length < EVENTS; round++) await Promise.all([nodeA.runOnce(), nodeB.runOnce()]);

  const ids = receiver.requests.map((r) => (JSON.parse(r.body) as WebhookEvent).id);
  t.equal(ids.length, EVENTS, 'each event posted once');
  t.same(ids, events.map((e) => e.id), 'in seq order');
  t.ok(nodeA.stats.delivered > 0 || nodeB.stats.delivered > 0);
  t.equal(nodeA.stats.delivered + nodeB.stats.delivered, EVENTS, 'the two nodes together delivered each event once');
  t.same(await a.peekWebhookEvents(tenant.id, 100), [], 'outbox empty');
});
