/**
 * Composition root: config → local database (spool + embedded state) → recover the spool →
 * delivery engine → ingress. Returns a handle whose stop() drains in the reverse order:
 * ingress stops accepting (in-flight sessions get 421), delivery stops claiming, then the
 * database closes. Nothing else in the code base wires stages together.
 */
import { createHmac } from 'node:crypto';
import type { Config } from './config/index.ts';
import type { Logger } from './platform/index.ts';
import { openLocalDatabase, createResolver } from './platform/index.ts';
import { openStateStore, loadMasterKey } from './state/index.ts';
import { openSpool, type Spool } from './spool/index.ts';
import { createRouter } from './delivery/routing.ts';
import { startDelivery } from './delivery/index.ts';
import { startIngress } from './ingress/index.ts';
import { parseDuration } from './domain/index.ts';

export interface Relay {
  readonly ports: { readonly submission: number; readonly smtps: number };
  stop(): Promise<void>;
}

/** The VERP signing secret: configured, or derived from the master key (never the key itself). */
function verpSecretOf(config: Config, masterKey: Buffer): Buffer {
  if (config.delivery.verpSecret) return Buffer.from(config.delivery.verpSecret, 'utf8');
  return createHmac('sha256', masterKey).update('ferry/verp/v1').digest();
}

/** A spool whose accept() also wakes the delivery engine, so fresh mail goes out at once. */
function nudgingSpool(spool: Spool, nudge: () => void): Spool {
  return new Proxy(spool, {
    get(target, property, receiver) {
      if (property !== 'accept') return Reflect.get(target, property, receiver) as unknown;
      return async (...args: Parameters<Spool['accept']>) => {
        const deliveries = await target.accept(...args);
        nudge();
        return deliveries;
      };
    },
  });
}

export async function startRelay(config: Config, log: Logger): Promise<Relay> {
  const db = openLocalDatabase(config.dataDir);
  const master = await loadMasterKey(config);
  if (master.created) log.warn({ file: master.file }, 'generated a new master key for secrets at rest; back it up');
  const state = await openStateStore(config, db);
  const spool = openSpool(db);
  const recovered = await spool.recover(Date.now());
  if (recovered > 0) log.info({ recovered }, 'recovered in-flight deliveries from the spool');

  const resolver = createResolver({
    servers: [...config.dns.servers],
    timeoutMs: parseDuration(config.dns.timeout),
    negativeTtlMs: parseDuration(config.dns.negativeTtl),
  });
  const delivery = config.delivery.enabled
    ? startDelivery({ config, state, spool, router: createRouter({ config, resolver }), log: log.child({ stage: 'delivery' }), verpSecret: verpSecretOf(config, master.key) })
    : undefined;
  const ingress = await startIngress({
    config,
    state,
    spool: delivery ? nudgingSpool(spool, () => delivery.nudge()) : spool,
    log: log.child({ stage: 'ingress' }),
  });
  log.info({ ports: ingress.ports, dataDir: config.dataDir, delivery: Boolean(delivery) }, 'ferry relay started');

  return {
    ports: ingress.ports,
    async stop() {
      await ingress.stop();
      await delivery?.stop();
      await spool.close();
      await state.close();
      await db.close();
      log.info('ferry relay stopped');
    },
  };
}
