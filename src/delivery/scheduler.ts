/**
 * The scheduler: claims due deliveries from the spool into a bounded active window, routes each
 * (undeliverable → Bounce, temporary DNS failure → defer, hosts → the ready queue of its egress
 * path = chosen sending IP × site), and runs the watchdog that expires deliveries past their
 * lifetime. Fresh mail can also skip the claim: ingress reserves room, stores the deliveries
 * active and hands them over (reserve → adopt). Exports createScheduler. Invariants: at most
 * `activeWindow` deliveries are active (claimed or adopted, not yet settled) at once; every
 * claimed or adopted delivery is settled once, or left active for `recover` when stopped mid-way;
 * every due/expiry decision uses the injected clock.
 */
import type { Config } from '../config/index.ts';
import type { Delivery, RemoteReply } from '../domain/index.ts';
import type { Logger } from '../platform/index.ts';
import type { Spool } from '../spool/index.ts';
import type { StateStore } from '../state/store.ts';
import type { Attempt, ReadyItem } from './attempt.ts';
import type { EgressChooser } from '../egress/index.ts';
import type { ReadyQueue } from './ready-queue.ts';
import type { RecipientOutcome } from './records.ts';
import type { Route, Router } from './routing-types.ts';
import type { Settle } from './settle.ts';
import { localReply } from './smtp-reply.ts';

export interface SchedulerDeps {
  readonly config: Config;
  readonly spool: Spool;
  readonly state: StateStore;
  readonly router: Router;
  /** The sending IP of each attempt (the egress stage: leases, pools, warm-up). */
  readonly egress: EgressChooser;
  readonly attempt: Attempt;
  readonly settle: Settle;
  readonly now: () => number;
  readonly log: Logger;
  /** The ready queue of an egress path, created on first use. */
  readonly queueFor: (ip: ReadyItem['ip'], site: string) => ReadyQueue;
  readonly queues: () => Iterable<ReadyQueue>;
}

export interface Scheduler {
  /** Claim now (coalesced with a claim already running). */
  nudge(): void;
  /** A delivery left the active window (settled). */
  released(): void;
  /**
   * Holds room in the active window for up to `count` fresh deliveries (false when full or
   * stopped): the caller then stores them active (spool.accept with startActive) and hands them
   * over with adopt, or gives the room back with unreserve if the accept failed.
   */
  reserve(count: number): boolean;
  /** Fresh deliveries stored active under a reservation of `reserved`: routed at once, no claim. */
  adopt(deliveries: readonly Delivery[], reserved: number): void;
  unreserve(count: number): void;
  readonly active: number;
  /** Stop claiming; deliveries being routed finish routing. */
  stop(): Promise<void>;
}

const POLL_MS = 200;
const WATCHDOG_MS = 1000;
const CLAIM_BATCH = 500;
/** How soon, at the earliest, a delivery that found its egress path full is claimed again. */
const PATH_FULL_RETRY_MS = 1000;

/** The next free one-second slot of a full path's overflow: at most `capacity` deliveries per slot. */
interface OverflowSlot {
  dueAt: number;
  taken: number;
}

