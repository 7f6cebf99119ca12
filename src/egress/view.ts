/**
 * A node's view of the IP inventory: a snapshot of IP records and pools reloaded from the state
 * store every `egress.refreshEvery`, so every node follows a change (lease, quarantine,
 * revocation) within that interval. Exports createEgressView → EgressView. When an IP this node
 * can bind changes how it may be used (its state, or who leases it), listeners hear about it, so
 * the delivery engine stops the IP's queues and lets their mail be routed again.
 * A failed reload keeps the last snapshot (a Redis blip must not stop delivery) and is logged.
 */
import type { Config } from '../config/index.ts';
import { activeLessee, type IpRecord, type PoolRecord } from '../domain/index.ts';
import type { Logger } from '../platform/index.ts';
import type { StateStore } from '../state/store.ts';

export interface EgressSnapshot {
  readonly ips: ReadonlyMap<string, IpRecord>;
  readonly pools: ReadonlyMap<string, PoolRecord>;
  /** When this snapshot was loaded (clock ms). */
  readonly loadedAt: number;
}

export interface EgressView {
  snapshot(): EgressSnapshot;
  /** Reloads now; resolves when the new snapshot is in place (listeners already told). */
  refresh(): Promise<void>;
  /** `listener(address)` runs when a local IP's usage changed (see usage()). */
  onUsageChange(listener: (address: string) => void): void;
  stop(): void;
}

export interface EgressViewDeps {
  readonly config: Config;
  readonly state: StateStore;
  readonly log: Logger;
  readonly now: () => number;
  readonly refreshEveryMs: number;
}

/** What decides which mail an IP may carry: its state and its current lessee. */
export function usage(record: IpRecord | undefined): string {
  if (!record) return 'absent';
  return `${record.state}|${activeLessee(record) ?? ''}`;
}

export async function createEgressView(deps: EgressViewDeps): Promise<EgressView> {
  const { state, log } = deps;
  const local = new Set(deps.config.egress.ips.map((ip) => ip.address));
  const listeners: Array<(address: string) => void> = [];
  let current: EgressSnapshot = { ips: new Map(), pools: new Map(), loadedAt: 0 };
  let running: Promise<void> | undefined;

  async function load(): Promise<void> {
    const [ips, pools] = await Promise.all([state.listIps(), state.listPools()]);
    const next: EgressSnapshot = {
      ips: new Map(ips.map((ip) => [ip.address, ip])),
      pools: new Map(pools.map((pool) => [pool.name, pool])),
      loadedAt: deps.now(),
    };
    const changed = [...local].filter((address) => usage(current.ips.get(address)) !== usage(next.ips.get(address)));
    const first = current.loadedAt === 0;
    current = next;
    if (first) return;
    for (const address of changed) {
      log.info({ ip: address, usage: usage(next.ips.get(address)) }, 'egress IP usage changed');
      for (const listener of listeners) listener(address);
    }
  }

  function refresh(): Promise<void> {
    running ??= load()
      .catch((error: unknown) => log.warn({ err: error }, 'reloading the IP inventory failed; keeping the last view'))
      .finally(() => (running = undefined));
    return running;
  }

  await load();
  const timer = setInterval(() => void refresh(), deps.refreshEveryMs);
  timer.unref();
  return {
    snapshot: () => current,
    refresh,
    onUsageChange: (listener) => void listeners.push(listener),
    stop: () => clearInterval(timer),
  };
}
