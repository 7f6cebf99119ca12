/**
 * Backlogs never hold up other mail, against real receivers on 127.0.28.x with the fake clock:
 * many deferred deliveries due later do not delay fresh mail (it goes out with no clock
 * advance, the deferred ones untouched); a path whose ready queue is full goes back on the
 * scheduled queue ≥ 1 s ahead, spread over one-second slots of the path's capacity, without an
 * attempt or record (spool.requeue), so releasing several times a path's capacity delivers
 * everything at attempt 1 with 1 s clock steps, never a retry wait; and a hung path filling its share of the active window leaves another path flowing.
 */
import t from 'tap';
import { startSmtpSink } from './support/smtp-sink.ts';
import { startStallingSmtp } from './support/stalling-smtp.ts';
import { startHarness, type Harness, until } from './support/delivery-harness.ts';

const egress = { ips: [{ address: '127.0.28.10', helo: 'out.ferry.test' }], pools: { shared: ['127.0.28.10'] } };

const count = async (h: Harness, type: 'Delivery' | 'TransientFailure' | 'Bounce' | 'Expiration') => (await h.state.readOutcomes({ types: [type] })).length;

t.test('200 deferred deliveries due later never delay fresh mail', async (t) => {
  const refusing = await startSmtpSink({ host: '127.0.28.2', rcpt: () => ({ code: 451, text: '4.7.1 greylisted' }) });
  const good = await startSmtpSink({ host: '127.0.28.3' });
  t.teardown(async () => {
    await refusing.stop();
    await good.stop();
  });
  const routes = { 'grey.test': `${refusing.host}:${refusing.port}`, 'fresh.test': `${good.host}:${good.port}` };
  const h = await startHarness(t, { config: { egress, delivery: { routes, retrySchedule: '5m', activeWindow: 20 } } });
  const tenant = await h.tenant('acme');
  for (let i = 0; i < 200; i++) await h.send(tenant, 'a@acme.test', [`g${i}@grey.test`]);
  await h.records(['TransientFailure'], 200, 20_000);
  t.ok(await h.spoolSettles((s) => s.scheduled === 200 && s.active === 0), 'the backlog waits on the scheduled queue');

  for (let i = 0; i < 20; i++) await h.send(tenant, 'a@acme.test', [`f${i}@fresh.test`]);
  await good.waitForMessages(20, 10_000);
  t.equal((await h.records(['Delivery'], 20, 5000)).length, 20, 'fresh mail delivered with no clock advance');
  t.ok((await h.state.readOutcomes({ types: ['Delivery'] })).every((r) => r.type === 'Delivery' && r.attempt === 1));
  t.equal(await count(h, 'TransientFailure'), 200, 'deferred deliveries were not touched before their time');
  t.ok(await h.spoolSettles((s) => s.scheduled === 200 && s.active === 0 && s.messages === 200));
});

t.test('egress path full: 5× a path\'s capacity goes out at attempt 1, no retry wait, no records but Delivery', async (t) => {
  const sink = await startSmtpSink({ host: '127.0.28.4' });
  t.teardown(() => sink.stop());
  const limits = { maxConnections: 1, maxMessagesPerConnection: 100, maxMessagesPerSecond: 0 };
  // activeWindow 4 → each ready queue holds at most 2 waiting; 1 on the wire.
  const h = await startHarness(t, { config: { egress, delivery: { routes: { '*': `${sink.host}:${sink.port}` }, activeWindow: 4, limits, retrySchedule: '5m' } } });
  const tenant = await h.tenant('acme');
  const total = 15;
  const sent = [];
  for (let i = 0; i < total; i++) sent.push(await h.send(tenant, 'a@acme.test', [`r${i}@dest.test`]));
  let steps = 0;
  let sawRequeued = false;
  while ((await count(h, 'Delivery')) < total && steps < 30) {
    // Quiet: nothing active for longer than the claim poll → what is left is scheduled in the future.
    await until(async () => (await h.spool.stats()).active === 0, 5000, 'engine quiet');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stats = await h.spool.stats();
    if (stats.active !== 0) continue;
    if (stats.scheduled > 0 && !sawRequeued) {
      sawRequeued = true;
      const waiting = (await Promise.all(sent.map((m) => h.spool.listDeliveries(m.id)))).flat().filter((d) => d.state === 'scheduled');
      const perSlot = new Map<number, number>();
      for (const d of waiting) perSlot.set(d.dueAt, (perSlot.get(d.dueAt) ?? 0) + 1);
      t.ok(waiting.every((d) => d.dueAt >= h.clock.now() + 1000 && d.attempts === 0), 'overflow due ≥ 1 s ahead, no attempt counted');
      t.ok(Math.max(...perSlot.values()) <= 2, `overflow spread over ${perSlot.size} one-second slots of at most the path's capacity (2)`);
    }
    h.clock.advance(1000);
    h.engine.nudge();
    steps++;
  }
  const delivered = await h.state.readOutcomes({ types: ['Delivery'] });
  t.equal(delivered.length, total, 'everything delivered');
  t.equal(sink.messages.length, total, 'each message once at the sink');
  t.ok(sawRequeued, 'some deliveries found the path full and waited on the scheduled queue');
  t.ok(steps >= 2 && steps <= 15, `${steps} one-second clock steps (a retry would need 5 min)`);
  t.ok(delivered.every((r) => r.type === 'Delivery' && r.attempt === 1), 'a full path is not an attempt');
  t.equal(await count(h, 'TransientFailure'), 0, 'and not a TransientFailure');
  t.ok(await h.spoolSettles((s) => s.messages === 0), 'spool empty');
});

t.test('a hung path filling its share of the window leaves another path flowing', async (t) => {
  const hung = await startStallingSmtp({ host: '127.0.28.5', stallAt: 'banner' });
  const good = await startSmtpSink({ host: '127.0.28.6' });
  t.teardown(async () => {
    await hung.stop();
    await good.stop();
  });
  const routes = { 'hung.test': `${hung.host}:${hung.port}`, 'good.test': `${good.host}:${good.port}` };
  const limits = { maxConnections: 2, maxMessagesPerConnection: 100, maxMessagesPerSecond: 0 };
  const timeouts = { connect: '5s', greeting: '60s', command: '60s', data: '120s', idle: '30s' };
  const h = await startHarness(t, { config: { egress, delivery: { routes, activeWindow: 10, limits, timeouts } } });
  const tenant = await h.tenant('acme');
  for (let i = 0; i < 50; i++) await h.send(tenant, 'a@acme.test', [`h${i}@hung.test`]);
  await hung.waitConnections(2, 5000);
  for (let i = 0; i < 20; i++) await h.send(tenant, 'a@acme.test', [`g${i}@good.test`]);
  await good.waitForMessages(20, 10_000);
  t.equal((await h.records(['Delivery'], 20, 5000)).length, 20, 'the healthy path delivered everything');
  t.equal(hung.connections, 2, 'the hung path holds only its maxConnections');
  t.equal((await h.state.readOutcomes({ types: ['TransientFailure', 'Bounce', 'Expiration'] })).length, 0, 'the hung backlog got no record: it waits');
  const hungQueue = h.engine.queues().find((q) => q.site === `route:${hung.host}:${hung.port}`);
  t.match(hungQueue, { depth: 5, activeConnections: 0 }, 'the hung path holds at most half the window waiting (sessions still connecting)');
});
