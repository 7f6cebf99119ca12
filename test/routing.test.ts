// The router against the real test DNS server on loopback: MX order and fallback, implicit MX, null MX,
// NXDOMAIN, no address, SERVFAIL/timeout → temporary, static routes, site rollup and TLS from config.
import t from 'tap';
import { loadConfig } from '../src/config/index.ts';
import { createResolver, resolverOptionsFrom } from '../src/platform/index.ts';
import { createRouter } from '../src/delivery/routing.ts';
import type { Route } from '../src/delivery/routing-types.ts';
import { startDnsServer, type DnsZone } from './support/dns-server.ts';

const zone: DnsZone = {
  'multi.test': {
    MX: [
      { preference: 30, exchange: 'gone.multi.test' },
      { preference: 20, exchange: 'c.multi.test' },
      { preference: 10, exchange: 'a.multi.test' },
      { preference: 10, exchange: 'b.multi.test' },
    ],
  },
  'a.multi.test': { A: ['127.0.0.21'] },
  'b.multi.test': { A: ['127.0.0.22'], AAAA: ['::1'] },
  'c.multi.test': { A: ['127.0.0.23'] },
  'bare.test': { A: ['127.0.0.30'] },
  'nullmx.test': { MX: [{ preference: 0, exchange: '.' }] },
  'noaddr.test': { MX: [{ preference: 10, exchange: 'missing.noaddr.test' }] },
  'nothing.test': {},
  'broken.test': { behaviour: 'servfail' },
  'slow.test': { behaviour: 'timeout' },
  'flaky-host.test': { MX: [{ preference: 10, exchange: 'mx.broken.test' }] },
  'mx.broken.test': { behaviour: 'servfail' },
  'gmail-one.test': { MX: [{ preference: 5, exchange: 'a.mx.google.com' }] },
  'gmail-two.test': { MX: [{ preference: 5, exchange: 'b.mx.google.com' }, { preference: 10, exchange: 'alt.b.mx.google.com' }] },
  'a.mx.google.com': { A: ['127.0.0.40'] },
  'b.mx.google.com': { A: ['127.0.0.41'] },
  'alt.b.mx.google.com': { A: ['127.0.0.42'] },
  'uk-one.test': { MX: [{ preference: 10, exchange: 'mx1.provider.co.uk' }] },
  'uk-two.test': { MX: [{ preference: 10, exchange: 'mx2.provider.co.uk' }] },
  'mx1.provider.co.uk': { A: ['127.0.0.51'] },
  'mx2.provider.co.uk': { A: ['127.0.0.52'] },
  'strict.test': { MX: [{ preference: 10, exchange: 'in.strict-mail.test' }] },
  'in.strict-mail.test': { A: ['127.0.0.60'] },
  'smarthost.test': { A: ['127.0.0.70'] },
};

const dns = await startDnsServer(zone);
t.teardown(() => dns.stop());

function routerWith(overrides: Record<string, unknown> = {}, random?: () => number) {
  const config = loadConfig({ env: {}, overrides: { dns: { servers: [dns.hostPort] }, ...overrides } });
  const resolver = createResolver({ ...resolverOptionsFrom(config.dns), timeoutMs: 1000 });
  return createRouter({ config, resolver, ...(random ? { random } : {}) });
}

function hostsOf(route: Route) {
  if (route.kind !== 'hosts') throw new Error(`expected hosts, got ${JSON.stringify(route)}`);
  return route.hosts;
}

t.test('MX hosts in preference order, equal preferences shuffled, hosts without address skipped', async (t) => {
  const pinned = await routerWith({}, () => 0.5).route('multi.test');
  t.same(hostsOf(pinned), [
    { host: 'a.multi.test', port: 25, addresses: ['127.0.0.21'], preference: 10 },
    { host: 'b.multi.test', port: 25, addresses: ['127.0.0.22', '::1'], preference: 10 },
    { host: 'c.multi.test', port: 25, addresses: ['127.0.0.23'], preference: 20 },
  ]);
  t.equal(pinned.kind === 'hosts' && pinned.site, 'multi.test');
  const router = routerWith();
  const firstHosts = new Set<string>();
  for (let i = 0; i < 40; i++) {
    const hosts = hostsOf(await router.route('MULTI.test'));
    firstHosts.add(hosts[0]?.host ?? '');
    t.equal(hosts[2]?.host, 'c.multi.test');
  }
  t.same([...firstHosts].sort(), ['a.multi.test', 'b.multi.test'], 'both preference-10 hosts come first in turn');
});

