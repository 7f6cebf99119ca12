/**
 * What the simulated world counts, per site and per source IP: connections (total, open, most open
 * at once), transactions started (MAIL FROM) with the most in one calendar second and in any sliding
 * 1-second window, messages and recipients accepted, replies sent by code, TLS sessions, greylist
 * first / early / passed attempts; plus world-wide accepted messages per second (the time series).
 * Exports WorldCounters, Gcra, Greylist and the snapshot types. Pure state; the clock is passed in.
 */

export interface IpStats {
  connections: number;
  open: number;
  maxOpen: number;
  transactions: number;
  messages: number;
  recipients: number;
  maxTransactionsInSecond: number;
  maxTransactionsInSlidingSecond: number;
}

export interface SiteStats {
  readonly site: string;
  connections: number;
  tlsSessions: number;
  open: number;
  maxOpen: number;
  messages: number;
  recipients: number;
  readonly replies: Record<string, number>;
  readonly greylist: { first: number; early: number; passed: number };
  readonly byIp: Record<string, IpStats>;
}

interface IpTrack {
  readonly stats: IpStats;
  second: number;
  inSecond: number;
  readonly window: number[];
}

export class WorldCounters {
  readonly #sites = new Map<string, SiteStats>();
  readonly #tracks = new Map<string, IpTrack>();
  readonly #acceptedPerSecond = new Map<number, number>();

  #site(site: string): SiteStats {
    let stats = this.#sites.get(site);
    if (!stats) {
      stats = { site, connections: 0, tlsSessions: 0, open: 0, maxOpen: 0, messages: 0, recipients: 0, replies: {}, greylist: { first: 0, early: 0, passed: 0 }, byIp: {} };
      this.#sites.set(site, stats);
    }
    return stats;
  }

  #track(site: string, ip: string): IpTrack {
    const key = `${site} ${ip}`;
    let track = this.#tracks.get(key);
    if (!track) {
      const stats: IpStats = { connections: 0, open: 0, maxOpen: 0, transactions: 0, messages: 0, recipients: 0, maxTransactionsInSecond: 0, maxTransactionsInSlidingSecond: 0 };
      track = { stats, second: -1, inSecond: 0, window: [] };
      this.#tracks.set(key, track);
      this.#site(site).byIp[ip] = stats;
    }
    return track;
  }

  /** Open connections from `ip` to `site` right now (before this one is counted). */
  openFrom(site: string, ip: string): number {
    return this.#track(site, ip).stats.open;
  }

  connectionOpened(site: string, ip: string): void {
    const s = this.#site(site);
    const t = this.#track(site, ip).stats;
    s.connections++;
    t.connections++;
    s.maxOpen = Math.max(s.maxOpen, ++s.open);
    t.maxOpen = Math.max(t.maxOpen, ++t.open);
  }

  connectionClosed(site: string, ip: string): void {
    this.#site(site).open--;
    this.#track(site, ip).stats.open--;
  }

  tlsSession(site: string): void {
    this.#site(site).tlsSessions++;
  }

  transactionStarted(site: string, ip: string, nowMs: number): void {
    const track = this.#track(site, ip);
    track.stats.transactions++;
    const second = Math.floor(nowMs / 1000);
    if (second !== track.second) {
      track.second = second;
      track.inSecond = 0;
    }
    track.stats.maxTransactionsInSecond = Math.max(track.stats.maxTransactionsInSecond, ++track.inSecond);
    track.window.push(nowMs);
    while ((track.window[0] as number) <= nowMs - 1000) track.window.shift();
    track.stats.maxTransactionsInSlidingSecond = Math.max(track.stats.maxTransactionsInSlidingSecond, track.window.length);
  }

  reply(site: string, reply: string): void {
    const replies = this.#site(site).replies;
    replies[reply] = (replies[reply] ?? 0) + 1;
  }

  greylist(site: string, result: 'first' | 'early' | 'passed'): void {
    this.#site(site).greylist[result]++;
  }

  messageAccepted(site: string, ip: string, recipients: number, nowMs: number): void {
    const s = this.#site(site);
    const t = this.#track(site, ip).stats;
    s.messages++;
    t.messages++;
    s.recipients += recipients;
    t.recipients += recipients;
    const second = Math.floor(nowMs / 1000);
    this.#acceptedPerSecond.set(second, (this.#acceptedPerSecond.get(second) ?? 0) + 1);
  }

  snapshot(): { sites: Record<string, SiteStats>; acceptedPerSecond: [number, number][] } {
    return {
      sites: Object.fromEntries([...this.#sites].map(([name, stats]) => [name, structuredClone(stats)])),
      acceptedPerSecond: [...this.#acceptedPerSecond].sort((a, b) => a[0] - b[0]),
    };
  }
}

/** GCRA (generic cell rate algorithm): `perSecond` steady, `burst` extra cells of tolerance. */
export class Gcra {
  readonly #intervalMs: number;
  readonly #toleranceMs: number;
  #theoreticalArrival = 0;

  constructor(perSecond: number, burst: number) {
    this.#intervalMs = 1000 / perSecond;
    this.#toleranceMs = burst * this.#intervalMs;
  }

  allow(nowMs: number): boolean {
    if (this.#theoreticalArrival - this.#toleranceMs > nowMs) return false;
    this.#theoreticalArrival = Math.max(this.#theoreticalArrival, nowMs) + this.#intervalMs;
    return true;
  }
}

/** Greylisting by triplet (client /24, sender, recipient), like postgrey's default. */
export class Greylist {
  readonly #firstSeen = new Map<string, number>();
  readonly #passed = new Set<string>();

  /** first / early (451), passed (the retry that got through), known (passed before: accepted, not counted). */
  check(clientIp: string, sender: string, recipient: string, nowMs: number, minDelayMs: number): 'first' | 'early' | 'passed' | 'known' {
    const network = clientIp.split('.').slice(0, 3).join('.');
    const key = `${network}|${sender.toLowerCase()}|${recipient.toLowerCase()}`;
    if (this.#passed.has(key)) return 'known';
    const first = this.#firstSeen.get(key);
    if (first === undefined) {
      this.#firstSeen.set(key, nowMs);
      return 'first';
    }
    if (nowMs - first < minDelayMs) return 'early';
    this.#passed.add(key);
    return 'passed';
  }
}
