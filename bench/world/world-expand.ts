/**
 * Expands a parsed scenario into the simulated world (pure, deterministic): every domain with its
 * MX hosts and fate, every receiver address with its counting site and behaviour, and the DNS zone
 * (domain → MX, MX host → A). Exports expandWorld. Small domains get one address each, counted
 * upwards from smallHosting.firstAddress; their fates are spread by a fixed permutation of the
 * domain index, so a share of 0.04 over 1,000 domains is exactly 40 domains.
 */
import type { DnsZone, ZoneEntry } from '../../test/support/dns-server.ts';
import type { DomainSpec, MxSpec, ReceiverSpec, Scenario, SiteSpec, SmallHosting, World } from './scenario.ts';

type Fate = DomainSpec['fate'];

/** `127.0.2.1` + 300 → `127.0.3.45`. */
export function addressPlus(address: string, offset: number): string {
  const value = address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0) + offset;
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Position of domain `index` in a fixed permutation, as a fraction of [0, 1). */
function spread(index: number, count: number, stride: number): number {
  return ((index * stride) % count) / count;
}

function fateOf(index: number, count: number, h: SmallHosting): Fate {
  const position = spread(index, count, 7919);
  const bands: [Fate, number][] = [
    ['dead', h.deadShare],
    ['dead-primary', h.deadPrimaryShare],
    ['silent-primary', h.silentPrimaryShare],
    ['greylist', h.greylistShare],
    ['slow-banner', h.slowBannerShare],
  ];
  let upper = 0;
  for (const [fate, width] of bands) {
    upper += width;
    if (position < upper - 1e-9) return fate;
  }
  return 'normal';
}

function expandSmall(site: SiteSpec, h: SmallHosting, receivers: ReceiverSpec[], domains: DomainSpec[]): void {
  const count = site.domains.length;
  site.domains.forEach((domain, index) => {
    const fate = fateOf(index, count, h);
    const own = addressPlus(h.firstAddress, index);
    const primary = (address: string): MxSpec => ({ host: `mx1.${domain}`, preference: 10, address });
    const ownMx: MxSpec = { host: `mx.${domain}`, preference: fate === 'normal' || fate === 'greylist' || fate === 'slow-banner' ? 10 : 20, address: own };
    const mx: MxSpec[] =
      fate === 'dead' ? [{ host: `mx.${domain}`, preference: 10, address: h.refusedAddress }]
      : fate === 'dead-primary' ? [primary(h.refusedAddress), ownMx]
      : fate === 'silent-primary' ? [primary(h.silentAddress), ownMx]
      : [ownMx];
    domains.push({ domain, siteClass: site.name, fate, mx });
    if (fate === 'dead') return;
    const tls = site.receiver.tls && spread(index, count, 104729) >= h.noTlsShare;
    receivers.push({
      address: own,
      site: domain,
      behaviour: { ...site.receiver, tls },
      silent: false,
      bannerDelayMs: fate === 'slow-banner' ? h.slowBannerDelayMs : 0,
      ...(fate === 'greylist' && { greylistMinDelayMs: h.greylistMinDelayMs }),
    });
  });
  if (domains.some((d) => d.siteClass === site.name && d.fate === 'silent-primary')) {
    receivers.push({ address: h.silentAddress, site: 'silent-host', behaviour: site.receiver, silent: true, bannerDelayMs: 0 });
  }
}

function zoneOf(domains: readonly DomainSpec[]): DnsZone {
  const zone: Record<string, ZoneEntry> = {};
  for (const d of domains) {
    zone[d.domain] = { MX: d.mx.map((m) => ({ preference: m.preference, exchange: m.host })) };
    for (const m of d.mx) zone[m.host] = { A: [m.address] };
  }
  return zone;
}

export function expandWorld(scenario: Scenario): World {
  const receivers: ReceiverSpec[] = [];
  const domains: DomainSpec[] = [];
  for (const site of scenario.sites) {
    if (site.smallHosting) {
      expandSmall(site, site.smallHosting, receivers, domains);
      continue;
    }
    for (const m of site.mx) receivers.push({ address: m.address, site: site.name, behaviour: site.receiver, silent: false, bannerDelayMs: 0 });
    for (const domain of site.domains) domains.push({ domain, siteClass: site.name, fate: 'normal', mx: site.mx });
  }
  const seen = new Set<string>();
  for (const r of receivers) {
    if (seen.has(r.address)) throw new Error(`scenario: address ${r.address} is used by two receivers`);
    seen.add(r.address);
  }
  return { scenario, receivers, domains, zone: zoneOf(domains) };
}
