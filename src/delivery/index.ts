/**
 * The delivery engine: scheduled queue → ready queue per egress path → SMTP out, with DKIM,
 * VERP and retries. Exports startDelivery(deps) → DeliveryEngine { nudge, queues, stop }, and
 * makeVerpToken / verifyVerpToken / parseVerpAddress for the feedback stage.
 * Start: spool.recover (deliveries left active by a previous run go back to scheduled), then
 * claiming on a short timer and on nudge(). Stop: claim no more, let sends in flight finish
 * within a timeout, leave the rest active in the spool for the next start's recover.
 */
import { availableParallelism } from 'node:os';
import type { Config } from '../config/index.ts';
import { parseDuration, parseRetrySchedule, type Delivery } from '../domain/index.ts';
import type { Logger } from '../platform/index.ts';
import type { Spool } from '../spool/index.ts';
import type { StateStore } from '../state/store.ts';
import { createAttempt, type AttemptDeps, type ReadyItem } from './attempt.ts';
import { createDkimPool, type DkimPool } from './dkim-pool.ts';
import { createDkimSigner } from './dkim.ts';
import type { EgressChooser, EgressIp } from '../egress/index.ts';
import { pathLimits } from './path-limits.ts';
import { createReadyQueue, type ReadyQueue } from './ready-queue.ts';
import type { Router } from './routing-types.ts';
import { createScheduler } from './scheduler.ts';
import { createSettler, type SettlerDeps } from './settle.ts';
import { createPathShaper, loadShaping, type PathShaper } from './shaping.ts';

export { makeVerpToken, verifyVerpToken, parseVerpAddress, verpAddress, type VerpSubject } from './verp.ts';
export { createRouter } from './routing.ts';
export type { Router, Route, RouteHost } from './routing-types.ts';

export interface DeliveryDeps {
  readonly config: Config;
  readonly state: StateStore;
  readonly spool: Spool;
  readonly router: Router;
  readonly log: Logger;
  readonly verpSecret: Buffer;
  readonly clock?: { now(): number };
  /** DKIM signing worker threads; 0 signs on the main thread. Default: cores − 1, at least 1. */
  readonly dkimWorkers?: number;
  /** Classifies permanent refusals for Bounce records (feedback's classifyReply, wired in main.ts). */
  readonly classifyBounce?: SettlerDeps['classifyBounce'];
  /** Header lines added before DKIM signing (feedback's List-Unsubscribe, wired in main.ts). */
  readonly extraHeaders?: AttemptDeps['extraHeaders'];
  /** The sending IP of each attempt (src/egress). */
  readonly egress: EgressChooser;
}

export interface EgressQueueInfo {
  readonly ip: string;
  readonly site: string;
  /** Deliveries waiting on this path. */
  readonly depth: number;
  readonly activeConnections: number;
  /** Age (clock ms) of the oldest waiting message; 0 when none waits. */
  readonly oldestAgeMs: number;
  /** Sends started in the last 60 s (real time): the path's current rate. */
  readonly sendsLastMinute: number;
}

export interface DeliveryEngine {
  /** Claim due deliveries now (ingress calls it after each accepted message). */
  nudge(): void;
  /**
   * Fresh mail straight into the active window, without a claim (src/spool/waking.ts): room for
   * `count` deliveries is held, or false (window full, stopping, or the start-up recover not done
   * yet: it would put the taken deliveries back on the scheduled queue and they would run twice).
   */
  reserve(count: number): boolean;
  adopt(deliveries: readonly Delivery[], reserved: number): void;
  unreserve(count: number): void;
  queues(): EgressQueueInfo[];
  /**
   * The egress stage changed how this IP may be used (quarantined, revoked, leased, lease ended):
   * its queues stop taking mail and hand their waiting deliveries back to be routed again; sends
   * in flight finish normally.
   */
  retireIp(address: string): void;
  /**
   * Reads the shaping file again (SIGHUP): reply rules and ramp settings apply to every path at
   * once (its adaptive state kept), site limits to paths opened from now on. A bad file throws
   * and the old data stays.
   */
  reloadShaping(): void;
  /** Graceful stop; sends still running after `timeoutMs` are cut and left to recover. */
  stop(timeoutMs?: number): Promise<void>;
}

function sessionTimeouts(config: Config) {
  const t = config.delivery.timeouts;
  return { connectMs: parseDuration(t.connect), greetingMs: parseDuration(t.greeting), commandMs: parseDuration(t.command), dataMs: parseDuration(t.data) };
}