t.test('no MX → the domain itself (implicit MX, preference 0)', async (t) => {
  const route = await routerWith().route('bare.test');
  t.same(hostsOf(route), [{ host: 'bare.test', port: 25, addresses: ['127.0.0.30'], preference: 0 }]);
});

t.test('permanent DNS outcomes are undeliverable with their reason', async (t) => {
  const router = routerWith();
  t.match(await router.route('nullmx.test'), { kind: 'undeliverable', reason: 'null-mx' });
  t.match(await router.route('nowhere.test'), { kind: 'undeliverable', reason: 'no-such-domain' });
  t.match(await router.route('noaddr.test'), { kind: 'undeliverable', reason: 'no-address' });
  t.match(await router.route('nothing.test'), { kind: 'undeliverable', reason: 'no-address' });
});

t.test('SERVFAIL and timeout are temporary failures', async (t) => {
  const router = routerWith();
  t.match(await router.route('broken.test'), { kind: 'temporary-failure', text: /servfail/ });
  t.match(await router.route('slow.test'), { kind: 'temporary-failure', text: /timeout/ });
  t.match(await router.route('flaky-host.test'), { kind: 'temporary-failure' }, 'the only MX host failed to resolve');
});

t.test('static routes win over DNS: exact domain, then *', async (t) => {
  const router = routerWith({ delivery: { routes: { 'Multi.Test': '127.0.0.9:2526', '*': 'smarthost.test:2525' } } });
  t.same(await router.route('multi.test'), {
    kind: 'hosts',
    site: 'route:127.0.0.9:2526',
    tls: 'opportunistic',
    hosts: [{ host: '127.0.0.9', port: 2526, addresses: ['127.0.0.9'], preference: 0 }],
  });
  t.same(hostsOf(await router.route('nowhere.test')), [{ host: 'smarthost.test', port: 2525, addresses: ['127.0.0.70'], preference: 0 }]);
  const broken = routerWith({ delivery: { routes: { '*': 'missing.test:25' } } });
  t.match(await broken.route('multi.test'), { kind: 'temporary-failure' }, 'an unresolvable smarthost defers, never bounces');
});

t.test('site rollup: configured providers by pattern, others by registrable suffix', async (t) => {
  const router = routerWith();
  const one = await router.route('gmail-one.test');
  const two = await router.route('gmail-two.test');
  t.match(one, { kind: 'hosts', site: 'google', tls: 'opportunistic' });
  t.match(two, { kind: 'hosts', site: 'google' });
  t.equal(hostsOf(two).length, 2);
  t.match(await router.route('uk-one.test'), { kind: 'hosts', site: 'provider.co.uk' });
  t.match(await router.route('uk-two.test'), { kind: 'hosts', site: 'provider.co.uk' });
});

t.test('TLS policy comes from the site entry', async (t) => {
  const router = routerWith({ delivery: { sites: [{ name: 'strict', mx: ['*.strict-mail.test'], tls: 'required' }] } });
  t.match(await router.route('strict.test'), { kind: 'hosts', site: 'strict', tls: 'required' });
});

t.test('address literals route to the address itself', async (t) => {
  const router = routerWith();
  t.same(hostsOf(await router.route('[127.0.0.8]')), [{ host: '127.0.0.8', port: 25, addresses: ['127.0.0.8'], preference: 0 }]);
  t.match(await router.route('[not-an-ip]'), { kind: 'undeliverable', reason: 'no-such-domain' });
});
