/**
 * The ready queue of one egress path (sending IP × site): a bounded FIFO of routed deliveries
 * and the SMTP sessions that drain it. Exports createReadyQueue → ReadyQueue.
 * Invariants: at most maxConnections sessions (one per worker), at most
 * maxMessagesPerConnection messages per session (RSET between them), sends started at most at
 * the path's current rate (path-pacer.ts: maxMessagesPerSecond × the adaptive factor). While the
 * path is paused (shaping suspend, hourly cap) or retired, it holds no delivery: waiting ones are
 * handed back (onHandBack) to the scheduled queue. A worker whose session has waited `idleMs`
 * with nothing to send closes it; the queue reports idle (onIdle) when it has neither items nor
 * workers, so the scheduler can drop it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RemoteReply } from '../domain/index.ts';
import type { Logger } from '../platform/index.ts';
import type { Attempt, ReadyItem } from './attempt.ts';
import { ConnectFailure, openSession, type SessionTimeouts, type SmtpSession } from './connection.ts';
import type { EgressIp } from '../egress/index.ts';
import { createPathPacer } from './path-pacer.ts';
import type { PathLimits } from './path-limits.ts';
import type { PathShaper } from './shaping.ts';

export interface ReadyQueueOptions {
  readonly ip: EgressIp;
  readonly site: string;
  readonly limits: PathLimits;
  readonly capacity: number;
  readonly idleMs: number;
  readonly timeouts: SessionTimeouts;
  readonly attempt: Attempt;
  readonly onIdle: () => void;
  /** Called once per item when the queue is done with it (settled), so the window can refill. */
  readonly onSettled: (item: ReadyItem) => void;
  /**
   * Called once per item the queue gives back without an attempt (path paused or retired): the
   * delivery goes back to the scheduled queue, due at `dueAt` (clock ms). Replaces onSettled.
   */
  readonly onHandBack: (item: ReadyItem, dueAt: number) => Promise<void>;
  /** The adaptive state of this path (outlives the queue: kept by the engine per path). */
  readonly shaper: PathShaper;
  /** The engine clock (pauses, hourly cap). */
  readonly now: () => number;
  readonly log: Logger;
}

export interface ReadyQueue {
  /** Sends started on this path in the last 60 s (the path's current rate, for the queue view). */
  sendsLastMinute(): number;
  readonly ip: EgressIp;
  readonly site: string;
  /** Items waiting (not yet on a session). */
  readonly depth: number;
  readonly activeConnections: number;
  /** The most items that may wait. */
  readonly capacity: number;
  /** False when full or retired: the caller must settle the item some other way. */
  push(item: ReadyItem): boolean;
  /** When the paused path may send again (clock ms); undefined when it is not paused. */
  pausedUntil(): number | undefined;
  /**
   * Stops taking items for good: waiting ones are handed back due now, sends in flight finish and
   * settle normally, then the workers QUIT their sessions and the queue reports idle.
   */
  retire(): void;
  /** receivedAt of the oldest waiting item. */
  oldestReceivedAt(): number | undefined;
  /** Removes and returns waiting items whose delivery expired at `now`. */
  takeExpired(now: number): ReadyItem[];
  /**
   * Stops taking items; waits for sends in flight up to `timeoutMs`, then cuts the sessions still
   * sending (their deliveries, like the waiting ones, stay active for recover) and waits up to
   * `timeoutMs` more for settles already running.
   */
  close(timeoutMs: number): Promise<void>;
}

type Waiter = { resolve: (item: ReadyItem | undefined) => void; timer: NodeJS.Timeout };

function hostsKey(item: ReadyItem): string {
  return item.route.hosts.map((host) => `${host.host}:${host.port}`).join(',');
}

