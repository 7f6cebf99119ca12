/**
 * The caching DNS resolver: `createResolver({ servers, timeoutMs, negativeTtlMs, clock })` → `Resolver` with
 * `mx`, `addresses` (A then AAAA), `a` (A only) and `txt`, each returning a `DnsResult` (records with their TTL, nxdomain,
 * nodata, servfail, timeout) — expected DNS outcomes are values, never exceptions. Queries go over UDP/TCP with
 * dns-packet so real TTLs are honoured (node:dns resolveMx has none). Invariants: positive answers are cached for
 * the smallest TTL of their RRset, negative ones for min(SOA negative TTL, negativeTtlMs); servfail and timeout
 * are never cached; concurrent identical lookups share one query; servers are tried in order until one answers.
 */
import { getServers } from 'node:dns';
import type { Config } from '../config/index.ts';
import { parseDuration } from '../domain/index.ts';
import { queryServer, parseServer, type NameServer, type QueryType, type ServerAnswer } from './dns-transport.ts';

export interface MxRecord {
  readonly preference: number;
  /** Exchange host, lower case, no trailing dot; `.` for an RFC 7505 null MX. */
  readonly exchange: string;
}

export type DnsResult<T> =
  /** `ttl` in seconds: the smallest TTL of the RRset, as received. */
  | { readonly kind: 'records'; readonly records: readonly T[]; readonly ttl: number }
  | { readonly kind: 'nxdomain' }
  | { readonly kind: 'nodata' }
  | { readonly kind: 'servfail' }
  | { readonly kind: 'timeout' };

export interface Resolver {
  mx(name: string): Promise<DnsResult<MxRecord>>;
  /** IPv4 addresses first, then IPv6. */
  addresses(name: string): Promise<DnsResult<string>>;
  /** IPv4 addresses only (one A query): DNSBL lookups, which answer in 127.0.0.0/8. */
  a(name: string): Promise<DnsResult<string>>;
  /** Each TXT record's strings joined into one. */
  txt(name: string): Promise<DnsResult<string>>;
}

export interface ResolverOptions {
  /** `host` or `host:port` (IP addresses); empty → the system's resolvers (as node:dns reads /etc/resolv.conf). */
  readonly servers: readonly string[];
  /** Per server attempt (UDP plus the TCP retry of a truncated answer). */
  readonly timeoutMs: number;
  /** Cap (and default, when the answer has no SOA) for caching nxdomain/nodata. */
  readonly negativeTtlMs: number;
  readonly clock?: { now(): number };
  /** Bound on cached answers; the oldest entries go first. */
  readonly maxEntries?: number;
}

type Answer = ServerAnswer & { kind: 'response' };
type AnyRecord = MxRecord | string;

interface CacheEntry {
  readonly result: DnsResult<AnyRecord>;
  readonly expiresAt: number;
}

const DEFAULT_MAX_ENTRIES = 50_000;
/** Even a long TTL is re-checked daily. */
const MAX_TTL_SECONDS = 86_400;

export function normaliseDnsName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** A name that cannot exist in DNS (empty label, label over 63 octets, over 253 in all) is never asked. */
function isQueryableName(name: string): boolean {
  if (name === '' || Buffer.byteLength(name) > 253) return false;
  return name.split('.').every((label) => label.length > 0 && Buffer.byteLength(label) <= 63);
}

function extractRecords(answer: Answer, type: QueryType): { records: AnyRecord[]; ttl: number } {
  const records: AnyRecord[] = [];
  let ttl = MAX_TTL_SECONDS;
  for (const record of answer.response.answers ?? []) {
    // CNAME chains count for the TTL: the answer is only as fresh as its least fresh link.
    if (record.type === 'CNAME' || record.type === type) ttl = Math.min(ttl, record.ttl ?? 0);
    if (record.type === 'MX' && type === 'MX') {
      records.push({ preference: record.data.preference ?? 0, exchange: normaliseDnsName(record.data.exchange) || '.' });
    } else if ((record.type === 'A' || record.type === 'AAAA') && record.type === type) {
      records.push(record.data);
    } else if (record.type === 'TXT' && type === 'TXT') {
      const parts = Array.isArray(record.data) ? record.data : [record.data];
      records.push(parts.map((part) => part.toString()).join(''));
    }
  }
  return { records, ttl };
}

