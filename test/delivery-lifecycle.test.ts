/**
 * The engine's lifecycle and its watch over waiting mail, against real receivers on 127.0.25.x:
 * graceful stop() cuts a hung send and leaves every unfinished delivery active in the spool (no
 * record, no attempt counted), and the next start's recover delivers them; a connect failing
 * after stop settles nothing; the watchdog expires
 * deliveries waiting in a ready queue past expiresAt (Expiration, never sent); queues() reports
 * depth and the oldest waiting message's age by the injected clock.
 */
import t from 'tap';
import { createRouter, startDelivery } from '../src/delivery/index.ts';
import { createLogger, createResolver } from '../src/platform/index.ts';
import { startStallingSmtp } from './support/stalling-smtp.ts';
import { startHarness, ONE_CONNECTION, LONG_TIMEOUTS, until } from './support/delivery-harness.ts';

/** Records of delivery attempts (the egress stage's IpEvent records of the start-up are not about messages). */
const ATTEMPT_RECORDS = ['Delivery', 'TransientFailure', 'Bounce', 'Expiration'] as const;

const egress = { ips: [{ address: '127.0.25.10', helo: 'out.ferry.test' }], pools: { shared: ['127.0.25.10'] } };

t.test('stop() cuts a hung send, leaves unfinished deliveries active; the next start recovers and delivers them', async (t) => {
  const stall = await startStallingSmtp({ host: '127.0.25.2', stallAt: 'data-end' });
  t.teardown(() => stall.stop());
  const h = await startHarness(t, { config: { egress, delivery: { routes: { '*': `${stall.host}:${stall.port}` }, limits: ONE_CONNECTION, timeouts: LONG_TIMEOUTS } } });
  const tenant = await h.tenant('acme');
  const sent = [];
  for (let i = 0; i < 4; i++) sent.push(await h.send(tenant, 'a@acme.test', [`r${i}@dest.test`]));
  await until(() => stall.messagesReceived === 1, 5000, 'first message hangs at the end of DATA');
  await until(() => h.engine.queues()[0]?.depth === 3, 5000, 'three wait in the ready queue');

  await h.engine.stop(300);
  await stall.waitAllClosed(3000);
  t.pass('stop dropped the hung connection');
  const afterStop = await h.spool.stats();
  t.match(afterStop, { messages: 4, active: 4, scheduled: 0 }, 'every unfinished delivery is still active for recover');
  t.same(await h.state.readOutcomes({ types: ATTEMPT_RECORDS }), [], 'no record for deliveries cut by the stop');
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.same(await h.state.readOutcomes({ types: ATTEMPT_RECORDS }), [], 'and none written late, after stop returned');

  stall.release();
  const resolver = createResolver({ servers: h.config.dns.servers, timeoutMs: 2000, negativeTtlMs: 1000, clock: h.clock });
  const restarted = startDelivery({
    config: h.config, state: h.state, spool: h.spool, router: createRouter({ config: h.config, resolver }),
    log: createLogger('silent'), verpSecret: h.verpSecret, clock: h.clock, dkimWorkers: 0, egress: h.egress.chooser,
  });
  t.teardown(() => restarted.stop(1000));
  const delivered = await h.records(['Delivery'], 4);
  t.same(new Set(delivered.map((r) => r.messageId)), new Set(sent.map((m) => m.id)), 'each message delivered');
  t.ok(delivered.every((r) => r.type === 'Delivery' && r.attempt === 1), 'the cut attempt is not counted');
  t.ok(await h.spoolSettles((s) => s.messages === 0), 'spool empty');
  t.equal(stall.messagesReceived, 5, 'the receiver saw the cut message twice (at-least-once; 1 duplicate, 0 lost)');
  await restarted.stop(1000);
});

