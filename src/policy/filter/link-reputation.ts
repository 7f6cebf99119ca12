/**
 * Link and domain reputation: the link domains of a message and its envelope sender's domain are
 * asked of DNS blocklists (URIBL / DBL style: `<domain>.<zone>` has an A record in 127.0.0.0/8
 * when listed). Exports linkReputationCheck, lookupNames, interpretAnswer.
 * Invariants: every lookup of one message shares one time budget (`budget`); answers are cached
 * by the resolver for their TTL; a listing found before the budget ran out is decisive; an
 * incomplete lookup set (budget spent, servfail, timeout) either throws (gate → 451 4.3.0) or is
 * recorded as skipped (`onBudgetExceeded: skip`) — it never passes silently.
 */
import { domainOf } from '../../domain/index.ts';
import type { DnsResult, Resolver } from '../../platform/index.ts';
import type { ContentCheck, Envelope, Finding, FilterPolicy, MessageView } from './types.ts';

type Zone = FilterPolicy['linkReputation']['zones'][number];

interface Listing {
  readonly domain: string;
  readonly zone: string;
  readonly category: string;
}

type LookupAnswer = { readonly kind: 'listed'; readonly listing: Listing } | { readonly kind: 'clean' } | { readonly kind: 'failed'; readonly why: string };

/** The registrable-looking part of a host: the last two labels, three under a short second level (co.uk, com.au). */
export function baseDomain(host: string): string {
  const labels = host.split('.');
  if (labels.length <= 2) return host;
  const secondLevel = labels.at(-2) ?? '';
  const take = (labels.at(-1) ?? '').length === 2 && secondLevel.length <= 3 ? 3 : 2;
  return labels.slice(-take).join('.');
}

function domainAllowed(domain: string, allowed: readonly string[]): boolean {
  return allowed.some((a) => domain === a || domain.endsWith(`.${a}`));
}

/** The distinct names to ask (each host and its base domain, sender domain first), at most `max`. */
export function lookupNames(view: MessageView, envelope: Envelope, policy: FilterPolicy): { names: string[]; dropped: number } {
  const hosts = [domainOf(envelope.mailFrom), ...view.links.map((link) => link.domain)];
  const names = new Set<string>();
  for (const host of hosts) {
    if (host === '' || !host.includes('.') || /^[\d.]+$/.test(host) || domainAllowed(host, policy.allow.linkDomains)) continue;
    names.add(host);
    names.add(baseDomain(host));
  }
  const all = [...names];
  const max = policy.linkReputation.maxDomains;
  return { names: all.slice(0, max), dropped: Math.max(0, all.length - max) };
}

/** A blocklist answer: 127.255.255.x are the zone's own error codes (refused query), not listings. */
export function interpretAnswer(result: DnsResult<string>, domain: string, zone: Zone): LookupAnswer {
  if (result.kind === 'nxdomain' || result.kind === 'nodata') return { kind: 'clean' };
  if (result.kind !== 'records') return { kind: 'failed', why: `${zone.name}: ${result.kind}` };
  const listed = result.records.filter((address) => address.startsWith('127.') && !address.startsWith('127.255.255.'));
  if (listed.length === 0) {
    const zoneError = result.records.find((address) => address.startsWith('127.255.255.'));
    return zoneError ? { kind: 'failed', why: `${zone.name}: query refused (${zoneError})` } : { kind: 'clean' };
  }
  const code = listed.find((address) => zone.codes[address] !== undefined) ?? listed[0] ?? '';
  return { kind: 'listed', listing: { domain, zone: zone.name, category: zone.codes[code] ?? 'listed-domain' } };
}

interface Collected {
  readonly listings: Listing[];
  readonly failures: string[];
  answered: number;
}

/** Runs every lookup at once; resolves when all answered, a listing is found, or the budget is spent. */
async function collect(resolver: Resolver, names: readonly string[], zones: readonly Zone[], budgetMs: number, signal: AbortSignal): Promise<Collected & { total: number }> {
  const collected: Collected = { listings: [], failures: [], answered: 0 };
  const total = names.length * zones.length;
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve) => {
    timer = setTimeout(resolve, budgetMs);
    signal.addEventListener('abort', () => resolve(), { once: true });
    if (total === 0) resolve();
    for (const name of names) {
      for (const zone of zones) {
        void resolver.addresses(`${name}.${zone.name}`).then(
          (result) => record(collected, interpretAnswer(result, name, zone)),
          (error: unknown) => record(collected, { kind: 'failed', why: `${zone.name}: ${(error as Error).message}` }),
        ).then(() => {
          if (collected.answered === total || collected.listings.length > 0) resolve();
        });
      }
    }
  });
  clearTimeout(timer);
  return { ...collected, total };
}

function record(collected: Collected, answer: LookupAnswer): void {
  collected.answered += 1;
  if (answer.kind === 'listed') collected.listings.push(answer.listing);
  if (answer.kind === 'failed') collected.failures.push(answer.why);
}

function incompleteFinding(policy: FilterPolicy, answered: number, total: number, failures: readonly string[]): Finding {
  const detail = `${total - answered + failures.length} of ${total} blocklist lookups unanswered within ${policy.linkReputation.budget}${failures.length > 0 ? ` (${failures.slice(0, 3).join('; ')})` : ''}`;
  if (policy.linkReputation.onBudgetExceeded === 'tempfail') throw new Error(`link reputation incomplete: ${detail}`);
  return { code: 'link-reputation.incomplete', score: 0, positive: false, detail: `${detail}; skipped by policy` };
}

export function linkReputationCheck(resolver: Resolver, budgetMs: (policy: FilterPolicy) => number): ContentCheck {
  return {
    name: 'link-reputation',
    category: 'listed-domain',
    async check(view, envelope, policy, signal): Promise<Finding> {
      const zones = policy.linkReputation.zones;
      const { names, dropped } = lookupNames(view, envelope, policy);
      const { listings, failures, answered, total } = await collect(resolver, names, zones, budgetMs(policy), signal);
      const first = listings[0];
      if (first) {
        const detail = listings.map((l) => `${l.domain} listed by ${l.zone} (${l.category})`).join('; ');
        return { code: `link-reputation.${first.category}`, score: 100, positive: true, category: first.category, detail };
      }
      if (answered < total || failures.length > 0) return incompleteFinding(policy, answered, total, failures);
      const droppedNote = dropped > 0 ? `, ${dropped} more not asked` : '';
      return { code: 'none', score: 0, positive: false, detail: `${names.length} domain(s) clean in ${zones.length} zone(s)${droppedNote}` };
    },
  };
}
