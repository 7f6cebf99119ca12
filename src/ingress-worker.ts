/**
 * Composition root of an ingress-only process (`ingress.processes` > 1, forked by the relay through
 * src/ingress/processes.ts): the node's LMDB environment (spool + embedded state, or Redis state),
 * the ingress policy with its credit meter and auto-refill, and the SMTP listeners on the ports the
 * relay bound (SO_REUSEPORT). It never delivers, serves the admin API or runs background jobs; it
 * reports records, timings, session events and accepted mail to the relay over IPC. It stops on
 * the relay's `stop` message or when the relay is gone (IPC disconnect): sessions get 421, commits
 * in flight finish, then it exits.
 */
import type { Config } from './config/index.ts';
import { createLogger, openLocalDatabase } from './platform/index.ts';
import { loadMasterKey, openStateStore } from './state/index.ts';
import { openSpool, wakingSpool } from './spool/index.ts';
import { createPolicy } from './policy/index.ts';
import { AutoRefill, billingSettings } from './feedback/billing/index.ts';
import { startIngress } from './ingress/index.ts';
import { instrumentStateStore } from './admin/index.ts';
import { createWorkerLink, type PrimaryMessage, type WorkerMessage } from './ingress/processes.ts';

const send = (message: WorkerMessage) => {
  if (process.connected) process.send?.(message);
};

async function run(config: Config): Promise<void> {
  const log = createLogger(config.log.level).child({ stage: 'ingress', worker: process.pid });
  const link = createWorkerLink(send);
  const db = openLocalDatabase(config.dataDir);
  await loadMasterKey(config);
  const state = instrumentStateStore(await openStateStore(config, db), link);
  // This process never delivers: no hot window (the main process reads these bodies from LMDB).
  const spool = openSpool(db, { hotMessageBytes: 0 });
  const autoRefill = new AutoRefill({ state, billing: billingSettings(config), log });
  const policy = createPolicy(config, state, undefined, { onLowCredits: autoRefill.onLowCredits });
  const ingress = await startIngress({ config, state, policy, spool: wakingSpool(spool, () => link.accepted()), log, observer: link.ingress });
  send({ type: 'ready' });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await ingress.stop();
      await autoRefill.stop();
      link.flush();
      await spool.close();
      await state.close();
      await db.close();
      link.close();
      process.exit(0);
    })());
  process.on('message', (message: PrimaryMessage) => {
    if (message.type === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  // Signals go to the relay, which stops its workers; a worker ignores them.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => void stop());
}

process.once('message', (message: PrimaryMessage) => {
  if (message.type !== 'start') return;
  run(message.config).catch((error: unknown) => {
    send({ type: 'failed', error: (error as Error).message });
    process.exit(1);
  });
});