t.test('stop() while a session is still connecting: nothing settled, nothing sent, all left for recover', async (t) => {
  const stall = await startStallingSmtp({ host: '127.0.25.5', stallAt: 'banner' });
  t.teardown(() => stall.stop());
  const h = await startHarness(t, { config: { egress, delivery: { routes: { '*': `${stall.host}:${stall.port}` }, limits: ONE_CONNECTION, timeouts: LONG_TIMEOUTS } } });
  const tenant = await h.tenant('acme');
  for (let i = 0; i < 3; i++) await h.send(tenant, 'a@acme.test', [`r${i}@dest.test`]);
  await stall.waitConnections(1, 5000);
  await h.engine.stop(200);
  await stall.stop(); // the connect in progress now fails: a stopped engine must not defer on it
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.match(await h.spool.stats(), { messages: 3, active: 3, scheduled: 0 }, 'all three still active for recover');
  t.same(await h.state.readOutcomes({ types: ATTEMPT_RECORDS }), [], 'no TransientFailure for a connect cut by the stop');
  t.equal(stall.messagesReceived, 0);
});

t.test('watchdog: deliveries waiting in a ready queue past expiresAt → Expiration, never sent', async (t) => {
  const stall = await startStallingSmtp({ host: '127.0.25.3', stallAt: 'data-end' });
  t.teardown(() => stall.stop());
  const h = await startHarness(t, {
    config: { egress, delivery: { routes: { '*': `${stall.host}:${stall.port}` }, limits: ONE_CONNECTION, timeouts: LONG_TIMEOUTS, maxQueueLifetime: '10m' } },
  });
  const tenant = await h.tenant('acme');
  const first = await h.send(tenant, 'a@acme.test', ['first@dest.test']);
  await until(() => stall.messagesReceived === 1, 5000, 'first message hangs at the end of DATA');
  const waiting = [await h.send(tenant, 'a@acme.test', ['w1@dest.test']), await h.send(tenant, 'a@acme.test', ['w2@dest.test'])];
  await until(() => h.engine.queues()[0]?.depth === 2, 5000, 'two wait behind the hung session');

  h.clock.advance(10 * 60_000);
  const expired = await h.records(['Expiration'], 2, 5000);
  t.same(new Set(expired.map((r) => r.messageId)), new Set(waiting.map((m) => m.id)), 'both waiting deliveries expired');
  t.ok(expired.every((r) => r.type === 'Expiration' && r.reply?.enhanced === '4.4.7'));
  t.equal(h.engine.queues()[0]?.depth ?? 0, 0, 'the ready queue is empty');

  stall.release();
  const [delivered] = await h.records(['Delivery'], 1, 5000);
  t.equal(delivered?.messageId, first.id, 'the one on the wire completes');
  t.ok(await h.spoolSettles((s) => s.messages === 0), 'spool empty');
  t.equal(stall.messagesReceived, 1, 'expired deliveries were never sent');
});

t.test('queues(): depth and the oldest waiting message age by the injected clock', async (t) => {
  const stall = await startStallingSmtp({ host: '127.0.25.4', stallAt: 'data-end' });
  t.teardown(() => stall.stop());
  const h = await startHarness(t, { config: { egress, delivery: { routes: { '*': `${stall.host}:${stall.port}` }, limits: ONE_CONNECTION, timeouts: LONG_TIMEOUTS } } });
  const tenant = await h.tenant('acme');
  await h.send(tenant, 'a@acme.test', ['on-the-wire@dest.test']);
  await until(() => stall.messagesReceived === 1, 5000, 'first message hangs at the end of DATA');
  h.clock.advance(60_000);
  await h.send(tenant, 'a@acme.test', ['oldest-waiting@dest.test']);
  h.clock.advance(30_000);
  await h.send(tenant, 'a@acme.test', ['newer@dest.test']);
  await until(() => h.engine.queues()[0]?.depth === 2, 5000, 'two waiting');
  h.clock.advance(15_000);
  t.match(h.engine.queues(), [{ ip: '127.0.25.10', site: `route:127.0.25.4:${stall.port}`, depth: 2, activeConnections: 1, oldestAgeMs: 45_000, sendsLastMinute: 1 }]);

  stall.release();
  await h.records(['Delivery'], 3, 5000);
  t.match(h.engine.queues()[0] ?? { depth: 0, oldestAgeMs: 0 }, { depth: 0, oldestAgeMs: 0 }, 'nothing waits: age 0');
});
