/**
 * World-run analysis, pure: from Ferry's outcome records, the accept log and the world's counts,
 * compute completion (time to 99 % final), deferrals per site and reply, the limits check (the
 * receivers' counts against what Ferry was configured with and what the site allows), greylisting
 * proof, and the time series for the plot. Exports analyseRun, finalProgress and their types.
 * A recipient is final on a Delivery, Bounce or Expiration record; percentages are of accepted recipients.
 */
import { summarize } from '../load/stats.ts';
import type { SiteStats } from './counters.ts';
import type { Scenario } from './scenario.ts';

export interface OutcomeLite {
  readonly type: string;
  readonly at: number;
  readonly messageId?: string;
  readonly recipients?: readonly string[];
  readonly site?: string;
  readonly attempt?: number;
  readonly egressIp?: string;
  readonly reply?: { readonly code: number; readonly enhanced?: string; readonly text: string };
}

export interface WorldCounts {
  readonly sites: Record<string, SiteStats>;
  readonly acceptedPerSecond: [number, number][];
}

const FINAL = new Set(['Delivery', 'Bounce', 'Expiration']);

/** Final recipients so far (each counted once). */
export function finalProgress(records: readonly OutcomeLite[]): number {
  const done = new Set<string>();
  for (const r of records) if (FINAL.has(r.type)) for (const rcpt of r.recipients ?? []) done.add(`${r.messageId} ${rcpt}`);
  return done.size;
}

function timeToShare(records: readonly OutcomeLite[], expected: number, share: number, startMs: number): number | null {
  const times = records.filter((r) => FINAL.has(r.type)).flatMap((r) => (r.recipients ?? []).map(() => r.at)).sort((a, b) => a - b);
  const needed = Math.ceil(expected * share);
  const at = times[needed - 1];
  return at === undefined ? null : Math.round(at - startMs) / 1000;
}

function replyKey(r: OutcomeLite): string {
  const text = r.reply?.text ?? '';
  const tag = /\[TSS04\]/.test(text) ? ' [TSS04]' : /greylist/i.test(text) ? ' greylisted' : '';
  return `${r.reply?.code ?? '?'} ${r.reply?.enhanced ?? ''}${tag}`.trim();
}

function deferralsBySite(records: readonly OutcomeLite[], classOf: (site: string) => string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const r of records) {
    if (r.type !== 'TransientFailure') continue;
    const bucket = (out[classOf(r.site ?? '?')] ??= {});
    const key = replyKey(r);
    bucket[key] = (bucket[key] ?? 0) + (r.recipients?.length ?? 1);
  }
  return out;
}

interface LimitRow {
  readonly site: string;
  readonly ferryLimits: Readonly<Record<string, number>>;
  readonly siteRule: string;
  readonly observed: { maxOpenPerIp: number; maxTransactionsPerIpInSecond: number; maxTransactionsPerIpSlidingSecond: number; limitReplies: number };
  /** The site's own rule (the world's config) was never broken: no limit reply, connection cap kept. */
  readonly siteLimitHeld: boolean;
  /** Ferry stayed inside what it was configured with for the site, as the receivers saw it. */
  readonly ferryLimitHeld: boolean;
}

function limitRows(scenario: Scenario, counts: WorldCounts, smallSites: ReadonlySet<string>): LimitRow[] {
  return scenario.sites.map((site) => {
    const stats = Object.values(counts.sites).filter((s) => (site.smallHosting ? smallSites.has(s.site) : s.site === site.name));
    const ips = stats.flatMap((s) => Object.values(s.byIp));
    const max = (f: (ip: (typeof ips)[number]) => number) => ips.reduce((m, ip) => Math.max(m, f(ip)), 0);
    const limitReplies = stats.reduce((n, s) => n + (s.replies['421 4.7.28'] ?? 0) + (s.replies['451 4.7.500'] ?? 0), 0);
    const observed = {
      maxOpenPerIp: max((ip) => ip.maxOpen),
      maxTransactionsPerIpInSecond: max((ip) => ip.maxTransactionsInSecond),
      maxTransactionsPerIpSlidingSecond: max((ip) => ip.maxTransactionsInSlidingSecond),
      limitReplies,
    };
    const { maxConnections, maxMessagesPerSecond } = site.ferry.limits;
    // A paced sender spaced 1/r s apart can start r + 1 transactions inside one closed 1 s window.
    const ferryLimitHeld =
      (maxConnections === undefined || observed.maxOpenPerIp <= maxConnections) &&
      (!maxMessagesPerSecond || observed.maxTransactionsPerIpSlidingSecond <= maxMessagesPerSecond + 1);
    const r = site.receiver;
    const siteLimitHeld = limitReplies === 0 && (r.connectionsPerIp === undefined || observed.maxOpenPerIp <= r.connectionsPerIp);
    const siteRule = r.ratePerIp ? `${r.ratePerIp.perSecond}/s per IP (+${r.ratePerIp.burst} burst) → 421 4.7.28` : r.connectionsPerIp ? `${r.connectionsPerIp} connections per IP → 451 4.7.500` : r.deferShare ? `${r.deferShare * 100} % of MAIL FROM → 421 4.7.0 [TSS04]` : 'none';
    return { site: site.name, ferryLimits: site.ferry.limits, siteRule, observed, siteLimitHeld, ferryLimitHeld };
  });
}

