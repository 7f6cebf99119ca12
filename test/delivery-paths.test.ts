/**
 * Egress paths against real sinks (static routes to ephemeral ports on 127.0.22.x): dedicated IP
 * vs shared pool, connection reuse, per-path connection limit (global and per-site override) and
 * rate limit, counted at the sink (sessions, concurrent sessions, arrival timestamps).
 */
import t, { type Test } from 'tap';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.ts';
import { startHarness } from './support/delivery-harness.ts';
import { leaseIp } from '../src/egress/index.ts';

const ips = [
  { address: '127.0.22.10', helo: 'shared10.ferry.test' },
  { address: '127.0.22.11', helo: 'dedicated11.ferry.test' },
  { address: '127.0.22.12', helo: 'cold12.ferry.test' },
];

async function sinkFor(t: Test, host: string): Promise<SmtpSink> {
  const sink = await startSmtpSink({ host });
  t.teardown(() => sink.stop());
  return sink;
}

function config(sink: SmtpSink, extra: Record<string, unknown> = {}) {
  return {
    egress: { ips, pools: { shared: ['127.0.22.10', { address: '127.0.22.12', weight: 0 }] } },
    delivery: { routes: { '*': `${sink.host}:${sink.port}` }, ...extra },
  };
}

t.test('leased (dedicated) IP tenant vs shared pool tenant', async (t) => {
  const sink = await sinkFor(t, '127.0.22.2');
  const h = await startHarness(t, { config: config(sink) });
  const dedicated = await h.tenant('dedicated');
  await leaseIp(h.egress.ctx, '127.0.22.11', { tenantId: dedicated.id, termMs: 86_400_000, autoRenew: false, actor: 'test' });
  await h.egress.view.refresh();
  const shared = await h.tenant('shared');
  for (let i = 0; i < 3; i++) {
    await h.send(dedicated, 'a@dedicated.test', [`d${i}@dest.test`]);
    await h.send(shared, 'a@shared.test', [`s${i}@dest.test`]);
  }
  await h.records(['Delivery'], 6);
  const from = (prefix: string) => new Set(sink.messages.filter((m) => m.rcptTo[0]!.startsWith(prefix)).map((m) => m.sourceAddress));
  t.same([...from('d')], ['127.0.22.11'], 'dedicated tenant only from its IP');
  t.same([...from('s')], ['127.0.22.10'], 'shared tenant only from the pool member with weight > 0');
  const records = await h.state.readOutcomes({ types: ['Delivery'] });
  t.ok(records.every((r) => r.type === 'Delivery' && r.site === `route:127.0.22.2:${sink.port}`));
});

t.test('100 messages to one site reuse at most maxConnections connections', async (t) => {
  const sink = await sinkFor(t, '127.0.22.3');
  const h = await startHarness(t, { config: config(sink, { limits: { maxConnections: 3, maxMessagesPerConnection: 100, maxMessagesPerSecond: 0 } }) });
  const tenant = await h.tenant('bulk');
  for (let i = 0; i < 100; i++) await h.send(tenant, 'a@bulk.test', [`r${i}@dest.test`]);
  await h.records(['Delivery'], 100, 20_000);
  t.equal(sink.messages.length, 100);
  t.ok(sink.sessions.length <= 3, `${sink.sessions.length} sessions`);
  t.ok(sink.maxConcurrent <= 3, `${sink.maxConcurrent} concurrent`);
  const paths = h.engine.queues();
  t.equal(paths.length, 1);
  t.match(paths[0], { ip: '127.0.22.10', depth: 0 });
});

t.test('maxMessagesPerConnection opens a new session after N messages', async (t) => {
  const sink = await sinkFor(t, '127.0.22.4');
  const h = await startHarness(t, { config: config(sink, { limits: { maxConnections: 1, maxMessagesPerConnection: 5, maxMessagesPerSecond: 0 } }) });
  const tenant = await h.tenant('bulk');
  for (let i = 0; i < 12; i++) await h.send(tenant, 'a@bulk.test', [`r${i}@dest.test`]);
  await h.records(['Delivery'], 12);
  t.equal(sink.maxConcurrent, 1);
  t.equal(sink.sessions.length, 3, '12 messages at 5 per connection = 3 sessions');
  const perSession = new Map<string, number>();
  for (const m of sink.messages) perSession.set(m.sessionId, (perSession.get(m.sessionId) ?? 0) + 1);
  t.ok([...perSession.values()].every((n) => n <= 5));
});

t.test('per-site override limits connections; rate limit holds', async (t) => {
  const sink = await sinkFor(t, '127.0.22.5');
  const site = `route:127.0.22.5:${sink.port}`;
  const h = await startHarness(t, {
    config: config(sink, {
      limits: { maxConnections: 10, maxMessagesPerConnection: 100, maxMessagesPerSecond: 0 },
      sites: [{ name: site, mx: [], limits: { maxConnections: 2, maxMessagesPerSecond: 10 } }],
    }),
  });
  const tenant = await h.tenant('bulk');
  for (let i = 0; i < 25; i++) await h.send(tenant, 'a@bulk.test', [`r${i}@dest.test`]);
  await h.records(['Delivery'], 25, 20_000);
  t.ok(sink.maxConcurrent <= 2, `${sink.maxConcurrent} concurrent sessions (site limit 2)`);
  const times = sink.messages.map((m) => m.at).sort((a, b) => a - b);
  let worst = 0;
  for (let i = 0; i < times.length; i++) {
    const inWindow = times.filter((at) => at >= times[i]! && at < times[i]! + 1000).length;
    worst = Math.max(worst, inWindow);
  }
  t.ok(worst <= 11, `at most 10 (+1 at the window edge) messages in any 1 s window, saw ${worst}`);
});
