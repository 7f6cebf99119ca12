/**
 * World scenario files (bench/world/scenarios/*.yaml), pure: parse + check a scenario, and expand it
 * into the simulated world — every domain with its MX hosts, every receiver address with its site
 * and behaviour, and the DNS zone. Exports parseScenario, expandWorld and their types.
 * Invariants: unknown keys and bad values throw (naming the key); expansion is deterministic (the
 * same file always gives the same world); a small domain's fate (greylist, dead MX, …) comes from
 * its index, never from chance.
 */
import { parse as parseYaml } from 'yaml';
import type { DnsZone } from '../../test/support/dns-server.ts';
import { checkKeys, num, obj, share, str, durationMs, list } from './scenario-check.ts';

export interface ReceiverBehaviour {
  readonly tls: boolean;
  readonly unknownUserShare: number;
  /** GCRA per source IP over all the site's hosts; beyond it `421 4.7.28`. */
  readonly ratePerIp?: { readonly perSecond: number; readonly burst: number };
  /** Open connections per source IP over all the site's hosts; one more gets `451 4.7.500`. */
  readonly connectionsPerIp?: number;
  /** Share of transactions answered `421 4.7.0 [TSS04]` at MAIL FROM. */
  readonly deferShare?: number;
}

export interface SmallHosting {
  readonly firstAddress: string;
  readonly refusedAddress: string;
  readonly silentAddress: string;
  readonly greylistShare: number;
  readonly greylistMinDelayMs: number;
  readonly slowBannerShare: number;
  readonly slowBannerDelayMs: number;
  readonly deadPrimaryShare: number;
  readonly silentPrimaryShare: number;
  readonly deadShare: number;
  readonly noTlsShare: number;
}

export interface MxSpec {
  readonly host: string;
  readonly preference: number;
  readonly address: string;
}

export interface SiteSpec {
  readonly name: string;
  readonly share: number;
  readonly domains: readonly string[];
  readonly mx: readonly MxSpec[];
  readonly receiver: ReceiverBehaviour;
  readonly smallHosting?: SmallHosting;
  /** What Ferry is configured with for this site (delivery.sites[] entry, without the name). */
  readonly ferry: { readonly mx: readonly string[]; readonly limits: Readonly<Record<string, number>> };
}

export interface Scenario {
  readonly name: string;
  readonly messages: number;
  readonly sizes: string;
  readonly recipients: Readonly<Record<string, number>>;
  readonly sender: string;
  readonly seed: number;
  readonly sites: readonly SiteSpec[];
}

/** One listening receiver: an address (port 25 in a real run) serving one site's rules. */
export interface ReceiverSpec {
  readonly address: string;
  /** Counting key: the provider site, or the small domain itself (Ferry's site for it). */
  readonly site: string;
  readonly behaviour: ReceiverBehaviour;
  readonly silent: boolean;
  readonly bannerDelayMs: number;
  readonly greylistMinDelayMs?: number;
}

export interface DomainSpec {
  readonly domain: string;
  /** The scenario site (class) it belongs to. */
  readonly siteClass: string;
  /** dead: no MX host accepts mail; such mail is never delivered in the run. */
  readonly fate: 'normal' | 'greylist' | 'slow-banner' | 'dead-primary' | 'silent-primary' | 'dead';
  readonly mx: readonly MxSpec[];
}

export interface World {
  readonly scenario: Scenario;
  readonly receivers: readonly ReceiverSpec[];
  readonly domains: readonly DomainSpec[];
  readonly zone: DnsZone;
}

function parseReceiver(raw: unknown, where: string): ReceiverBehaviour {
  const r = obj(raw, where);
  checkKeys(r, ['tls', 'unknownUserShare', 'ratePerIp', 'connectionsPerIp', 'deferShare'], where);
  const rate = r.ratePerIp === undefined ? undefined : obj(r.ratePerIp, `${where}.ratePerIp`);
  if (rate) checkKeys(rate, ['perSecond', 'burst'], `${where}.ratePerIp`);
  return {
    tls: r.tls !== false,
    unknownUserShare: r.unknownUserShare === undefined ? 0 : share(r.unknownUserShare, `${where}.unknownUserShare`),
    ...(rate && { ratePerIp: { perSecond: num(rate.perSecond, `${where}.ratePerIp.perSecond`, 0.001), burst: num(rate.burst ?? 0, `${where}.ratePerIp.burst`, 0) } }),
    ...(r.connectionsPerIp !== undefined && { connectionsPerIp: num(r.connectionsPerIp, `${where}.connectionsPerIp`, 1) }),
    ...(r.deferShare !== undefined && { deferShare: share(r.deferShare, `${where}.deferShare`) }),
  };
}

const HOSTING_SHARES = ['greylistShare', 'slowBannerShare', 'deadPrimaryShare', 'silentPrimaryShare', 'deadShare', 'noTlsShare'] as const;