export interface SeriesPoint {
  readonly t: number;
  readonly acceptedPerSec: number;
  readonly deliveredPerSec: number;
  readonly latencyP50Ms: number | null;
  readonly latencyP99Ms: number | null;
}

function series(records: readonly OutcomeLite[], acceptTimes: readonly number[], startMs: number, bucketMs: number): SeriesPoint[] {
  const receivedAt = new Map<string, number>();
  for (const r of records) if (r.type === 'Reception' && r.messageId) receivedAt.set(r.messageId, r.at);
  const buckets = new Map<number, { accepted: number; delivered: number; latencies: number[] }>();
  const bucket = (at: number) => {
    const key = Math.max(0, Math.floor((at - startMs) / bucketMs));
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = { accepted: 0, delivered: 0, latencies: [] }));
    return b;
  };
  for (const at of acceptTimes) bucket(at).accepted++;
  for (const r of records) {
    if (r.type !== 'Delivery') continue;
    const b = bucket(r.at);
    b.delivered += r.recipients?.length ?? 1;
    const received = r.messageId ? receivedAt.get(r.messageId) : undefined;
    if (received !== undefined) b.latencies.push(r.at - received);
  }
  const last = Math.max(0, ...buckets.keys());
  return Array.from({ length: last + 1 }, (_, key) => {
    const b = buckets.get(key) ?? { accepted: 0, delivered: 0, latencies: [] };
    const s = summarize(b.latencies);
    return { t: (key * bucketMs) / 1000, acceptedPerSec: (b.accepted * 1000) / bucketMs, deliveredPerSec: (b.delivered * 1000) / bucketMs, latencyP50Ms: s.p50, latencyP99Ms: s.p99 };
  });
}

export interface RunInput {
  readonly scenario: Scenario;
  readonly records: readonly OutcomeLite[];
  readonly expectedRecipients: number;
  readonly acceptTimes: readonly number[];
  readonly startMs: number;
  readonly counts: WorldCounts;
  /** domain → { site class, fate } from the world. */
  readonly domains: ReadonlyMap<string, { readonly site: string; readonly fate: string }>;
}

function greylistProof(input: RunInput) {
  const attempts: number[] = [];
  for (const r of input.records) {
    if (r.type !== 'Delivery') continue;
    for (const rcpt of r.recipients ?? []) if (input.domains.get(rcpt.split('@')[1] ?? '')?.fate === 'greylist') attempts.push(r.attempt ?? 0);
  }
  const world = Object.values(input.counts.sites).reduce((g, s) => ({ first: g.first + s.greylist.first, early: g.early + s.greylist.early, passed: g.passed + s.greylist.passed }), { first: 0, early: 0, passed: 0 });
  return { world, deliveredToGreylistedDomains: attempts.length, deliveredAtFirstAttempt: attempts.filter((a) => a <= 1).length, attempts: summarize(attempts) };
}

/** Per small-domain fate: recipients delivered / bounced and the attempts it took. */
function byFate(input: RunInput): Record<string, { delivered: number; bounced: number; maxAttempt: number }> {
  const out: Record<string, { delivered: number; bounced: number; maxAttempt: number }> = {};
  for (const r of input.records) {
    if (r.type !== 'Delivery' && r.type !== 'Bounce') continue;
    for (const rcpt of r.recipients ?? []) {
      const fate = input.domains.get(rcpt.split('@')[1] ?? '')?.fate ?? 'unknown';
      const row = (out[fate] ??= { delivered: 0, bounced: 0, maxAttempt: 0 });
      if (r.type === 'Delivery') row.delivered++;
      else row.bounced++;
      row.maxAttempt = Math.max(row.maxAttempt, r.attempt ?? 0);
    }
  }
  return out;
}

export function analyseRun(input: RunInput) {
  const { records, scenario, expectedRecipients, startMs } = input;
  const count = (type: string) => records.filter((r) => r.type === type).reduce((n, r) => n + (r.recipients?.length ?? 1), 0);
  const smallSites = new Set([...input.domains].filter(([, d]) => scenario.sites.find((s) => s.name === d.site)?.smallHosting).map(([domain]) => domain));
  const classOf = (site: string) => (scenario.sites.some((s) => s.name === site) ? site : [...smallSites].some((d) => site === d || site.endsWith(`.${d}`)) ? 'small' : site);
  const final = finalProgress(records);
  return {
    expectedRecipients,
    delivered: count('Delivery'),
    bounced: count('Bounce'),
    expired: count('Expiration'),
    transientFailures: count('TransientFailure'),
    finalShare: expectedRecipients ? final / expectedRecipients : 0,
    timeTo90Seconds: timeToShare(records, expectedRecipients, 0.9, startMs),
    timeTo99Seconds: timeToShare(records, expectedRecipients, 0.99, startMs),
    deferralsBySite: deferralsBySite(records, classOf),
    limits: limitRows(scenario, input.counts, smallSites),
    greylist: greylistProof(input),
    byFate: byFate(input),
    series: series(records, input.acceptTimes, startMs, 2000),
  };
}
