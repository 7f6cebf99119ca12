/**
 * Site rollup, pure: which *site* an MX host belongs to, so that every domain hosted by one provider shares
 * one egress path per sending IP. Exports `createSiteMatcher(sites)` → `siteFor(mxHost)`, and `registrableSuffix`.
 * A configured site wins when a pattern matches (`*.google.com` matches any name below google.com, a pattern
 * without `*` matches exactly); otherwise the site is the host's registrable-looking suffix (example.co.uk).
 */

export interface SiteDefinition {
  readonly name: string;
  readonly mx: readonly string[];
  readonly tls?: 'opportunistic' | 'required' | undefined;
}

export interface SiteMatch {
  readonly site: string;
  readonly tls: 'opportunistic' | 'required';
}

/** Second-level labels under a country code that act as public suffixes (co.uk, com.au, ne.jp, ...). */
const SECOND_LEVEL_LABELS = new Set(['co', 'com', 'net', 'org', 'gov', 'edu', 'ac', 'ne', 'or', 'go', 'gv', 'mil', 'nic', 'ltd', 'plc']);

function hostOf(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** `mx1.example.com` → `example.com`; `mx.example.co.uk` → `example.co.uk`; short names are their own suffix. */
export function registrableSuffix(host: string): string {
  const labels = hostOf(host).split('.');
  const last = labels[labels.length - 1] ?? '';
  const secondLast = labels[labels.length - 2] ?? '';
  const take = labels.length >= 3 && last.length === 2 && SECOND_LEVEL_LABELS.has(secondLast) ? 3 : 2;
  return labels.slice(-take).join('.');
}

function patternMatches(pattern: string, host: string): boolean {
  const wanted = hostOf(pattern);
  if (wanted.startsWith('*.')) return host.endsWith(wanted.slice(1));
  return host === wanted;
}

export function createSiteMatcher(sites: readonly SiteDefinition[]): (mxHost: string) => SiteMatch {
  return (mxHost) => {
    const host = hostOf(mxHost);
    const site = sites.find((candidate) => candidate.mx.some((pattern) => patternMatches(pattern, host)));
    if (site) return { site: site.name, tls: site.tls ?? 'opportunistic' };
    return { site: registrableSuffix(host), tls: 'opportunistic' };
  };
}
