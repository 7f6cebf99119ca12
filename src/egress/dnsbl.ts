/**
 * One DNSBL lookup of one sending IP in one zone (Spamhaus ZEN style): the query name is the IP
 * reversed (IPv4 octets, IPv6 nibbles) under the zone, asked as an A query through Ferry's
 * resolver. Exports dnsblQueryName, interpretDnsblAnswer, lookupDnsbl and DnsblResult.
 * Invariants: NXDOMAIN/NODATA → `clear`; an A record in 127.0.0.0/8 → `listed` with the zone's
 * meaning of the code (`listed` when unknown); the zone's own error answers (127.255.255.x:
 * refused, public resolver, rate limited), SERVFAIL, timeout and non-127 answers → `error`, which
 * callers must never read as "not listed".
 */
import { isIP } from 'node:net';
import { ErrorCodes, FerryError } from '../domain/index.ts';
import type { DnsResult, Resolver } from '../platform/index.ts';

export interface DnsblZone {
  readonly name: string;
  /** Return code (A record) → meaning, e.g. { "127.0.0.2": "sbl" }. */
  readonly codes: Readonly<Record<string, string>>;
}

export type DnsblResult =
  /** `code`: the answered A record(s), sorted, comma-separated; `meaning`: their meanings likewise. */
  | { readonly kind: 'listed'; readonly code: string; readonly meaning: string }
  | { readonly kind: 'clear' }
  | { readonly kind: 'error'; readonly why: string };

/** The eight 16-bit groups of an IPv6 address as 4-digit hex strings (`::` and an IPv4 tail expanded). */
function ipv6Groups(address: string): string[] {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail) {
    const octets = (v4Tail[1] as string).split('.').map(Number);
    const high = (((octets[0] ?? 0) << 8) | (octets[1] ?? 0)).toString(16);
    const low = (((octets[2] ?? 0) << 8) | (octets[3] ?? 0)).toString(16);
    text = `${text.slice(0, v4Tail.index)}${high}:${low}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups];
  return groups.map((group) => group.padStart(4, '0'));
}

/** `1.2.3.4` in `zen.example` → `4.3.2.1.zen.example`; IPv6 → 32 reversed nibbles. */
export function dnsblQueryName(address: string, zone: string): string {
  const zoneName = zone.replace(/\.$/, '');
  const family = isIP(address.replace(/%.*$/, ''));
  if (family === 4) return `${address.split('.').reverse().join('.')}.${zoneName}`;
  if (family === 6) return `${ipv6Groups(address).join('').split('').reverse().join('.')}.${zoneName}`;
  throw new FerryError(ErrorCodes.INVALID_INPUT, `DNSBL lookup: ${JSON.stringify(address)} is not an IP address`);
}

/** 127.0.0.10 sorts after 127.0.0.2. */
function byAddressValue(a: string, b: string): number {
  const value = (text: string) => text.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  return value(a) - value(b);
}

/** What the zone's answer means for the IP; see the header for the rules. */
export function interpretDnsblAnswer(result: DnsResult<string>, zone: DnsblZone): DnsblResult {
  if (result.kind === 'nxdomain' || result.kind === 'nodata') return { kind: 'clear' };
  if (result.kind !== 'records') return { kind: 'error', why: `${zone.name}: ${result.kind}` };
  const zoneError = result.records.find((address) => address.startsWith('127.255.255.'));
  if (zoneError) return { kind: 'error', why: `${zone.name}: query refused by the zone (${zoneError})` };
  const foreign = result.records.find((address) => isIP(address) !== 4 || !address.startsWith('127.'));
  // A resolver that rewrites NXDOMAIN (ads, captive portals) answers outside 127/8: not a DNSBL answer.
  if (foreign) return { kind: 'error', why: `${zone.name}: answer ${foreign} is outside 127.0.0.0/8` };
  const codes = [...new Set(result.records)].sort(byAddressValue);
  if (codes.length === 0) return { kind: 'clear' };
  const meanings = [...new Set(codes.map((code) => zone.codes[code] ?? 'listed'))];
  return { kind: 'listed', code: codes.join(','), meaning: meanings.join(',') };
}

/** Asks the zone about the IP; never throws for DNS outcomes (they are `error` results). */
export async function lookupDnsbl(resolver: Resolver, address: string, zone: DnsblZone): Promise<DnsblResult> {
  const answer = await resolver.a(dnsblQueryName(address, zone.name));
  return interpretDnsblAnswer(answer, zone);
}
