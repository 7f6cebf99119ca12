/**
 * The egress stage: sending IPs as a product — inventory, pools, leases, warm-up, blocklist watch
 * and revocation (docs/decisions/0010-dedicated-ips.md). startEgress registers this node's IPs,
 * seeds the config pools, loads the view (view.ts), and runs the maintenance tick; the delivery
 * engine asks `chooser` for each attempt's sending IP and hears `view.onUsageChange` to stop the
 * queues of an IP that changed. The admin API and the CLI use `ctx` with leases.ts / revocation.ts.
 */
import type { Config } from '../config/index.ts';
import { parseDuration } from '../domain/index.ts';
import type { Logger } from '../platform/index.ts';
import type { Spool } from '../spool/index.ts';
import type { StateStore } from '../state/store.ts';
import { createEgressChooser, type EgressChooser } from './choice.ts';
import { registerNodeIps, seedPools } from './inventory.ts';
import { runMaintenance, type MaintenanceReport } from './maintenance.ts';
import type { RevocationDeps } from './revocation.ts';
import { createEgressView, type EgressView } from './view.ts';
import { loadWarmupSchedules } from './warmup.ts';
import { startBlocklistWatch, type BlocklistMetrics, type BlocklistWatch } from './blocklist-watch.ts';

export { createEgressChooser, poolUsable, DEFAULT_POOL, type EgressChooser, type EgressChoice, type EgressIp } from './choice.ts';
export { mutateIp, registerNodeIps, seedPools } from './inventory.ts';
export * from './leases.ts';
export { requestRevocation, completeRevocation, SYSTEM_TENANT, type RevocationDeps, type RevocationRequest, type RevocationResult } from './revocation.ts';
export { loadWarmupSchedules, warmupCap, warmupDay, type WarmupSchedules } from './warmup.ts';
export { startBlocklistWatch, BLOCKLIST_LEASE_KEY, type BlocklistWatch, type BlocklistWatchOptions, type BlocklistMetrics, type BlocklistSample, type WatchReport, type WatchEvent } from './blocklist-watch.ts';
export { dnsblQueryName, interpretDnsblAnswer, lookupDnsbl, type DnsblResult, type DnsblZone } from './dnsbl.ts';
export { usage, type EgressView, type EgressSnapshot } from './view.ts';

export interface EgressDeps {
  readonly config: Config;
  readonly state: StateStore;
  /** Where the revocation warning is spooled (the relay's nudging spool, so it goes out at once). */
  readonly spool: Spool;
  readonly log: Logger;
  readonly now?: () => number;
  readonly random?: () => number;
  /** The blocklist gauge feed (FerryMetrics.egress in the relay). */
  readonly metrics?: BlocklistMetrics;
}

export interface Egress {
  readonly chooser: EgressChooser;
  readonly view: EgressView;
  /** What the admin API, the CLI and revocation need to change IPs. */
  readonly ctx: RevocationDeps;
  /** The DNSBL watch (its timer runs when egress.blocklists is enabled with zones). */
  readonly blocklists: BlocklistWatch;
  /** Reads the warm-up schedule file again (SIGHUP); a bad file throws and the old schedules stay. */
  reloadSchedules(): void;
  /** Runs the maintenance tick now (tests with a fake clock; the timer runs it every MAINTENANCE_MS). */
  tick(): Promise<MaintenanceReport>;
  stop(): Promise<void>;
}

const MAINTENANCE_MS = 5_000;

/**
 * What changing IPs needs, without a running relay (the CLI on the embedded store, the admin API
 * built alone): schedules loaded from config; revocation warnings spooled into `spool`.
 */
export function egressContext(config: Config, state: StateStore, spool: Spool, now: () => number = Date.now, applied?: () => Promise<void>): RevocationDeps & { reloadSchedules(): void } {
  let schedules = loadWarmupSchedules(config.egress.warmup.scheduleFile);
  return {
    state, now, config, spool,
    ...(applied && { applied }),
    get schedules() {
      return schedules;
    },
    reloadSchedules() {
      schedules = loadWarmupSchedules(config.egress.warmup.scheduleFile);
    },
  };
}

export async function startEgress(deps: EgressDeps): Promise<Egress> {
  const { config, state, log } = deps;
  const now = deps.now ?? Date.now;
  await registerNodeIps(state, config, now);
  await seedPools(state, config, now);
  const view = await createEgressView({ config, state, log, now, refreshEveryMs: parseDuration(config.egress.refreshEvery) });
  const ctx = egressContext(config, state, deps.spool, now, () => view.refresh());
  const chooser = createEgressChooser({ config, state, snapshot: view.snapshot, schedules: () => ctx.schedules, now, ...(deps.random && { random: deps.random }) });
  const drainGraceMs = parseDuration(config.egress.leases.drainGrace);
  let ticking: Promise<MaintenanceReport> | undefined;
  const tick = (): Promise<MaintenanceReport> => {
    ticking ??= runMaintenance(ctx, drainGraceMs)
      .then(async (report) => {
        if (Object.values(report).some((count) => count > 0)) await view.refresh();
        return report;
      })
      .finally(() => (ticking = undefined));
    return ticking;
  };
  const timer = setInterval(() => {
    tick().catch((error: unknown) => log.warn({ err: error }, 'egress maintenance failed; next tick retries'));
  }, MAINTENANCE_MS);
  timer.unref();
  const blocklists = startBlocklistWatch({
    config, state, log, nodeId: config.nodeId, now, onChanged: () => view.refresh(), ...(deps.metrics && { metrics: deps.metrics }),
  });
  return {
    chooser,
    view,
    ctx,
    blocklists,
    reloadSchedules: () => ctx.reloadSchedules(),
    tick,
    async stop() {
      clearInterval(timer);
      await blocklists.stop();
      view.stop();
      await ticking?.catch(() => undefined);
    },
  };
}