export function createReadyQueue(options: ReadyQueueOptions): ReadyQueue {
  const { limits, attempt, log } = options;
  const items: ReadyItem[] = [];
  const waiters: Waiter[] = [];
  const sessions = new Set<SmtpSession>();
  /** Settles started by workers that already moved on (close() waits for them). */
  const settling = new Set<Promise<void>>();
  let workers = 0;
  let closing = false;
  let retired = false;
  const pacer = createPathPacer(limits, options.shaper, options.now);
  let allDone: (() => void) | undefined;

  function nextItem(): Promise<ReadyItem | undefined> {
    if (closing || retired) return Promise.resolve(undefined);
    if (pauseIfDue()) return Promise.resolve(undefined);
    const item = items.shift();
    if (item) return Promise.resolve(item);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          resolve(undefined);
        }, options.idleMs),
      };
      waiters.push(waiter);
    });
  }

  function handBack(item: ReadyItem, dueAt: number): void {
    track(options.onHandBack(item, dueAt).catch((error: unknown) => log.error({ err: error, deliveryId: item.delivery.id }, 'handing a delivery back failed')));
  }

  /** Gives back every waiting item and wakes idle workers (they QUIT and exit). */
  function handBackWaiting(dueAt: number): void {
    for (const item of items.splice(0)) handBack(item, dueAt);
    for (const waiter of waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.resolve(undefined);
    }
  }

  /** True (after handing back what waits) when the path is paused now. */
  function pauseIfDue(): boolean {
    const until = pacer.pausedUntil();
    if (until === undefined) return false;
    handBackWaiting(until);
    return true;
  }

  function observe(replies: readonly RemoteReply[]): void {
    const rule = pacer.observe(replies);
    if (rule) log.warn({ site: options.site, ip: options.ip.address, rule: rule.name, factor: options.shaper.factor, rate: pacer.rate() }, 'egress path: shaping rule applied');
  }

  /** A session ready for the next transaction, or undefined when connecting failed (item settled). */
  async function sessionFor(current: SmtpSession | undefined, item: ReadyItem): Promise<SmtpSession | undefined> {
    if (current && !current.closed && current.messagesSent < limits.maxMessagesPerConnection) {
      if (current.messagesSent === 0 || (await current.reset())) return current;
    }
    // the old session is gone at the receiver before its replacement connects (connection caps)
    if (current) await release(current);
    try {
      const session = await openSession({ hosts: item.route.hosts, localAddress: options.ip.address, helo: options.ip.helo, tls: item.route.tls, timeouts: options.timeouts });
      sessions.add(session);
      return session;
    } catch (error) {
      if (!(error instanceof ConnectFailure)) throw error;
      if (closing) {
        options.onSettled(item); // stopping: no outcome; the delivery stays active for recover
        return undefined;
      }
      log.info({ site: options.site, ip: options.ip.address, err: error.message }, 'egress path: connection failed');
      observe([error.reply]);
      if (pauseIfDue()) {
        await settled(item, attempt.deferAll(item, error.reply, error.mxHost));
        return undefined;
      }
      // Every waiting item bound for the same hosts would fail the same way now: settle them together.
      const key = hostsKey(item);
      const same = [item, ...items.filter((other) => hostsKey(other) === key)];
      for (const other of same.slice(1)) items.splice(items.indexOf(other), 1);
      await Promise.all(same.map((other) => settled(other, attempt.deferAll(other, error.reply, error.mxHost))));
      return undefined;
    }
  }

  async function release(session: SmtpSession): Promise<void> {
    await session.quit();
    sessions.delete(session);
  }

  async function settled(item: ReadyItem, work: Promise<unknown>): Promise<void> {
    try {
      await work;
    } catch (error) {
      log.error({ err: error, deliveryId: item.delivery.id }, 'settling a delivery failed; it stays active until recover');
    } finally {
      options.onSettled(item);
    }
  }

  async function worker(): Promise<void> {
    let session: SmtpSession | undefined;
    try {
      for (let item = await nextItem(); item; item = await nextItem()) {
        session = await sessionFor(session, item);
        if (!session) continue;
        const current: SmtpSession = session;
        // Paced right before MAIL FROM. A stopping engine cancels the send (left active for
        // recover); a paused or retired path hands the item back to the scheduled queue.
        let handedBack = false;
        const sent = attempt.onSession(item, current, async () => {
          if (await pacer.slot(() => closing || retired)) return true;
          handedBack = !closing;
          return false;
        });
        const result = await sent.catch(() => undefined);
        if (result) observe(result.replies);
        if (handedBack) handBack(item, retired ? options.now() : (pacer.pausedUntil() ?? options.now()));
        else track(settled(item, sent.then((done) => done.settled)));
        const usable = result?.usable ?? false;
        if (!usable || current.messagesSent >= limits.maxMessagesPerConnection) {
          session = undefined;
          await release(current);
        }
      }
    } finally {
      if (session) await release(session);
      workers--;
      if (workers === 0) {
        allDone?.();
        if (items.length === 0 && !closing) options.onIdle();
      }
    }
  }

  function track(settle: Promise<void>): void {
    settling.add(settle);
    void settle.finally(() => settling.delete(settle));
  }

  function spawn(): void {
    workers++;
    worker().catch((error: unknown) => log.error({ err: error, site: options.site }, 'egress path worker failed'));
  }

  return {
    ip: options.ip,
    site: options.site,
    get depth() {
      return items.length;
    },
    get activeConnections() {
      return sessions.size;
    },
    capacity: options.capacity,
    sendsLastMinute: () => pacer.sendsLastMinute(),
    pausedUntil: () => pacer.pausedUntil(),
    push(item) {
      if (closing || retired || items.length >= options.capacity) return false;
      const until = pacer.pausedUntil();
      if (until !== undefined) {
        handBack(item, until);
        return true;
      }
      const waiter = waiters.shift();
      if (waiter) {
        clearTimeout(waiter.timer);
        waiter.resolve(item);
        return true;
      }
      items.push(item);
      if (workers < limits.maxConnections) spawn();
      return true;
    },
    oldestReceivedAt() {
      return items.reduce<number | undefined>((oldest, item) => Math.min(oldest ?? Infinity, item.delivery.receivedAt), undefined);
    },
    takeExpired(now) {
      const expired = items.filter((item) => item.delivery.expiresAt <= now);
      for (const item of expired) items.splice(items.indexOf(item), 1);
      return expired;
    },
    retire() {
      if (retired || closing) return;
      retired = true;
      handBackWaiting(options.now());
      if (workers === 0) options.onIdle();
    },
    async close(timeoutMs) {
      closing = true;
      for (const waiter of waiters.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.resolve(undefined);
      }
      const timer = new AbortController();
      const deadline = sleep(timeoutMs, undefined, { signal: timer.signal }).catch(() => undefined);
      try {
        if (workers > 0) {
          const done = new Promise<void>((resolve) => (allDone = resolve));
          await Promise.race([done, deadline]);
        }
        // Past the grace period, sessions still here carry a send: cut them (a hung server would
        // never answer QUIT); those deliveries stay active in the spool for the next start.
        for (const session of sessions) session.abort();
        sessions.clear();
      } finally {
        timer.abort();
      }
      // Settles already running are local writes (records, spool): let them finish, within a bound.
      const settleBound = new AbortController();
      await Promise.race([Promise.allSettled([...settling]), sleep(timeoutMs, undefined, { signal: settleBound.signal }).catch(() => undefined)]);
      settleBound.abort();
    },
  };
}
