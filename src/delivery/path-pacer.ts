/**
 * The send pacing of one egress path: hands out send slots at the path's current rate (its
 * maxMessagesPerSecond × the adaptive factor of its PathShaper), refuses them while the path is
 * paused (suspended by a shaping rule, or maxMessagesPerHour reached), counts the sends of the
 * last minute, and feeds each transaction's replies to the shaper. Exports createPathPacer.
 * Rate pacing runs on real time (performance.now); pauses and the hourly cap on the engine clock.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RemoteReply } from '../domain/index.ts';
import type { PathLimits } from './path-limits.ts';
import type { PathShaper, ShapingRule } from './shaping.ts';

export interface PathPacer {
  /**
   * Waits for the path's next send slot; false (no slot taken) when the path is paused or `stop()`
   * turns true meanwhile. The slot is taken when the caller is about to send, not when it starts
   * waiting: after an event-loop stall, waiting workers wake together and only one gets through,
   * so starts stay at least 1/rate apart.
   */
  slot(stop: () => boolean): Promise<boolean>;
  /** One transaction's replies (or a failed connection's) → the shaper; the rule applied, if any. */
  observe(replies: readonly RemoteReply[]): ShapingRule | undefined;
  pausedUntil(): number | undefined;
  sendsLastMinute(): number;
  /** The current rate (sends/s), 0 = unlimited. */
  rate(): number;
}

/** A paced worker re-checks pause and stop at least this often while it waits. */
const RECHECK_MS = 250;
const MINUTE_MS = 60_000;

export function createPathPacer(limits: PathLimits, shaper: PathShaper, now: () => number): PathPacer {
  const createdAt = performance.now();
  let nextSendAt = 0;
  /** performance.now() of each send start within the last minute, oldest first. */
  const sendStarts: number[] = [];

  function sendsLastMinute(): number {
    const since = performance.now() - MINUTE_MS;
    while (sendStarts.length > 0 && (sendStarts[0] as number) < since) sendStarts.shift();
    return sendStarts.length;
  }

  /** Sends per second over the last minute, or over the path's life when it is younger. */
  function observedRate(): number {
    const span = Math.min(MINUTE_MS, Math.max(1000, performance.now() - createdAt));
    return (sendsLastMinute() * 1000) / span;
  }

  const rate = () => shaper.rate(limits.maxMessagesPerSecond);

  return {
    async slot(stop) {
      for (;;) {
        if (stop() || shaper.pausedUntil(now()) !== undefined) return false;
        const current = rate();
        const at = performance.now();
        if (current <= 0 || at >= nextSendAt) {
          if (current > 0) nextSendAt = at + 1000 / current;
          sendStarts.push(at);
          shaper.recordSend(now());
          return true;
        }
        await sleep(Math.min(nextSendAt - at, RECHECK_MS));
      }
    },
    observe: (replies) => shaper.observe(replies, now(), observedRate),
    pausedUntil: () => shaper.pausedUntil(now()),
    sendsLastMinute,
    rate,
  };
}
