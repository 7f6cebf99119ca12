/**
 * The ready queue of one egress path (sending IP × site): a bounded FIFO of routed deliveries
 * and the SMTP sessions that drain it. Exports createReadyQueue → ReadyQueue.
 * Invariants: at most maxConnections sessions (one per worker), at most
 * maxMessagesPerConnection messages per session (RSET between them), at most
 * maxMessagesPerSecond sends started per second on the path (0 = unlimited). A worker whose
 * session has waited `idleMs` with nothing to send closes it; the queue reports idle (onIdle)
 * when it has neither items nor workers, so the scheduler can drop it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../platform/index.ts';
import type { Attempt, ReadyItem } from './attempt.ts';
import { ConnectFailure, openSession, type SessionTimeouts, type SmtpSession } from './connection.ts';
import type { EgressIp } from './egress-pools.ts';
import type { PathLimits } from './path-limits.ts';

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
  /** False when full: the caller must settle the item some other way. */
  push(item: ReadyItem): boolean;
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
  let nextSendAt = 0;
  /** performance.now() of each send start within the last minute, oldest first. */
  const sendStarts: number[] = [];
  let allDone: (() => void) | undefined;

  function nextItem(): Promise<ReadyItem | undefined> {
    if (closing) return Promise.resolve(undefined);
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

  /**
   * Waits for the path's next send slot. The slot is taken when the worker is actually about to
   * send, not when it starts waiting: after an event-loop stall, waiting workers wake together and
   * only one of them gets through, so starts stay at least 1/rate apart (a receiver counting per
   * sliding second never sees more than the configured rate).
   */
  async function pace(): Promise<void> {
    if (limits.maxMessagesPerSecond <= 0) return;
    for (;;) {
      const now = performance.now();
      if (now >= nextSendAt) {
        nextSendAt = now + 1000 / limits.maxMessagesPerSecond;
        return;
      }
      await sleep(nextSendAt - now);
    }
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
        // paced right before MAIL FROM; a stopping engine cancels the send (left active for recover)
        const sent = attempt.onSession(item, current, async () => {
          await pace();
          if (closing) return false;
          sendStarts.push(performance.now());
          return true;
        });
        const usable = await sent.then((result) => result.usable, () => false);
        track(settled(item, sent.then((result) => result.settled)));
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
    sendsLastMinute() {
      const since = performance.now() - 60_000;
      while (sendStarts.length > 0 && (sendStarts[0] as number) < since) sendStarts.shift();
      return sendStarts.length;
    },
    push(item) {
      if (closing || items.length >= options.capacity) return false;
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
