/**
 * Retry timing, pure: after a failed attempt, when is the next one — or has the delivery expired?
 * Exports nextAttemptDecision. The schedule is `delivery.retrySchedule` parsed by
 * parseRetrySchedule; attempt N (1-based) waits schedule[N-1], the last wait repeating. The next
 * attempt is capped at expiresAt: a delivery claimed at or after expiresAt expires (watchdog).
 */

export type AttemptDecision = { readonly kind: 'retry'; readonly at: number } | { readonly kind: 'expire' };

export function nextAttemptDecision(schedule: readonly number[], attempt: number, now: number, expiresAt: number): AttemptDecision {
  if (now >= expiresAt) return { kind: 'expire' };
  if (schedule.length === 0) throw new RangeError('empty retry schedule');
  const index = Math.min(Math.max(attempt, 1), schedule.length) - 1;
  const wait = schedule[index] as number;
  return { kind: 'retry', at: Math.min(now + wait, expiresAt) };
}

/** True once a delivery is past its lifetime. */
export function isExpired(expiresAt: number, now: number): boolean {
  return now >= expiresAt;
}
