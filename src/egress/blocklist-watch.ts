/**
 * The blocklist watch (egress stage): every `egress.blocklists.checkEvery`, one node of the cluster
 * (the holder of the `egress:blocklist-watch` lease) looks up every inventory IP that is not retired
 * in every configured DNSBL zone and records what changed through mutateIp (history entry + IpEvent
 * record, actor `dnsbl`): `listed`, `listing-changed`, `unlisted`, and on a new listing with
 * `onListing: quarantine`, `quarantined`. Exports startBlocklistWatch and its types.
 * Invariants: a lookup error never changes a stored listing (no false unlisting); no change → no
 * write; an unlisting never ends a quarantine (an operator releases the IP); rounds on one node never
 * overlap; every tick (lease or not) refreshes the ferry_ip_blocklisted gauge from the store.
 */
import type { Config } from '../config/index.ts';
import { activeLessee, parseDuration, type IpListing, type IpRecord } from '../domain/index.ts';
import { createResolver, type Logger, type Resolver } from '../platform/index.ts';
import type { StateStore } from '../state/store.ts';
import { lookupDnsbl, type DnsblResult, type DnsblZone } from './dnsbl.ts';
import { mutateIp, type IpChange } from './inventory.ts';

export const BLOCKLIST_LEASE_KEY = 'egress:blocklist-watch';
const ACTOR = 'dnsbl';

export interface BlocklistSample {
  readonly ip: string;
  readonly zone: string;
  readonly listed: boolean;
}

/** The metrics feed (FerryMetrics.egress satisfies it): the full set of samples, each tick. */
export interface BlocklistMetrics {
  blocklisted(samples: readonly BlocklistSample[]): void;
}

export interface BlocklistWatchOptions {
  readonly config: Config;
  readonly state: StateStore;
  readonly log: Logger;
  /** This node's lease holder id (config.nodeId in the relay). */
  readonly nodeId: string;
  readonly now?: () => number;
  readonly metrics?: BlocklistMetrics;
  /** Called after a round that wrote changes (e.g. the egress view's refresh, so a quarantine stops traffic at once). */
  readonly onChanged?: (events: readonly WatchEvent[]) => Promise<void> | void;
}

export interface WatchEvent {
  readonly address: string;
  readonly event: string;
  readonly detail?: string;
}

export interface WatchReport {
  /** false: another node holds the lease and checks this round. */
  readonly checked: boolean;
  /** IPs looked up (inventory minus retired). */
  readonly ips: number;
  readonly lookups: number;
  /** `<address> <zone>: <why>` per failed lookup; those listings were left as stored. */
  readonly errors: readonly string[];
  readonly events: readonly WatchEvent[];
}

export interface BlocklistWatch {
  checkNow(): Promise<WatchReport>;
  stop(): Promise<void>;
}

function describe(listing: Pick<IpListing, 'zone' | 'code' | 'meaning'>): string {
  return `zone=${listing.zone} code=${listing.code} meaning=${listing.meaning}`;
}

/** The lessee, while a lease runs: the IpEvent record belongs to that tenant too. */
function lessee(record: IpRecord): { tenantId?: string } {
  const tenantId = activeLessee(record);
  return tenantId === undefined ? {} : { tenantId };
}

/** The change one zone's answer makes to the stored listings; undefined when none. */
export function listingChange(current: IpRecord | undefined, zone: string, result: DnsblResult, at: number): IpChange | undefined {
  if (!current || current.state === 'retired' || result.kind === 'error') return undefined;
  const existing = current.listings.find((listing) => listing.zone === zone);
  if (result.kind === 'clear') {
    if (!existing) return undefined;
    const listings = current.listings.filter((listing) => listing.zone !== zone);
    return { next: { ...current, listings }, event: 'unlisted', actor: ACTOR, detail: describe(existing), ...lessee(current) };
  }
  if (existing && existing.code === result.code && existing.meaning === result.meaning) return undefined;
  const listing: IpListing = { zone, code: result.code, meaning: result.meaning, since: existing?.since ?? at };
  const listings = existing ? current.listings.map((l) => (l.zone === zone ? listing : l)) : [...current.listings, listing];
  return { next: { ...current, listings }, event: existing ? 'listing-changed' : 'listed', actor: ACTOR, detail: describe(listing), ...lessee(current) };
}

/** Quarantine for the zones newly listed this round, unless already quarantined/retired or unlisted meanwhile. */
export function quarantineChange(current: IpRecord | undefined, newZones: readonly string[]): IpChange | undefined {
  if (!current || current.state === 'quarantined' || current.state === 'retired') return undefined;
  const listings = current.listings.filter((listing) => newZones.includes(listing.zone));
  if (listings.length === 0) return undefined;
  const reason = `DNSBL listing: ${listings.map((l) => `${l.zone} (${l.meaning})`).join(', ')}`;
  return { next: { ...current, state: 'quarantined', stateReason: reason }, event: 'quarantined', actor: ACTOR, detail: listings.map(describe).join('; '), ...lessee(current) };
}

