/**
 * Dedicated IPs against real sinks on 127.0.23.x: a tenant on a leased IP sends only from it;
 * lease expiry (fake clock) sends the tenant back to its pool and frees the IP after the drain
 * grace; auto-renewal extends the lease and leaves a `lease-renewed` IpEvent record for billing;
 * a warming IP's day-1 cap holds per site and the overflow goes to the pool (ipFallback `pool`)
 * or waits for the next warm-up day (ipFallback `wait`).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.ts';
import { startHarness, type Harness } from './support/delivery-harness.ts';
import { leaseIp, startWarmup } from '../src/egress/index.ts';

const DAY = 86_400_000;
const POOL_IP = '127.0.23.10';
const LEASED_IP = '127.0.23.11';

async function sinkFor(t: Test, host: string): Promise<SmtpSink> {
  const sink = await startSmtpSink({ host });
  t.teardown(() => sink.stop());
  return sink;
}

function scheduleFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-warmup-'));
  const file = join(dir, 'warmup.yaml');
  writeFileSync(file, 'schedules:\n  default:\n    days: [5, 8]\n  tiny:\n    days: [3, 6]\n');
  return file;
}

async function relay(t: Test, sinks: SmtpSink[]): Promise<Harness> {
  const routes = Object.fromEntries(sinks.map((sink, index) => [`site${index}.test`, `${sink.host}:${sink.port}`]));
  return startHarness(t, {
    config: {
      egress: { ips: [{ address: POOL_IP, helo: 'pool.ferry.test' }, { address: LEASED_IP, helo: 'leased.ferry.test' }], pools: { shared: [POOL_IP] }, leases: { term: '30d', drainGrace: '1h' }, warmup: { scheduleFile: scheduleFile() } },
      delivery: { routes, retrySchedule: '1m*100' },
    },
  });
}

const sources = (sink: SmtpSink, prefix: string) => sink.messages.filter((m) => m.rcptTo[0]!.startsWith(prefix)).map((m) => m.sourceAddress);
const count = (list: string[], address: string) => list.filter((a) => a === address).length;

t.test('a leased IP carries only its tenant; expiry returns the tenant to the pool and frees the IP after the drain', async (t) => {
  const sink = await sinkFor(t, '127.0.23.2');
  const h = await relay(t, [sink]);
  const lessee = await h.tenant('lessee');
  const other = await h.tenant('other');
  await leaseIp(h.egress.ctx, LEASED_IP, { tenantId: lessee.id, termMs: 30 * DAY, autoRenew: false, actor: 'test' });
  await h.egress.view.refresh();
  for (let i = 0; i < 4; i++) {
    await h.send(lessee, 'a@lessee.test', [`l${i}@site0.test`]);
    await h.send(other, 'a@other.test', [`o${i}@site0.test`]);
  }
  await h.records(['Delivery'], 8);
  t.same(new Set(sources(sink, 'l')), new Set([LEASED_IP]), 'the lessee only from its leased IP');
  t.same(new Set(sources(sink, 'o')), new Set([POOL_IP]), 'another tenant never from the leased IP');

  h.clock.advance(31 * DAY);
  t.match(await h.egress.tick(), { expired: 1, renewed: 0 });
  t.match(await h.state.getIp(LEASED_IP), { state: 'leased', lease: { endedAt: Number } }, 'ended, draining');
  await h.send(lessee, 'a@lessee.test', ['after@site0.test']);
  await h.records(['Delivery'], 9);
  t.same(sources(sink, 'after'), [POOL_IP], 'after expiry the lessee sends through its pool');
  h.clock.advance(2 * 3_600_000);
  t.match(await h.egress.tick(), { released: 1 });
  const freed = await h.state.getIp(LEASED_IP);
  t.equal(freed?.state, 'available');
  t.equal(freed?.lease, undefined);
  const events = (await h.state.ipHistory(LEASED_IP, 10)).map((entry) => entry.event);
  t.same(events.slice(0, 3), ['lease-released', 'lease-expired', 'leased'], 'history, newest first');
});

t.test('auto-renewal extends the lease and emits a lease-renewed record for billing', async (t) => {
  const sink = await sinkFor(t, '127.0.23.3');
  const h = await relay(t, [sink]);
  const lessee = await h.tenant('lessee');
  const leased = await leaseIp(h.egress.ctx, LEASED_IP, { tenantId: lessee.id, termMs: 30 * DAY, autoRenew: true, actor: 'test' });
  h.clock.advance(10 * DAY);
  t.match(await h.egress.tick(), { renewed: 0, expired: 0 }, 'nothing before the end');
  h.clock.advance(21 * DAY);
  t.match(await h.egress.tick(), { renewed: 1, expired: 0 });
  const renewed = await h.state.getIp(LEASED_IP);
  t.equal(renewed?.lease?.endsAt, (leased.lease?.endsAt ?? 0) + 30 * DAY, 'one more term');
  t.equal(renewed?.lease?.renewals, 1);
  t.equal(renewed?.state, 'leased');
  const records = await h.state.readOutcomes({ types: ['IpEvent'], tenantId: lessee.id });
  t.ok(records.some((r) => r.type === 'IpEvent' && r.event === 'lease-renewed' && r.address === LEASED_IP), 'billing can read the renewal');
});

t.test('warm-up day 1: the cap holds per site and the overflow goes to the pool', async (t) => {
  const [a, b] = [await sinkFor(t, '127.0.23.4'), await sinkFor(t, '127.0.23.5')];
  const h = await relay(t, [a, b]);
  const lessee = await h.tenant('lessee');
  await leaseIp(h.egress.ctx, LEASED_IP, { tenantId: lessee.id, termMs: 365 * DAY, autoRenew: true, warmup: 'default', actor: 'test' });
  await h.egress.view.refresh();
  t.equal((await h.state.getIp(LEASED_IP))?.state, 'warming');
  for (let i = 0; i < 12; i++) await h.send(lessee, 'a@lessee.test', [`a${i}@site0.test`]);
  for (let i = 0; i < 7; i++) await h.send(lessee, 'a@lessee.test', [`b${i}@site1.test`]);
  await h.records(['Delivery'], 19);
  t.equal(count(sources(a, 'a'), LEASED_IP), 5, 'site 0: 5 from the warming IP (day-1 cap)');
  t.equal(count(sources(a, 'a'), POOL_IP), 7, 'site 0: the rest through the pool');
  t.equal(count(sources(b, 'b'), LEASED_IP), 5, 'site 1 has its own cap');
  t.equal(count(sources(b, 'b'), POOL_IP), 2);
});

t.test('warm-up with ipFallback wait: the overflow waits for the next day, no attempt counted', async (t) => {
  const sink = await sinkFor(t, '127.0.23.6');
  const h = await relay(t, [sink]);
  const lessee = await h.tenant('patient', { ipFallback: 'wait' });
  await leaseIp(h.egress.ctx, LEASED_IP, { tenantId: lessee.id, termMs: 365 * DAY, autoRenew: true, actor: 'test' });
  await startWarmup(h.egress.ctx, LEASED_IP, 'tiny', 'test');
  await h.egress.view.refresh();
  for (let i = 0; i < 5; i++) await h.send(lessee, 'a@patient.test', [`w${i}@site0.test`]);
  await h.records(['Delivery'], 3);
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.equal(sink.messages.length, 3, 'only the day-1 cap went out');
  t.match(await h.spool.stats(), { scheduled: 2 }, 'two wait in the spool');
  h.clock.advance(DAY);
  const delivered = await h.records(['Delivery'], 5);
  t.same(new Set(sources(sink, 'w')), new Set([LEASED_IP]), 'never through the pool');
  t.ok(delivered.every((r) => r.type === 'Delivery' && r.attempt === 1), 'waiting was not an attempt');
  t.equal((await h.state.readOutcomes({ types: ['TransientFailure'] })).length, 0);
});
