/**
 * Fresh mail handed straight to the delivery engine (src/spool/waking.ts handingSpool → the
 * scheduler's reserve/adopt), against real receivers on 127.0.26.x: the deliveries are active the
 * moment accept resolves (no schedule → claim round) and are delivered once; a full active window
 * sends the next message the usual way (scheduled, claimed when room frees); an engine whose
 * start-up recover has not finished takes nothing directly.
 */
import t from 'tap';
import { createRouter, startDelivery } from '../src/delivery/index.ts';
import { createLogger, createResolver } from '../src/platform/index.ts';
import { startStallingSmtp } from './support/stalling-smtp.ts';
import { startHarness, ONE_CONNECTION, LONG_TIMEOUTS, until } from './support/delivery-harness.ts';

const egress = { ips: [{ address: '127.0.26.10', helo: 'out.ferry.test' }], pools: { shared: ['127.0.26.10'] } };

t.test('handed-over mail is active as soon as accept resolves, and each message is delivered once', async (t) => {
  const stall = await startStallingSmtp({ host: '127.0.26.2', stallAt: 'data-end' });
  t.teardown(() => stall.stop());
  const h = await startHarness(t, { config: { egress, delivery: { routes: { '*': `${stall.host}:${stall.port}` }, limits: ONE_CONNECTION, timeouts: LONG_TIMEOUTS } } });
  const tenant = await h.tenant('acme');
  for (let i = 0; i < 3; i++) {
    await h.send(tenant, 'a@acme.test', [`r${i}@dest.test`], { handOver: true });
    t.match(await h.spool.stats(), { messages: i + 1, active: i + 1, scheduled: 0 }, `message ${i + 1}: taken, never scheduled`);
  }
  await until(() => stall.messagesReceived === 1, 5000, 'the first message reaches the receiver');
  stall.release();
  const delivered = await h.records(['Delivery'], 3, 5000);
  t.equal(new Set(delivered.map((r) => r.messageId)).size, 3);
  t.ok(await h.spoolSettles((s) => s.messages === 0), 'spool empty');
  t.equal(stall.messagesReceived, 3, 'no message sent twice');
});

t.test('a full active window: the next message is scheduled and delivered once room frees', async (t) => {
  const stall = await startStallingSmtp({ host: '127.0.26.3', stallAt: 'data-end' });
  t.teardown(() => stall.stop());
  const h = await startHarness(t, { config: { egress, delivery: { activeWindow: 1, routes: { '*': `${stall.host}:${stall.port}` }, limits: ONE_CONNECTION, timeouts: LONG_TIMEOUTS } } });
  const tenant = await h.tenant('acme');
  await h.send(tenant, 'a@acme.test', ['first@dest.test'], { handOver: true });
  await until(() => stall.messagesReceived === 1, 5000, 'the first message hangs at the end of DATA');
  await h.send(tenant, 'a@acme.test', ['second@dest.test'], { handOver: true });
  t.match(await h.spool.stats(), { messages: 2, active: 1, scheduled: 1 }, 'no room: the second one is scheduled');
  stall.release();
  await h.records(['Delivery'], 2, 5000);
  t.ok(await h.spoolSettles((s) => s.messages === 0), 'both delivered, spool empty');
  t.equal(stall.messagesReceived, 2);
});

t.test('an engine takes nothing directly until its start-up recover is done', async (t) => {
  const h = await startHarness(t, { config: { egress, delivery: { routes: { '*': '127.0.26.4:2525' } } } });
  await h.engine.stop(1000);
  const resolver = createResolver({ servers: h.config.dns.servers, timeoutMs: 2000, negativeTtlMs: 1000, clock: h.clock });
  const restarted = startDelivery({
    config: h.config, state: h.state, spool: h.spool, router: createRouter({ config: h.config, resolver }),
    log: createLogger('silent'), verpSecret: h.verpSecret, clock: h.clock, dkimWorkers: 0, egress: h.egress.chooser,
  });
  t.teardown(() => restarted.stop(1000));
  t.equal(restarted.reserve(1), false, 'recover still running: no reservation');
  await until(() => {
    const held = restarted.reserve(1);
    if (held) restarted.unreserve(1);
    return held;
  }, 5000, 'room once recovered');
  t.pass('reservations open once the recover finished');
  await restarted.stop(1000);
  t.equal(restarted.reserve(1), false, 'a stopped engine takes nothing');
});
