/**
 * The operator's side of a running relay, started by main.ts after the ingress: the queue
 * snapshot writer (for `ferry queue` in other processes), the admin API on admin.host:port and
 * the Prometheus endpoint on metrics.host:port with its gauge sources. stop() closes all three.
 * Exports startOperatorServices, buildAdmin, instrumentStateStore, and the snapshot helpers.
 */
import type { RevocationDeps } from '../egress/index.ts';
import { access, constants } from 'node:fs/promises';
import type { Config } from '../config/index.ts';
import type { EgressQueueInfo } from '../delivery/index.ts';
import { parseDuration } from '../domain/index.ts';
import { startMetricsServer, type FerryMetrics, type Logger, type Resolver } from '../platform/index.ts';
import type { Spool } from '../spool/index.ts';
import type { StateStore } from '../state/index.ts';
import { buildAdmin } from './app.ts';
import { startQueueSnapshots } from './queue-snapshot.ts';

export { buildAdmin } from './app.ts';
export { instrumentStateStore, type OutcomeObserver } from './instrument-state.ts';
export { readQueueSnapshot, startQueueSnapshots, queueSnapshotFile, type QueueSnapshot } from './queue-snapshot.ts';
export type { AdminDeps } from './deps.ts';

export interface OperatorDeps {
  readonly config: Config;
  readonly state: StateStore;
  readonly spool: Spool;
  readonly resolver: Resolver;
  readonly metrics: FerryMetrics;
  readonly log: Logger;
  /** The delivery engine's live ready queues (absent when delivery is off). */
  readonly queues?: () => EgressQueueInfo[];
  /** True while the SMTP listeners are bound. */
  readonly listening: () => boolean;
  /** The egress stage's context for IP changes (admin IP routes). */
  readonly egress?: RevocationDeps;
}

export interface OperatorServices {
  readonly ports: { readonly admin: number; readonly metrics: number };
  stop(): Promise<void>;
}

/** Credits gauge source: the first `max` tenants' available credits. */
function creditSource(state: StateStore, max: number) {
  return async () => {
    const tenants = (await state.listTenants()).slice(0, max);
    return Promise.all(tenants.map(async (t) => {
      const c = await state.getCredits(t.id);
      return { tenantId: t.id, available: c.balance - c.reserved };
    }));
  };
}

export async function startOperatorServices(deps: OperatorDeps): Promise<OperatorServices> {
  const { config, state, spool, log, metrics } = deps;
  const queues = deps.queues ?? (() => []);
  const snapshots = startQueueSnapshots({ dataDir: config.dataDir, nodeId: config.nodeId, intervalMs: parseDuration(config.admin.queueSnapshotInterval), queues, log });
  metrics.sources.egressPaths = queues;
  metrics.sources.spool = () => spool.stats();
  metrics.sources.credits = creditSource(state, config.metrics.topTenants);
  const readiness = async () => ({
    spool: await access(config.dataDir, constants.W_OK).then(() => spool.stats()).then(() => true, () => false),
    state: await state.getTenant('readyz-probe').then(() => true, () => false),
    listeners: deps.listening(),
  });
  const admin = config.admin.enabled
    ? await buildAdmin({ config, state, spool, resolver: deps.resolver, readiness, logLevel: 'warn', ...(deps.egress && { egress: deps.egress }), queueSnapshot: async () => ({ at: Date.now(), nodeId: config.nodeId, pid: process.pid, egressPaths: queues() }) })
    : undefined;
  let adminPort = 0;
  let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
  try {
    if (admin) {
      await admin.listen({ host: config.admin.host, port: config.admin.port });
      const address = admin.server.address();
      adminPort = typeof address === 'object' && address ? address.port : config.admin.port;
    }
    if (config.metrics.enabled) metricsServer = await startMetricsServer(metrics.registry, config.metrics.host, config.metrics.port);
  } catch (error) {
    await admin?.close();
    await snapshots.stop();
    throw error;
  }
  log.info({ admin: adminPort, metrics: metricsServer?.port ?? 0 }, 'admin API and metrics listening');
  return {
    ports: { admin: adminPort, metrics: metricsServer?.port ?? 0 },
    async stop() {
      await admin?.close();
      await metricsServer?.close();
      await snapshots.stop();
    },
  };
}