function parseHosting(raw: unknown, where: string): SmallHosting {
  const h = obj(raw, where);
  checkKeys(h, ['firstAddress', 'refusedAddress', 'silentAddress', 'greylistMinDelay', 'slowBannerDelay', ...HOSTING_SHARES], where);
  const shares = Object.fromEntries(HOSTING_SHARES.map((key) => [key, h[key] === undefined ? 0 : share(h[key], `${where}.${key}`)]));
  return {
    firstAddress: str(h.firstAddress, `${where}.firstAddress`),
    refusedAddress: str(h.refusedAddress, `${where}.refusedAddress`),
    silentAddress: str(h.silentAddress, `${where}.silentAddress`),
    greylistMinDelayMs: durationMs(h.greylistMinDelay ?? '0s', `${where}.greylistMinDelay`),
    slowBannerDelayMs: durationMs(h.slowBannerDelay ?? '0s', `${where}.slowBannerDelay`),
    ...(shares as Record<(typeof HOSTING_SHARES)[number], number>),
  };
}

function parseDomains(s: Record<string, unknown>, where: string): string[] {
  const named = s.domains === undefined ? [] : list(s.domains, `${where}.domains`).map((d, i) => str(d, `${where}.domains[${i}]`).toLowerCase());
  if (s.generatedDomains === undefined) return named;
  const g = obj(s.generatedDomains, `${where}.generatedDomains`);
  checkKeys(g, ['prefix', 'suffix', 'count'], `${where}.generatedDomains`);
  const count = num(g.count, `${where}.generatedDomains.count`, 1);
  const width = String(count).length;
  const prefix = str(g.prefix, `${where}.generatedDomains.prefix`);
  const suffix = str(g.suffix, `${where}.generatedDomains.suffix`);
  return [...named, ...Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(width, '0')}${suffix}`.toLowerCase())];
}

function parseSite(raw: unknown, index: number): SiteSpec {
  const where = `sites[${index}]`;
  const s = obj(raw, where);
  checkKeys(s, ['name', 'share', 'domains', 'generatedDomains', 'mx', 'receiver', 'smallHosting', 'ferry'], where);
  const domains = parseDomains(s, where);
  if (domains.length === 0) throw new Error(`${where}: no domains`);
  const mx = s.mx === undefined ? [] : list(s.mx, `${where}.mx`).map((m, i) => {
    const e = obj(m, `${where}.mx[${i}]`);
    checkKeys(e, ['host', 'preference', 'address'], `${where}.mx[${i}]`);
    return { host: str(e.host, `${where}.mx[${i}].host`).toLowerCase(), preference: num(e.preference, `${where}.mx[${i}].preference`, 0), address: str(e.address, `${where}.mx[${i}].address`) };
  });
  const smallHosting = s.smallHosting === undefined ? undefined : parseHosting(s.smallHosting, `${where}.smallHosting`);
  if (mx.length === 0 && !smallHosting) throw new Error(`${where}: needs mx or smallHosting`);
  const ferry = obj(s.ferry ?? {}, `${where}.ferry`);
  checkKeys(ferry, ['mx', 'limits'], `${where}.ferry`);
  const limits = obj(ferry.limits ?? {}, `${where}.ferry.limits`);
  checkKeys(limits, ['maxConnections', 'maxMessagesPerConnection', 'maxMessagesPerSecond'], `${where}.ferry.limits`);
  return {
    name: str(s.name, `${where}.name`),
    share: num(s.share, `${where}.share`, 0),
    domains,
    mx,
    receiver: parseReceiver(s.receiver ?? {}, `${where}.receiver`),
    ...(smallHosting && { smallHosting }),
    ferry: {
      mx: ferry.mx === undefined ? [] : list(ferry.mx, `${where}.ferry.mx`).map((p, i) => str(p, `${where}.ferry.mx[${i}]`)),
      limits: Object.fromEntries(Object.entries(limits).map(([k, v]) => [k, num(v, `${where}.ferry.limits.${k}`, 0)])),
    },
  };
}

export function parseScenario(text: string): Scenario {
  const root = obj(parseYaml(text), 'scenario');
  checkKeys(root, ['name', 'messages', 'sizes', 'recipients', 'sender', 'seed', 'sites'], 'scenario');
  const recipients = obj(root.recipients ?? { 1: 1 }, 'recipients');
  for (const [k, v] of Object.entries(recipients)) {
    num(Number(k), `recipients key ${k}`, 1);
    num(v, `recipients.${k}`, 0);
  }
  const sites = list(root.sites, 'sites').map(parseSite);
  if (sites.reduce((sum, s) => sum + s.share, 0) <= 0) throw new Error('sites: shares add up to 0');
  return {
    name: str(root.name, 'name'),
    messages: num(root.messages, 'messages', 1),
    sizes: str(root.sizes ?? '5k', 'sizes'),
    recipients: recipients as Record<string, number>,
    sender: str(root.sender ?? 'sender@example.com', 'sender'),
    seed: num(root.seed ?? 1, 'seed', 0),
    sites,
  };
}
