/**
 * The blocklist watch against a real test DNS server and the embedded state store: a listed IP is
 * recorded (listing, history, IpEvent record, gauge) and quarantined per policy; `record` policy
 * only records; an unlisting is recorded and keeps the quarantine; DNS failures and the zone's
 * 127.255.255.x refusals change nothing; a second node does not check while the first holds the
 * lease; the timer fires on its own.
 */
import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.ts';
import type { IpState } from '../src/domain/index.ts';
import { createLogger, createMetrics, openLocalDatabase } from '../src/platform/index.ts';
import { openStateStore, type StateStore } from '../src/state/index.ts';
import { mutateIp } from '../src/egress/inventory.ts';
import { startBlocklistWatch, type BlocklistWatch } from '../src/egress/blocklist-watch.ts';
import { startDnsServer, type DnsZone, type TestDnsServer } from './support/dns-server.ts';

const LISTED_IP = '192.0.2.11';
const CLEAN_IP = '192.0.2.12';
const LISTED_NAME = '11.2.0.192.zen.test';
const ZEN = { name: 'zen.test', codes: { '127.0.0.2': 'sbl', '127.0.0.4': 'xbl' } };
const LISTED: DnsZone = { [LISTED_NAME]: { A: ['127.0.0.2'], ttl: 60 } };

interface Setup {
  readonly state: StateStore;
  readonly dns: TestDnsServer;
  readonly clock: { now(): number; advance(ms: number): void };
  readonly metrics: ReturnType<typeof createMetrics>;
  /** The events of each round that wrote changes, as onChanged heard them. */
  readonly changed: string[][];
  register(address: string, ipState?: IpState): Promise<void>;
  watch(nodeId?: string): BlocklistWatch;
}

async function setup(t: Test, blocklists: Record<string, unknown> = {}, zone: DnsZone = LISTED): Promise<Setup> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-blocklists-'));
  const dns = await startDnsServer(zone);
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      secrets: { masterKey: randomBytes(32).toString('hex') },
      dns: { servers: [dns.hostPort], timeout: '1s', negativeTtl: '1s' },
      egress: { blocklists: { enabled: false, checkEvery: '1h', servers: [], timeout: '1s', onListing: 'quarantine', zones: [ZEN], ...blocklists } },
    },
  });
  const db = openLocalDatabase(dataDir);
  const state = await openStateStore(config, db);
  let current = 1_800_000_000_000;
  const clock = { now: () => current, advance: (ms: number) => void (current += ms) };
  const metrics = createMetrics({ topTenants: 5, topSites: 5 });
  const watches: BlocklistWatch[] = [];
  const changed: string[][] = [];
  t.teardown(async () => {
    for (const watch of watches) await watch.stop();
    await state.close();
    await db.close();
    await dns.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    state, dns, clock, metrics, changed,
    async register(address, ipState = 'available') {
      await mutateIp(state, address, clock.now, () => ({ next: { address, helo: 'mta.test', nodes: ['node-a'], state: ipState, listings: [] }, event: 'registered', actor: 'test' }));
    },
    watch(nodeId = 'node-a') {
      const watch = startBlocklistWatch({ config, state, log: createLogger('silent'), nodeId, now: clock.now, metrics: metrics.egress, onChanged: (events) => void changed.push(events.map((e) => e.event)) });
      watches.push(watch);
      return watch;
    },
  };
}

async function ipEvents(state: StateStore, address: string): Promise<string[]> {
  const records = await state.readOutcomes({ types: ['IpEvent'] });
  return records.flatMap((r) => (r.type === 'IpEvent' && r.address === address ? [r.event] : []));
}

t.test('a listed IP is recorded and quarantined; the clean and retired ones are left alone', async (t) => {
  const s = await setup(t);
  await s.register(LISTED_IP);
  await s.register(CLEAN_IP);
  await s.register('192.0.2.13', 'retired');
  await s.register('2001:db8::25');
  const report = await s.watch().checkNow();
  t.same(report.events.map((e) => e.event), ['listed', 'quarantined']);
  t.equal(report.ips, 3, 'retired IP not checked');
  t.same(report.errors, []);
  t.equal(s.dns.queryCount('13.2.0.192.zen.test'), 0, 'retired IP never asked');
  t.equal(s.dns.queryCount(`5.2.0.0.${'0.'.repeat(20)}8.b.d.0.1.0.0.2.zen.test`, 'A'), 1, 'IPv6 asked by reversed nibbles');

  const listed = await s.state.getIp(LISTED_IP);
  t.equal(listed?.state, 'quarantined');
  t.match(listed?.stateReason, /zen\.test \(sbl\)/);
  t.same(listed?.listings, [{ zone: 'zen.test', code: '127.0.0.2', meaning: 'sbl', since: s.clock.now() }]);
  const history = await s.state.ipHistory(LISTED_IP, 10);
  t.same(history.map((h) => h.event), ['quarantined', 'listed', 'registered']);
  t.match(history[0], { actor: 'dnsbl', from: 'available', to: 'quarantined' });
  t.match(history[1], { actor: 'dnsbl', detail: 'zone=zen.test code=127.0.0.2 meaning=sbl' });
  t.same(await ipEvents(s.state, LISTED_IP), ['registered', 'listed', 'quarantined']);

  const clean = await s.state.getIp(CLEAN_IP);
  t.match(clean, { state: 'available', listings: [], revision: 1 });
  const gauge = await s.metrics.registry.getSingleMetricAsString('ferry_ip_blocklisted');
  t.match(gauge, 'ferry_ip_blocklisted{ip="192.0.2.11",zone="zen.test"} 1');
  t.match(gauge, 'ferry_ip_blocklisted{ip="192.0.2.12",zone="zen.test"} 0');
  t.notMatch(gauge, '192.0.2.13', 'no series for a retired IP');

  const again = await s.watch().checkNow();
  t.same(again.events, [], 'nothing changed, nothing written');
  t.same(s.changed, [['listed', 'quarantined']], 'onChanged heard only the round that wrote');
  t.equal((await s.state.getIp(LISTED_IP))?.revision, listed?.revision);
});

