/**
 * The mixed scenario file expands into the world the issue describes: four classes with their
 * shares, 1,000 small domains with exact fate counts, one address per receiver, MX fallbacks for
 * dead / silent primaries, and a zone that names every MX host. Pure (no sockets).
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parseScenario } from './scenario.ts';
import { addressPlus, expandWorld } from './world-expand.ts';

const scenario = parseScenario(readFileSync(new URL('./scenarios/mixed.yaml', import.meta.url), 'utf8'));
const world = expandWorld(scenario);

t.test('classes and shares', async (t) => {
  t.same(scenario.sites.map((s) => [s.name, s.share]), [['gmail-like', 40], ['microsoft-like', 25], ['yahoo-like', 15], ['small', 20]]);
  t.equal(scenario.sites[3]?.domains.length, 1000);
  t.equal(scenario.sites[3]?.domains[0], 'd0001-small.test');
});

t.test('small domains: exact fate counts from the shares', async (t) => {
  const fates: Record<string, number> = {};
  for (const d of world.domains.filter((x) => x.siteClass === 'small')) fates[d.fate] = (fates[d.fate] ?? 0) + 1;
  t.same(fates, { dead: 3, 'dead-primary': 40, 'silent-primary': 20, greylist: 100, 'slow-banner': 50, normal: 787 });
  const deadPrimary = world.domains.find((d) => d.fate === 'dead-primary');
  t.same(deadPrimary?.mx.map((m) => [m.preference, m.address === '127.0.9.1']), [[10, true], [20, false]], 'falls back to a working MX');
});

t.test('receivers and zone', async (t) => {
  const addresses = world.receivers.map((r) => r.address);
  t.equal(new Set(addresses).size, addresses.length, 'one receiver per address');
  t.equal(world.receivers.length, 5 + 997 + 1, 'big MX hosts + live small domains + the silent host');
  t.same(world.zone['gmail.test']?.MX?.map((m) => m.exchange), ['gmail-smtp-in.l.gmail-like.test', 'alt1.gmail-smtp-in.l.gmail-like.test']);
  const normal = world.domains.find((d) => d.siteClass === 'small' && d.fate === 'normal');
  t.same(world.zone[`mx.${normal?.domain}`]?.A, [world.receivers.find((r) => r.site === normal?.domain)?.address]);
  t.same(world.zone['mx.d0001-small.test']?.A, ['127.0.9.1'], 'd0001 is one of the dead domains: its MX is refused');
  t.equal(addressPlus('127.0.2.1', 999), '127.0.5.232');
  const noTls = world.receivers.filter((r) => !r.behaviour.tls).length;
  t.ok(noTls >= 197 && noTls <= 200, `noTlsShare 0.2 of 1,000 small domains, less the dead ones (${noTls})`);
});