export function startDelivery(deps: DeliveryDeps): DeliveryEngine {
  const { config, spool, state, log } = deps;
  const now = () => (deps.clock ?? Date).now();
  const workers = deps.dkimWorkers ?? Math.max(1, availableParallelism() - 1);
  const pool: DkimPool | undefined = workers > 0 ? createDkimPool(workers) : undefined;
  const signer = createDkimSigner({ state, now, ...(pool && { signer: pool.sign }) });
  const settle = createSettler({ spool, state, now, retrySchedule: parseRetrySchedule(config.delivery.retrySchedule), ...(deps.classifyBounce && { classifyBounce: deps.classifyBounce }) });
  const attempt = createAttempt({ spool, signer, settle, verpSecret: deps.verpSecret, bounceDomain: config.delivery.bounceDomain, log, ...(deps.extraHeaders && { extraHeaders: deps.extraHeaders }) });
  const queues = new Map<string, ReadyQueue>();
  // A path's adaptive state outlives its ready queue (dropped when idle): a suspension or a slowed
  // rate must hold for the next queue of the same path. Dropped once it holds nothing.
  let shaping = loadShaping(config.delivery.shapingFile);
  const shapers = new Map<string, PathShaper>();
  const timeouts = sessionTimeouts(config);
  const idleMs = parseDuration(config.delivery.timeouts.idle);

  function queueFor(ip: EgressIp, site: string): ReadyQueue {
    const key = `${ip.address}|${site}`;
    let queue = queues.get(key);
    if (!queue) {
      const limits = pathLimits(config, site, shaping.siteLimits(site));
      let shaper = shapers.get(key);
      if (!shaper) {
        // rules and ramp settings are read per use: a SIGHUP reload reaches live paths, their state kept
        shaper = createPathShaper(() => shaping.forSite(site), limits.maxMessagesPerHour ?? 0);
        shapers.set(key, shaper);
      }
      const pathShaper = shaper;
      queue = createReadyQueue({
        ip, site, idleMs, timeouts, attempt, log, limits, now,
        shaper: pathShaper,
        capacity: Math.max(1, Math.ceil(config.delivery.activeWindow / 2)),
        onIdle: () => {
          if (queues.get(key) === queue) queues.delete(key);
          if (pathShaper.dormant(now()) && shapers.get(key) === pathShaper) shapers.delete(key);
        },
        onSettled: (_item: ReadyItem) => scheduler.released(),
        // Not an attempt: no record; the delivery is due again when the pause ends.
        onHandBack: async (item: ReadyItem, dueAt: number) => {
          try {
            await spool.requeue(item.delivery.id, dueAt);
          } finally {
            scheduler.released();
          }
        },
      });
      queues.set(key, queue);
    }
    return queue;
  }

  const scheduler = createScheduler({
    config, spool, state, router: deps.router, egress: deps.egress, attempt, settle, now, log,
    queueFor, queues: () => queues.values(),
  });
  let recoverDone = false;
  const recovered = spool.recover(now()).then(
    (count) => {
      if (count > 0) log.info({ count }, 'recovered deliveries left active by the previous run');
      recoverDone = true;
      scheduler.nudge();
    },
    (error: unknown) => log.error({ err: error }, 'spool recover failed'),
  );

  return {
    nudge: () => void recovered.then(() => scheduler.nudge()),
    reserve: (count) => recoverDone && scheduler.reserve(count),
    adopt: (deliveries, reserved) => scheduler.adopt(deliveries, reserved),
    unreserve: (count) => scheduler.unreserve(count),
    reloadShaping() {
      shaping = loadShaping(config.delivery.shapingFile);
    },
    retireIp(address) {
      for (const [key, queue] of queues) {
        if (queue.ip.address !== address) continue;
        queues.delete(key);
        queue.retire();
      }
    },
    queues() {
      const at = now();
      return [...queues.values()].map((queue) => {
        const oldest = queue.oldestReceivedAt();
        return {
          ip: queue.ip.address,
          site: queue.site,
          depth: queue.depth,
          activeConnections: queue.activeConnections,
          oldestAgeMs: oldest === undefined ? 0 : Math.max(0, at - oldest),
          sendsLastMinute: queue.sendsLastMinute(),
        };
      });
    },
    async stop(timeoutMs = 10_000) {
      await recovered;
      await scheduler.stop();
      await Promise.all([...queues.values()].map((queue) => queue.close(timeoutMs)));
      queues.clear();
      await pool?.close();
    },
  };
}