/** RFC 2308: the negative TTL is min(SOA TTL, SOA minimum); capped by the configured negative TTL. */
function negativeTtlMs(answer: Answer, configuredMs: number): number {
  const soa = (answer.response.authorities ?? []).find((record) => record.type === 'SOA');
  if (!soa || soa.type !== 'SOA') return configuredMs;
  const seconds = Math.min(soa.ttl ?? 0, soa.data.minimum ?? 0);
  return Math.min(seconds * 1000, configuredMs);
}

function interpret(answer: Answer, type: QueryType, configuredNegativeMs: number): { result: DnsResult<AnyRecord>; cacheMs: number } {
  const rcode = answer.response.rcode ?? 'NOERROR';
  if (rcode === 'NXDOMAIN') return { result: { kind: 'nxdomain' }, cacheMs: negativeTtlMs(answer, configuredNegativeMs) };
  if (rcode !== 'NOERROR') return { result: { kind: 'servfail' }, cacheMs: 0 };
  const { records, ttl } = extractRecords(answer, type);
  if (records.length === 0) return { result: { kind: 'nodata' }, cacheMs: negativeTtlMs(answer, configuredNegativeMs) };
  return { result: { kind: 'records', records, ttl }, cacheMs: ttl * 1000 };
}

function systemServers(): NameServer[] {
  return getServers().map(parseServer);
}

/** Resolver options from the validated `dns` config section (durations parsed here, once). */
export function resolverOptionsFrom(dns: Config['dns'], clock?: { now(): number }): ResolverOptions {
  return { servers: dns.servers, timeoutMs: parseDuration(dns.timeout), negativeTtlMs: parseDuration(dns.negativeTtl), ...(clock ? { clock } : {}) };
}

export function createResolver(options: ResolverOptions): Resolver {
  const servers = options.servers.length > 0 ? options.servers.map(parseServer) : systemServers();
  const clock = options.clock ?? Date;
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const cache = new Map<string, CacheEntry>();
  const inFlight = new Map<string, Promise<DnsResult<AnyRecord>>>();

  /** Servers in order; a SERVFAIL/REFUSED, error or timeout moves on to the next one. */
  async function ask(name: string, type: QueryType): Promise<{ result: DnsResult<AnyRecord>; cacheMs: number }> {
    let allTimedOut = true;
    for (const server of servers) {
      const answer = await queryServer(server, name, type, options.timeoutMs);
      if (answer.kind === 'timeout') continue;
      allTimedOut = false;
      if (answer.kind === 'error') continue;
      const interpreted = interpret(answer, type, options.negativeTtlMs);
      if (interpreted.result.kind !== 'servfail') return interpreted;
    }
    return { result: { kind: allTimedOut ? 'timeout' : 'servfail' }, cacheMs: 0 };
  }

  function remember(key: string, result: DnsResult<AnyRecord>, cacheMs: number): void {
    if (cacheMs <= 0) return;
    cache.delete(key);
    cache.set(key, { result, expiresAt: clock.now() + cacheMs });
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
  }

  function lookup(rawName: string, type: QueryType): Promise<DnsResult<AnyRecord>> {
    const name = normaliseDnsName(rawName);
    if (!isQueryableName(name)) return Promise.resolve({ kind: 'nxdomain' });
    const key = `${type} ${name}`;
    const cached = cache.get(key);
    if (cached && cached.expiresAt > clock.now()) return Promise.resolve(cached.result);
    if (cached) cache.delete(key);
    const pending = inFlight.get(key);
    if (pending) return pending;
    const query = ask(name, type)
      .then(({ result, cacheMs }) => {
        remember(key, result, cacheMs);
        return result;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, query);
    return query;
  }

  async function addresses(name: string): Promise<DnsResult<string>> {
    const [v4, v6] = (await Promise.all([lookup(name, 'A'), lookup(name, 'AAAA')])) as DnsResult<string>[] as [DnsResult<string>, DnsResult<string>];
    if (v4.kind === 'records' && v6.kind === 'records') {
      return { kind: 'records', records: [...v4.records, ...v6.records], ttl: Math.min(v4.ttl, v6.ttl) };
    }
    // One family answering is enough; otherwise the more telling failure wins.
    for (const kind of ['records', 'nxdomain', 'servfail', 'timeout'] as const) {
      if (v4.kind === kind) return v4;
      if (v6.kind === kind) return v6;
    }
    return { kind: 'nodata' };
  }

  return {
    mx: (name) => lookup(name, 'MX') as Promise<DnsResult<MxRecord>>,
    addresses,
    a: (name) => lookup(name, 'A') as Promise<DnsResult<string>>,
    txt: (name) => lookup(name, 'TXT') as Promise<DnsResult<string>>,
  };
}