t.test('policy `record`: the listing is recorded, the IP keeps its state', async (t) => {
  const s = await setup(t, { onListing: 'record' });
  await s.register(LISTED_IP, 'leased');
  const report = await s.watch().checkNow();
  t.same(report.events.map((e) => e.event), ['listed']);
  const ip = await s.state.getIp(LISTED_IP);
  t.equal(ip?.state, 'leased');
  t.equal(ip?.listings.length, 1);
  t.same((await s.state.ipHistory(LISTED_IP, 10)).map((h) => h.event), ['listed', 'registered']);
});

t.test('a changed code keeps `since`; an unlisting is recorded and the quarantine stays', async (t) => {
  const s = await setup(t);
  await s.register(LISTED_IP);
  const watch = s.watch();
  await watch.checkNow();
  const since = s.clock.now();
  s.clock.advance(60_000);
  s.dns.setZone({ [LISTED_NAME]: { A: ['127.0.0.4'], ttl: 60 } });
  t.same((await watch.checkNow()).events.map((e) => e.event), ['listing-changed']);
  t.same((await s.state.getIp(LISTED_IP))?.listings, [{ zone: 'zen.test', code: '127.0.0.4', meaning: 'xbl', since }]);

  s.dns.setZone({});
  const report = await watch.checkNow();
  t.same(report.events, [{ address: LISTED_IP, event: 'unlisted', detail: 'zone=zen.test code=127.0.0.4 meaning=xbl' }]);
  const ip = await s.state.getIp(LISTED_IP);
  t.same(ip?.listings, []);
  t.equal(ip?.state, 'quarantined', 'an operator releases the IP');
  t.same((await s.state.ipHistory(LISTED_IP, 10)).map((h) => h.event), ['unlisted', 'listing-changed', 'quarantined', 'listed', 'registered']);
  t.same(await ipEvents(s.state, LISTED_IP), ['registered', 'listed', 'quarantined', 'listing-changed', 'unlisted']);
  t.match(await s.metrics.registry.getSingleMetricAsString('ferry_ip_blocklisted'), 'ferry_ip_blocklisted{ip="192.0.2.11",zone="zen.test"} 0');
});

t.test('DNS failures and the zone refusing the query change nothing', async (t) => {
  const s = await setup(t, { timeout: '300ms' });
  await s.register(LISTED_IP);
  await s.register(CLEAN_IP);
  const watch = s.watch();
  await watch.checkNow();
  const before = await s.state.listIps();
  const failures: [string, DnsZone][] = [
    ['servfail', { [LISTED_NAME]: { behaviour: 'servfail' }, '12.2.0.192.zen.test': { behaviour: 'servfail' } }],
    ['127.255.255.254', { [LISTED_NAME]: { A: ['127.255.255.254'] }, '12.2.0.192.zen.test': { A: ['127.255.255.254'] } }],
    ['timeout', { [LISTED_NAME]: { behaviour: 'timeout' }, '12.2.0.192.zen.test': { behaviour: 'timeout' } }],
  ];
  for (const [why, zone] of failures) {
    s.dns.setZone(zone);
    const asked = s.dns.queryCount(LISTED_NAME);
    const report = await watch.checkNow();
    t.equal(report.errors.length, 2, `${why}: both lookups failed`);
    t.match(report.errors[0], new RegExp(`zen\\.test: .*${why.replaceAll('.', '\\.')}`));
    t.same(report.events, [], `${why}: nothing written`);
    t.ok(s.dns.queryCount(LISTED_NAME) > asked, `${why}: the zone was asked`);
  }
  t.same(await s.state.listIps(), before, 'listings, states and revisions as before');
});

t.test('a second node does not check while the first holds the lease', async (t) => {
  const s = await setup(t);
  await s.register(LISTED_IP);
  const first = s.watch('node-a');
  const second = s.watch('node-b');
  t.equal((await first.checkNow()).checked, true);
  const asked = s.dns.queryCount(LISTED_NAME);
  const skipped = await second.checkNow();
  t.same(skipped, { checked: false, ips: 0, lookups: 0, errors: [], events: [] });
  t.equal(s.dns.queryCount(LISTED_NAME), asked, 'the second node asked nothing');
  t.equal((await first.checkNow()).checked, true, 'the holder keeps checking');
  await first.stop();
  const taken = await second.checkNow();
  t.equal(taken.checked, true, 'the lease is free once the first node stopped');
  t.equal(taken.lookups, 1);
});

t.test('the timer checks on its own every checkEvery', async (t) => {
  const s = await setup(t, { enabled: true, checkEvery: '100ms' });
  await s.register(LISTED_IP);
  s.watch();
  const deadline = Date.now() + 10_000;
  while ((await s.state.getIp(LISTED_IP))?.state !== 'quarantined' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.equal((await s.state.getIp(LISTED_IP))?.state, 'quarantined');
  const asked = s.dns.queryCount(LISTED_NAME);
  while (s.dns.queryCount(LISTED_NAME) === asked && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.ok(s.dns.queryCount(LISTED_NAME) > asked, 'and again after that');
});
