/**
 * Blocklist watch → quarantine → the IP's queue moves to the pool, against a real DNS server and
 * a real sink: a tenant's leased IP (slow receiver, so mail waits in its queue) gets listed in a
 * DNSBL zone; one check quarantines it and the waiting mail leaves through the tenant's pool,
 * each message once. Unlisting is recorded but keeps the quarantine; an operator's release puts
 * the tenant back on its IP.
 */
import t from 'tap';
import { startSmtpSink } from './support/smtp-sink.ts';
import { startHarness } from './support/delivery-harness.ts';
import { leaseIp, releaseIp } from '../src/egress/index.ts';

const POOL_IP = '127.0.26.10';
const LEASED_IP = '127.0.26.11';
const MESSAGES = 30;

t.test('a DNSBL listing quarantines the leased IP and its waiting mail goes through the pool', async (t) => {
  const sink = await startSmtpSink({ host: '127.0.26.2', dataDelayMs: (source) => (source === LEASED_IP ? 300 : 0) });
  t.teardown(() => sink.stop());
  const h = await startHarness(t, {
    config: {
      egress: {
        ips: [{ address: POOL_IP, helo: 'pool.ferry.test' }, { address: LEASED_IP, helo: 'leased.ferry.test' }],
        pools: { shared: [POOL_IP] },
        blocklists: { enabled: false, onListing: 'quarantine', timeout: '2s', zones: [{ name: 'zen.test', codes: { '127.0.0.2': 'sbl' } }] },
      },
      delivery: { routes: { '*': `${sink.host}:${sink.port}` }, limits: { maxConnections: 1, maxMessagesPerConnection: 1000, maxMessagesPerSecond: 0 } },
    },
  });
  const lessee = await h.tenant('lessee');
  await leaseIp(h.egress.ctx, LEASED_IP, { tenantId: lessee.id, termMs: 86_400_000, autoRenew: true, actor: 'test' });
  await h.egress.view.refresh();
  const sent = [];
  for (let i = 0; i < MESSAGES; i++) sent.push(await h.send(lessee, 'a@lessee.test', [`r${i}@dest.test`]));
  await sink.waitForMessages(2, 10_000);

  h.dns.setZone({ '11.26.0.127.zen.test': { A: ['127.0.0.2'] } });
  const report = await h.egress.blocklists.checkNow();
  t.match(report.events.map((e) => e.event), ['listed', 'quarantined']);
  const listedAt = Date.now();
  t.match(await h.state.getIp(LEASED_IP), { state: 'quarantined', listings: [{ zone: 'zen.test', code: '127.0.0.2', meaning: 'sbl' }] });

  await h.records(['Delivery'], MESSAGES, 30_000);
  const fromLeased = sink.messages.filter((m) => m.sourceAddress === LEASED_IP);
  const fromPool = sink.messages.filter((m) => m.sourceAddress === POOL_IP);
  t.ok(fromLeased.length < 10, `${fromLeased.length} went out from the leased IP before the listing`);
  t.ok(fromLeased.every((m) => m.at <= listedAt + 1000), 'nothing new on the quarantined IP (a send in flight may finish)');
  t.equal(fromPool.length, MESSAGES - fromLeased.length, 'the rest through the pool');
  t.equal(sink.messages.length, MESSAGES, 'each message once');
  const events = await h.state.readOutcomes({ types: ['IpEvent'], tenantId: lessee.id });
  t.ok(events.some((r) => r.type === 'IpEvent' && r.event === 'listed'), 'the listing is an outcome record of the lessee');

  h.dns.setZone({});
  t.match((await h.egress.blocklists.checkNow()).events.map((e) => e.event), ['unlisted']);
  t.match(await h.state.getIp(LEASED_IP), { state: 'quarantined', listings: [] }, 'unlisted, still quarantined');
  await releaseIp(h.egress.ctx, LEASED_IP, 'delisted, tenant cleaned its list', 'test');
  await h.egress.view.refresh();
  await h.send(lessee, 'a@lessee.test', ['back@dest.test']);
  await h.records(['Delivery'], MESSAGES + 1, 10_000);
  t.equal(sink.messages.at(-1)?.sourceAddress, LEASED_IP, 'released: the tenant sends from its IP again');
  t.same((await h.state.ipHistory(LEASED_IP, 5)).map((e) => e.event), ['released', 'unlisted', 'quarantined', 'listed', 'leased']);
});