const UNDELIVERABLE_STATUS = { 'null-mx': '5.1.10', 'no-such-domain': '5.1.2', 'no-address': '5.4.4' } as const;

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { spool, now, log } = deps;
  const windowSize = deps.config.delivery.activeWindow;
  let active = 0;
  let claiming: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const routing = new Set<Promise<void>>();
  /**
   * Overflow of full paths, spread over one-second slots of `capacity` each: a path's backlog
   * comes back due at about the rate its queue can take it, not all at once every second — which
   * would re-claim and requeue the whole backlog each second and keep fresh mail behind it.
   */
  const overflow = new Map<string, OverflowSlot>();

  function overflowDueAt(queue: ReadyQueue): number {
    const key = `${queue.ip.address}|${queue.site}`;
    let slot = overflow.get(key);
    // A slot still ahead keeps filling (even if it opened a moment ago); a past one starts anew.
    if (!slot || slot.dueAt <= now()) slot = { dueAt: now() + PATH_FULL_RETRY_MS, taken: 0 };
    if (slot.taken >= queue.capacity) slot = { dueAt: slot.dueAt + PATH_FULL_RETRY_MS, taken: 0 };
    slot.taken++;
    overflow.set(key, slot);
    return slot.dueAt;
  }

  const pendingOutcomes = (delivery: Delivery, kind: RecipientOutcome['kind'], reply?: RemoteReply): RecipientOutcome[] =>
    delivery.recipients
      .filter((recipient) => recipient.state === 'pending')
      .map((recipient) => ({ address: recipient.address, kind, ...(reply !== undefined && { reply }) }));

  async function settleWithout(delivery: Delivery, kind: RecipientOutcome['kind'], reply: RemoteReply | undefined, claimedAt: number, attempted: boolean) {
    const attempt = attempted ? delivery.attempts + 1 : delivery.attempts;
    await deps.settle({ delivery, attempt, startedAt: claimedAt }, pendingOutcomes(delivery, kind, reply));
  }

  async function routeAndQueue(delivery: Delivery, claimedAt: number): Promise<boolean> {
    if (now() >= delivery.expiresAt) {
      await settleWithout(delivery, 'expired', localReply(451, '4.4.7', 'message expired in the queue'), claimedAt, false);
      return false;
    }
    const tenant = await deps.state.getTenant(delivery.tenantId);
    let route: Route;
    try {
      route = await deps.router.route(delivery.domain);
    } catch (error) {
      route = { kind: 'temporary-failure', text: `routing failed: ${(error as Error).message}` };
    }
    if (route.kind === 'undeliverable') {
      await settleWithout(delivery, 'bounced', localReply(550, UNDELIVERABLE_STATUS[route.reason], route.text), claimedAt, true);
      return false;
    }
    if (route.kind === 'temporary-failure') {
      await settleWithout(delivery, 'deferred', localReply(451, '4.4.3', route.text), claimedAt, true);
      return false;
    }
    const choice = await deps.egress.choose(tenant, route.site);
    if (choice.kind === 'wait') {
      // e.g. a warming IP's cap for today: not an attempt, no record; the delivery comes back then
      await spool.requeue(delivery.id, choice.until);
      return false;
    }
    if (choice.kind === 'unavailable') {
      await settleWithout(delivery, 'deferred', localReply(451, '4.4.5', choice.text), claimedAt, true);
      return false;
    }
    const { ip } = choice;
    const item: ReadyItem = { delivery, route, ip, claimedAt };
    const queue = deps.queueFor(ip, route.site);
    // A paused path (shaping suspend, hourly cap) holds nothing: back on the scheduled queue, due
    // when the pause ends (no attempt counted, no record).
    const pausedUntil = queue.pausedUntil();
    if (pausedUntil !== undefined) {
      await spool.requeue(delivery.id, pausedUntil);
      return false;
    }
    if (queue.push(item)) return true;
    // The active window bounds all ready queues together: a delivery whose path is full goes back on
    // the scheduled queue for a moment (no attempt counted, no record), so other paths keep flowing.
    await spool.requeue(delivery.id, overflowDueAt(queue));
    return false;
  }

  function dispatch(delivery: Delivery, claimedAt: number): void {
    const job = routeAndQueue(delivery, claimedAt)
      .catch(async (error: unknown) => {
        log.error({ err: error, deliveryId: delivery.id }, 'routing a delivery failed; deferring it');
        await settleWithout(delivery, 'deferred', localReply(451, '4.3.0', 'local error while routing'), claimedAt, true).catch(() => undefined);
        return false;
      })
      .then((queued) => {
        if (!queued) released();
      })
      .finally(() => routing.delete(job));
    routing.add(job);
  }

  async function claimLoop(): Promise<void> {
    do {
      again = false;
      const free = windowSize - active;
      if (stopped || free <= 0) return;
      const limit = Math.min(free, CLAIM_BATCH);
      const claimedAt = now();
      const batch = await spool.claimDue(claimedAt, limit);
      active += batch.length;
      for (const delivery of batch) dispatch(delivery, claimedAt);
      if (batch.length === limit) again = true;
    } while (again);
  }

  function released(): void {
    active--;
    nudge();
  }

  function reserve(count: number): boolean {
    if (stopped || active + count > windowSize) return false;
    active += count;
    return true;
  }

  function adopt(deliveries: readonly Delivery[], reserved: number): void {
    // Stopped meanwhile: they stay active in the spool, and the next start's recover takes them.
    if (stopped) return;
    const claimedAt = now();
    for (const delivery of deliveries) dispatch(delivery, claimedAt);
    if (reserved > deliveries.length) unreserve(reserved - deliveries.length);
  }

  function unreserve(count: number): void {
    active -= count;
    nudge();
  }

  function nudge(): void {
    if (stopped) return;
    if (claiming) {
      again = true;
      return;
    }
    claiming = claimLoop()
      .catch((error: unknown) => log.error({ err: error }, 'claiming due deliveries failed'))
      .finally(() => (claiming = undefined));
  }

  async function watchdog(): Promise<void> {
    const at = now();
    for (const [key, slot] of overflow) if (slot.dueAt < at) overflow.delete(key);
    for (const queue of deps.queues()) {
      for (const item of queue.takeExpired(at)) {
        await settleWithout(item.delivery, 'expired', localReply(451, '4.4.7', 'message expired in the queue'), item.claimedAt, false)
          .catch((error: unknown) => log.error({ err: error, deliveryId: item.delivery.id }, 'expiring a delivery failed'))
          .finally(() => released());
      }
    }
  }

  const pollTimer = setInterval(nudge, POLL_MS);
  const watchdogTimer = setInterval(() => void watchdog(), WATCHDOG_MS);
  pollTimer.unref();
  watchdogTimer.unref();

  return {
    nudge,
    released,
    reserve,
    adopt,
    unreserve,
    get active() {
      return active;
    },
    async stop() {
      stopped = true;
      clearInterval(pollTimer);
      clearInterval(watchdogTimer);
      await claiming;
      await Promise.allSettled([...routing]);
    },
  };
}
