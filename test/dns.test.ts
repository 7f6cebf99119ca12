// The caching resolver against the real test DNS server on loopback: answers, failures, TTL and negative
// caching (fake clock, query counters), coalescing, next-server on failure, TCP fallback on truncation.
import t from 'tap';
import { createResolver, type ResolverOptions } from '../src/platform/index.ts';
import { startDnsServer, type DnsZone, type TestDnsServer } from './support/dns-server.ts';

const zone: DnsZone = {
  'mail.test': { MX: [{ preference: 20, exchange: 'mx2.mail.test' }, { preference: 10, exchange: 'MX1.mail.test.' }], ttl: 60 },
  'mx1.mail.test': { A: ['127.0.0.11', '127.0.0.12'], AAAA: ['::1'], ttl: 30 },
  'v6only.test': { AAAA: ['::1'] },
  'txt.test': { TXT: ['v=spf1 -all'] },
  'empty.test': {},
  'broken.test': { behaviour: 'servfail' },
  'slow.test': { behaviour: 'timeout' },
  'big.test': { behaviour: 'truncate', A: ['127.0.0.5'] },
  'alias.test': { CNAME: 'mx1.mail.test', ttl: 10 },
};

const servers: TestDnsServer[] = [];
async function server(z: DnsZone = zone, soaMinimum?: number) {
  const started = await startDnsServer(z, soaMinimum === undefined ? {} : { soaMinimum });
  servers.push(started);
  return started;
}
t.teardown(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

function fakeClock() {
  const clock = { ms: 1_000_000, now: () => clock.ms };
  return clock;
}

function resolverFor(dns: TestDnsServer[], extra: Partial<ResolverOptions> = {}) {
  return createResolver({ servers: dns.map((d) => d.hostPort), timeoutMs: 2000, negativeTtlMs: 60_000, ...extra });
}

t.test('MX, A/AAAA and TXT records come back with their TTL', async (t) => {
  const dns = await server();
  const resolver = resolverFor([dns]);
  const mx = await resolver.mx('Mail.Test.');
  t.same(mx, { kind: 'records', ttl: 60, records: [{ preference: 20, exchange: 'mx2.mail.test' }, { preference: 10, exchange: 'mx1.mail.test' }] });
  t.same(await resolver.addresses('mx1.mail.test'), { kind: 'records', ttl: 30, records: ['127.0.0.11', '127.0.0.12', '::1'] });
  t.same(await resolver.addresses('v6only.test'), { kind: 'records', ttl: 300, records: ['::1'] });
  t.same(await resolver.txt('txt.test'), { kind: 'records', ttl: 300, records: ['v=spf1 -all'] });
  t.same(await resolver.addresses('alias.test'), { kind: 'records', ttl: 10, records: ['127.0.0.11', '127.0.0.12', '::1'] }, 'CNAME followed, TTL = min of chain');
});

t.test('nxdomain, nodata, servfail and timeout are distinct results', async (t) => {
  const dns = await server();
  const resolver = resolverFor([dns], { timeoutMs: 150 });
  t.same(await resolver.mx('nowhere.test'), { kind: 'nxdomain' });
  t.same(await resolver.mx('empty.test'), { kind: 'nodata' });
  t.same(await resolver.addresses('empty.test'), { kind: 'nodata' });
  t.same(await resolver.mx('broken.test'), { kind: 'servfail' });
  const started = Date.now();
  t.same(await resolver.mx('slow.test'), { kind: 'timeout' });
  const elapsed = Date.now() - started;
  t.ok(elapsed >= 140 && elapsed < 3000, `timeout honoured (${elapsed} ms)`);
});

t.test('positive answers are cached for their TTL, then asked again', async (t) => {
  const dns = await server();
  const clock = fakeClock();
  const resolver = resolverFor([dns], { clock });
  await resolver.mx('mail.test');
  clock.ms += 59_000;
  await resolver.mx('mail.test');
  t.equal(dns.queryCount('mail.test', 'MX'), 1, 'cached within the 60 s TTL');
  clock.ms += 1_000;
  await resolver.mx('mail.test');
  t.equal(dns.queryCount('mail.test', 'MX'), 2, 're-queried once the TTL ran out');
});

t.test('negative answers are cached for the configured negative TTL', async (t) => {
  const dns = await server();
  const clock = fakeClock();
  const resolver = resolverFor([dns], { clock, negativeTtlMs: 5_000 });
  await resolver.mx('nowhere.test');
  await resolver.mx('empty.test');
  clock.ms += 4_999;
  t.same(await resolver.mx('nowhere.test'), { kind: 'nxdomain' });
  t.same(await resolver.mx('empty.test'), { kind: 'nodata' });
  t.equal(dns.queryCount('nowhere.test') + dns.queryCount('empty.test'), 2);
  clock.ms += 1;
  await resolver.mx('nowhere.test');
  await resolver.mx('empty.test');
  t.equal(dns.queryCount('nowhere.test') + dns.queryCount('empty.test'), 4);
});

t.test('an SOA shorter than the configured negative TTL wins (RFC 2308)', async (t) => {
  const dns = await server(zone, 2);
  const clock = fakeClock();
  const resolver = resolverFor([dns], { clock, negativeTtlMs: 60_000 });
  await resolver.mx('nowhere.test');
  clock.ms += 1_999;
  await resolver.mx('nowhere.test');
  t.equal(dns.queryCount('nowhere.test'), 1);
  clock.ms += 1;
  await resolver.mx('nowhere.test');
  t.equal(dns.queryCount('nowhere.test'), 2);
});

t.test('servfail and timeout are never cached', async (t) => {
  const dns = await server();
  const resolver = resolverFor([dns], { timeoutMs: 100 });
  await resolver.mx('broken.test');
  await resolver.mx('broken.test');
  t.equal(dns.queryCount('broken.test'), 2);
  await resolver.mx('slow.test');
  await resolver.mx('slow.test');
  t.equal(dns.queryCount('slow.test'), 2);
});

t.test('concurrent identical lookups share one query', async (t) => {
  const dns = await server();
  const resolver = resolverFor([dns]);
  const results = await Promise.all(Array.from({ length: 20 }, () => resolver.mx('mail.test')));
  t.equal(dns.queryCount('mail.test', 'MX'), 1);
  t.ok(results.every((result) => result === results[0]), 'all callers get the same answer');
});

t.test('a failing or silent server is skipped for the next one', async (t) => {
  const healthy = await server();
  const failing = await server({ 'mail.test': { behaviour: 'servfail' } });
  const silent = await server({ 'mail.test': { behaviour: 'timeout' } });
  const afterServfail = resolverFor([failing, healthy]);
  t.equal((await afterServfail.mx('mail.test')).kind, 'records');
  t.equal(failing.queryCount('mail.test'), 1);
  const started = Date.now();
  const afterTimeout = resolverFor([silent, healthy], { timeoutMs: 600 });
  t.equal((await afterTimeout.mx('mail.test')).kind, 'records');
  t.ok(Date.now() - started < 1000, 'one timeout, then the next server');
  t.equal(silent.queryCount('mail.test'), 1);
  t.equal(healthy.queryCount('mail.test'), 2);
  const closed = await startDnsServer({});
  await closed.stop();
  const refusedStart = Date.now();
  t.equal((await resolverFor([closed, healthy], { timeoutMs: 2000 }).mx('mail.test')).kind, 'records');
  t.ok(Date.now() - refusedStart < 1000, 'a closed port fails fast (ICMP refused), well before the timeout');
  t.same(await resolverFor([silent, failing], { timeoutMs: 100 }).mx('mail.test'), { kind: 'servfail' }, 'mixed failures → servfail');
  t.same(await resolverFor([silent, silent], { timeoutMs: 100 }).mx('mail.test'), { kind: 'timeout' }, 'all silent → timeout');
});

t.test('a truncated UDP answer is retried over TCP', async (t) => {
  const dns = await server();
  const resolver = resolverFor([dns]);
  t.same(await resolver.addresses('big.test'), { kind: 'records', ttl: 300, records: ['127.0.0.5'] });
  t.equal(dns.queryCount('big.test', 'A'), 2, 'one UDP query, one TCP query');
});

t.test('a name that cannot exist is nxdomain without a query', async (t) => {
  const dns = await server();
  const resolver = resolverFor([dns]);
  for (const name of [`${'x'.repeat(64)}.test`, 'a..test', `${'abcdefgh.'.repeat(29)}test`, '']) {
    t.same(await resolver.mx(name), { kind: 'nxdomain' }, name.slice(0, 20));
  }
  t.equal(dns.queryCount(), 0);
});

t.test('server strings: host:port required form, names refused', async (t) => {
  const dns = await server();
  t.equal((await createResolver({ servers: [` ${dns.hostPort} `], timeoutMs: 300, negativeTtlMs: 1000 }).mx('mail.test')).kind, 'records');
  t.throws(() => createResolver({ servers: ['dns.example:53'], timeoutMs: 300, negativeTtlMs: 1000 }), { code: 'MTA_ERR_DNS' });
  t.throws(() => createResolver({ servers: ['127.0.0.1:99999'], timeoutMs: 300, negativeTtlMs: 1000 }), { code: 'MTA_ERR_DNS' });
});
