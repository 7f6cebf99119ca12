/**
 * Where mail for a recipient domain goes: `createRouter({ config, resolver })` → `Router` (routing-types.ts).
 * Order: address literal `[ip]` → static route (`delivery.routes`: exact domain, then `*`) → MX lookup with
 * implicit-MX fallback to the domain's own A/AAAA. MX hosts are sorted by preference (shuffled within one
 * preference), resolved, and hosts without an address skipped. The site comes from the best MX host
 * (sites.ts rollup), chosen deterministically so one domain always maps to one site. DNS failures are values:
 * permanent ones (null MX, NXDOMAIN, no address) → `undeliverable`, SERVFAIL/timeout → `temporary-failure`.
 */
import { isIP } from 'node:net';
import type { Config } from '../config/index.ts';
import { normaliseDnsName, type DnsResult, type MxRecord, type Resolver } from '../platform/index.ts';
import type { Route, RouteHost, Router } from './routing-types.ts';
import { createSiteMatcher, type SiteMatch } from './sites.ts';

export interface RouterOptions {
  readonly config: Config;
  readonly resolver: Resolver;
  /** Shuffles MX hosts of equal preference; injectable so tests can pin an order. */
  readonly random?: () => number;
}

const SMTP_PORT = 25;
/** More MX hosts than this are not worth resolving for one delivery attempt. */
const MAX_MX_HOSTS = 10;

function temporary(text: string): Route {
  return { kind: 'temporary-failure', text };
}

function isTemporary(result: DnsResult<unknown>): boolean {
  return result.kind === 'servfail' || result.kind === 'timeout';
}

/** `host`, `host:port`, `[v6]:port` → host + port (25 when absent). */
function parseHostPort(text: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text.trim());
  if (bracketed) return { host: bracketed[1] as string, port: Number(bracketed[2] ?? SMTP_PORT) };
  const at = text.lastIndexOf(':');
  if (at < 0 || isIP(text) === 6) return { host: text.trim(), port: SMTP_PORT };
  return { host: text.slice(0, at).trim(), port: Number(text.slice(at + 1)) };
}

/** Equal preferences in random order (load spreading, RFC 5321 §5.1), lower preferences first. */
function orderMx(records: readonly MxRecord[], random: () => number): MxRecord[] {
  const keyed = records.map((record) => ({ record, tiebreak: random() }));
  keyed.sort((a, b) => a.record.preference - b.record.preference || a.tiebreak - b.tiebreak);
  return keyed.map((entry) => entry.record);
}

/** The site's MX: the best preference, alphabetically first among equals, so the site does not flap. */
function siteHost(records: readonly MxRecord[]): string {
  const sorted = [...records].sort((a, b) => a.preference - b.preference || a.exchange.localeCompare(b.exchange));
  return (sorted[0] as MxRecord).exchange;
}

export function createRouter(options: RouterOptions): Router {
  const { config, resolver } = options;
  const random = options.random ?? Math.random;
  const siteFor = createSiteMatcher(config.delivery.sites);
  const staticRoutes = new Map(Object.entries(config.delivery.routes).map(([domain, target]) => [normaliseDnsName(domain), target]));

  async function resolveHost(host: string): Promise<DnsResult<string>> {
    if (isIP(host) !== 0) return { kind: 'records', records: [host], ttl: 0 };
    return resolver.addresses(host);
  }

  async function staticRoute(target: string): Promise<Route> {
    const { host, port } = parseHostPort(target);
    if (!host || !Number.isInteger(port) || port < 1 || port > 65535) return temporary(`static route "${target}" is not host:port`);
    const resolved = await resolveHost(host);
    // A broken smarthost is the operator's problem, not the recipient's: never bounce over it.
    if (resolved.kind !== 'records') return temporary(`static route host ${host} did not resolve (${resolved.kind})`);
    const hosts: RouteHost[] = [{ host, port, addresses: resolved.records, preference: 0 }];
    return { kind: 'hosts', site: `route:${host}:${port}`, hosts, tls: 'opportunistic' };
  }

  async function implicitMx(domain: string): Promise<Route> {
    const resolved = await resolver.addresses(domain);
    if (isTemporary(resolved)) return temporary(`DNS lookup of the addresses of ${domain} failed (${resolved.kind})`);
    if (resolved.kind === 'nxdomain') return { kind: 'undeliverable', reason: 'no-such-domain', text: `domain ${domain} does not exist` };
    if (resolved.kind !== 'records') return { kind: 'undeliverable', reason: 'no-address', text: `domain ${domain} has no MX and no address` };
    const match: SiteMatch = siteFor(domain);
    return { kind: 'hosts', site: match.site, tls: match.tls, hosts: [{ host: domain, port: SMTP_PORT, addresses: resolved.records, preference: 0 }] };
  }

  async function mxHosts(domain: string, records: readonly MxRecord[]): Promise<Route> {
    const ordered = orderMx(records, random).slice(0, MAX_MX_HOSTS);
    const resolved = await Promise.all(ordered.map((record) => resolveHost(record.exchange)));
    const hosts: RouteHost[] = [];
    ordered.forEach((record, index) => {
      const result = resolved[index] as DnsResult<string>;
      if (result.kind === 'records') hosts.push({ host: record.exchange, port: SMTP_PORT, addresses: result.records, preference: record.preference });
    });
    if (hosts.length === 0) {
      if (resolved.some(isTemporary)) return temporary(`DNS lookup of the MX hosts of ${domain} failed temporarily`);
      return { kind: 'undeliverable', reason: 'no-address', text: `no MX host of ${domain} has an address` };
    }
    const match = siteFor(siteHost(records));
    return { kind: 'hosts', site: match.site, tls: match.tls, hosts };
  }

  async function mxRoute(domain: string): Promise<Route> {
    const mx = await resolver.mx(domain);
    if (isTemporary(mx)) return temporary(`DNS lookup of MX for ${domain} failed (${mx.kind})`);
    if (mx.kind === 'nxdomain') return { kind: 'undeliverable', reason: 'no-such-domain', text: `domain ${domain} does not exist` };
    if (mx.kind !== 'records') return implicitMx(domain);
    // RFC 7505: a null MX (exchange ".") says the domain accepts no mail; it is ignored beside real MX hosts.
    const real = mx.records.filter((record) => record.exchange !== '.');
    if (real.length === 0) return { kind: 'undeliverable', reason: 'null-mx', text: `domain ${domain} accepts no mail (null MX, RFC 7505)` };
    return mxHosts(domain, real);
  }

  function addressLiteral(domain: string): Route | undefined {
    const literal = /^\[(?:ipv6:)?([^\]]+)\]$/i.exec(domain);
    if (!literal) return undefined;
    const address = literal[1] as string;
    if (isIP(address) === 0) return { kind: 'undeliverable', reason: 'no-such-domain', text: `invalid address literal ${domain}` };
    return { kind: 'hosts', site: `literal:${address}`, tls: 'opportunistic', hosts: [{ host: address, port: SMTP_PORT, addresses: [address], preference: 0 }] };
  }

  return {
    async route(rawDomain) {
      const domain = normaliseDnsName(rawDomain);
      if (domain === '') return { kind: 'undeliverable', reason: 'no-such-domain', text: 'empty recipient domain' };
      const literal = addressLiteral(domain);
      if (literal) return literal;
      const target = staticRoutes.get(domain) ?? staticRoutes.get('*');
      if (target !== undefined) return staticRoute(target);
      return mxRoute(domain);
    },
  };
}
