/**
 * Composition root: config → local database (spool + embedded state) → egress (IP inventory) →
 * delivery engine (which first recovers the spool) → ingress, and the ingress worker processes
 * when ingress.processes > 1 (their own root: src/ingress-worker.ts). Returns a handle whose
 * stop() drains in the reverse order: ingress stops accepting (in-flight sessions get 421),
 * delivery stops claiming, then the database closes.
 */
import { createHmac } from 'node:crypto';
import type { Config } from './config/index.ts';
import type { Logger } from './platform/index.ts';
import { openLocalDatabase, createResolver } from './platform/index.ts';
import { openStateStore, loadMasterKey } from './state/index.ts';
import { handingSpool, openSpool, type DeliveryIntake } from './spool/index.ts';
import { createRouter } from './delivery/routing.ts';
import { parseVerpAddress, startDelivery } from './delivery/index.ts';
import { deliveryHooks, reloadDefaultBounceProducts, reloadDefaultBounceRules, startFeedbackLoop, unsubscribeSecretOf } from './feedback/index.ts';
import { startIngress, type Ingress } from './ingress/index.ts';
import { startIngressWorkers, type IngressWorkers } from './ingress/processes.ts';
import { instrumentStateStore, startOperatorServices } from './admin/index.ts';
import { createMetrics, type FerryMetrics } from './platform/index.ts';
import { startCreditGate } from './feedback/billing/index.ts';
import { parseDuration } from './domain/index.ts';
import { startEgress } from './egress/index.ts';

export interface Relay {
  readonly ports: { readonly submission: number; readonly smtps: number; readonly admin?: number; readonly metrics?: number; readonly inbound?: number; readonly unsubscribe?: number };
  /**
   * Reloads the rule data files (content-gate rules, warm-up schedules, traffic shaping, bounce
   * rules and products) without touching sessions; throws (MTA_ERR_CONFIG_FILE / _INVALID) at the
   * first invalid file, which keeps its old data.
   */
  reloadRules(): void;
  stop(): Promise<void>;
}

/** The VERP signing secret: configured, or derived from the master key (never the key itself). */
function verpSecretOf(config: Config, masterKey: Buffer): Buffer {
  if (config.delivery.verpSecret) return Buffer.from(config.delivery.verpSecret, 'utf8');
  return createHmac('sha256', masterKey).update('ferry/verp/v1').digest();
}

/** ingress.processes > 1: the other processes accepting SMTP, on the ports this one bound. */
async function startWorkers(config: Config, ports: Ingress['ports'], metrics: FerryMetrics, wake: () => void, log: Logger): Promise<IngressWorkers | undefined> {
  if (config.ingress.processes <= 1) return undefined;
  const ingress = { ...config.ingress, submission: { ...config.ingress.submission, port: ports.submission }, smtps: { ...config.ingress.smtps, port: ports.smtps } };
  const sink = { records: metrics.records, stateCall: metrics.stateCall, ingress: metrics.ingress, accepted: wake };
  return startIngressWorkers({ ...config, ingress }, config.ingress.processes - 1, sink, log.child({ stage: 'ingress' }));
}

export async function startRelay(config: Config, log: Logger): Promise<Relay> {
  const db = openLocalDatabase(config.dataDir);
  const master = await loadMasterKey(config);
  if (master.created) log.warn({ file: master.file }, 'generated a new master key for secrets at rest; back it up');
  const metrics = createMetrics({ topTenants: config.metrics.topTenants, topSites: config.metrics.topSites });
  // Every stage sees the instrumented store: outcome records feed the metrics, calls are timed.
  const state = instrumentStateStore(await openStateStore(config, db), metrics);
  const spool = openSpool(db);

  const resolver = createResolver({
    servers: [...config.dns.servers],
    timeoutMs: parseDuration(config.dns.timeout),
    negativeTtlMs: parseDuration(config.dns.negativeTtl),
  });
  // Accepted mail (and the egress stage's own notices) goes straight to the delivery engine once
  // it runs (or wakes it, when its active window is full).
  let intake: DeliveryIntake | undefined;
  const wakeDelivery = (): void => intake?.nudge();
  const relaySpool = handingSpool(spool, () => intake);
  const egress = await startEgress({ config, state, spool: relaySpool, log: log.child({ stage: 'egress' }), metrics: metrics.egress });
  const delivery = config.delivery.enabled
    ? startDelivery({
      config, state, spool, router: createRouter({ config, resolver }), log: log.child({ stage: 'delivery' }), verpSecret: verpSecretOf(config, master.key),
      egress: egress.chooser, ...deliveryHooks(config, unsubscribeSecretOf(master.key)),
    })
    : undefined;
  if (delivery) {
    intake = delivery;
    egress.view.onUsageChange((address) => delivery.retireIp(address));
  }
  // Unconfirmed credit charges are committed here, before the ingress serves.
  const creditGate = await startCreditGate({ config, state, spool, log: log.child({ stage: 'credits' }) });
  const ingress = await startIngress({
    config,
    state,
    policy: creditGate.policy,
    spool: relaySpool,
    log: log.child({ stage: 'ingress' }),
    observer: metrics.ingress,
  });
  const workers = await startWorkers(config, ingress.ports, metrics, wakeDelivery, log).catch(async (error: unknown) => {
    await ingress.stop();
    throw error;
  });
  let serving = true;
  const operator = await startOperatorServices({
    config, state, spool, resolver, metrics, log: log.child({ stage: 'admin' }),
    ...(delivery && { queues: () => delivery.queues() }),
    listening: () => serving,
    egress: egress.ctx,
  }).catch(async (error: unknown) => {
    // e.g. the admin port is taken: stop what already runs, so the process can exit.
    await Promise.all([ingress.stop(), workers?.stop()]);
    await egress.stop();
    await delivery?.stop();
    throw error;
  });
  const verpSecret = verpSecretOf(config, master.key);
  const feedback = config.feedback.enabled
    ? await startFeedbackLoop({
      config, state, log: log.child({ stage: 'feedback' }), unsubscribeSecret: unsubscribeSecretOf(master.key),
      parseVerp: (address) => parseVerpAddress(address, config.delivery.bounceDomain, verpSecret),
    }).catch(async (error: unknown) => {
      // e.g. the inbound or unsubscribe port is taken: stop what already runs, so the process can exit.
      await operator.stop();
      await Promise.all([ingress.stop(), workers?.stop()]);
      await creditGate.stop();
      await egress.stop();
      await delivery?.stop();
      throw error;
    })
    : undefined;
  const ports = { ...ingress.ports, ...operator.ports, ...feedback?.ports };
  log.info({ ports, dataDir: config.dataDir, delivery: Boolean(delivery) }, 'ferry relay started');

  return {
    ports,
    reloadRules() {
      creditGate.policy.contentGate?.reloadRules();
      egress.reloadSchedules();
      delivery?.reloadShaping();
      reloadDefaultBounceRules();
      reloadDefaultBounceProducts();
      log.info('rule data files reloaded');
    },
    async stop() {
      serving = false;
      await operator.stop();
      await Promise.all([ingress.stop(), workers?.stop()]);
      await creditGate.stop();
      await egress.stop();
      await delivery?.stop();
      await feedback?.stop();
      await spool.close();
      await state.close();
      await db.close();
      log.info('ferry relay stopped');
    },
  };
}