/** Starts the timer when `enabled` and zones are configured; checkNow works either way (a manual check). */
export function startBlocklistWatch(options: BlocklistWatchOptions): BlocklistWatch {
  const { config, state, log, nodeId, metrics } = options;
  const settings = config.egress.blocklists;
  const now = options.now ?? Date.now;
  const zones: readonly DnsblZone[] = settings.zones;
  const everyMs = parseDuration(settings.checkEvery);
  const timeoutMs = parseDuration(settings.timeout);
  // Outlives one period so the checking node keeps the lease; a dead holder is replaced within 1.5 periods.
  const leaseTtlMs = Math.round(Math.max(everyMs * 1.5, timeoutMs * 4));
  const servers = settings.servers.length > 0 ? settings.servers : config.dns.servers;
  let running: Promise<WatchReport> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  /** Writes each zone's change, then the quarantine; returns the events written. */
  async function apply(address: string, results: readonly DnsblResult[]): Promise<WatchEvent[]> {
    const events: WatchEvent[] = [];
    const newZones: string[] = [];
    const write = async (decide: (current: IpRecord | undefined) => IpChange | undefined): Promise<void> => {
      let decided: IpChange | undefined;
      await mutateIp(state, address, now, (current) => {
        decided = decide(current);
        return decided;
      });
      if (decided) events.push({ address, event: decided.event, ...(decided.detail !== undefined && { detail: decided.detail }) });
    };
    for (const [index, zone] of zones.entries()) {
      const result = results[index] ?? { kind: 'error', why: 'no result' };
      const before = events.length;
      await write((current) => listingChange(current, zone.name, result, now()));
      if (events.length > before && events.at(-1)?.event === 'listed') newZones.push(zone.name);
    }
    if (settings.onListing === 'quarantine' && newZones.length > 0) await write((current) => quarantineChange(current, newZones));
    return events;
  }

  async function lookupAll(resolver: Resolver, address: string): Promise<DnsblResult[]> {
    return Promise.all(zones.map((zone) => lookupDnsbl(resolver, address, zone).catch((error: unknown): DnsblResult => ({ kind: 'error', why: `${zone.name}: ${(error as Error).message}` }))));
  }

  async function publishMetrics(): Promise<void> {
    if (!metrics) return;
    const ips = (await state.listIps()).filter((ip) => ip.state !== 'retired');
    metrics.blocklisted(ips.flatMap((ip) => zones.map((zone) => ({ ip: ip.address, zone: zone.name, listed: ip.listings.some((l) => l.zone === zone.name) }))));
  }

  async function round(): Promise<WatchReport> {
    if (!(await state.acquireLease(BLOCKLIST_LEASE_KEY, nodeId, 1, leaseTtlMs))) {
      await publishMetrics();
      return { checked: false, ips: 0, lookups: 0, errors: [], events: [] };
    }
    // A fresh resolver per round: no answer is older than the round it decides.
    const resolver = createResolver({ servers, timeoutMs, negativeTtlMs: parseDuration(config.dns.negativeTtl) });
    const ips = (await state.listIps()).filter((ip) => ip.state !== 'retired');
    const errors: string[] = [];
    const events: WatchEvent[] = [];
    let lookups = 0;
    for (const ip of ips) {
      if (stopped) break;
      // Refreshing the lease per IP keeps a long round exclusive; losing it ends the round here.
      if (!(await state.acquireLease(BLOCKLIST_LEASE_KEY, nodeId, 1, leaseTtlMs))) {
        errors.push(`lease lost before ${ip.address}; round ended`);
        break;
      }
      const results = await lookupAll(resolver, ip.address);
      lookups += results.length;
      for (const result of results) if (result.kind === 'error') errors.push(`${ip.address} ${result.why}`);
      events.push(...(await apply(ip.address, results)));
    }
    for (const event of events) log.warn({ ip: event.address, event: event.event, detail: event.detail }, 'blocklist watch: IP listing changed');
    if (errors.length > 0) log.warn({ errors: errors.slice(0, 10), count: errors.length }, 'blocklist watch: lookups failed; those listings were left as stored');
    if (events.length > 0) await options.onChanged?.(events);
    await publishMetrics();
    return { checked: true, ips: ips.length, lookups, errors, events };
  }

  function checkNow(): Promise<WatchReport> {
    running ??= round().finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      checkNow()
        .catch((error: unknown) => log.error({ err: error }, 'blocklist watch round failed'))
        .finally(schedule);
    }, everyMs);
    timer.unref();
  }

  if (settings.enabled && zones.length > 0) schedule();

  return {
    checkNow,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
      await state.releaseLease(BLOCKLIST_LEASE_KEY, nodeId);
    },
  };
}
