/**
 * AUTH-failure throttle per client IP: after `failuresPerIp` failures within `windowMs`, further
 * AUTH attempts from that IP are refused without looking at the credentials (454 4.7.0), even a
 * right key, until the window passes; at `disconnectAt` failures the connection is dropped (421).
 * Exports AuthFailureThrottle. In-memory and per node: it protects this node's CPU and the key
 * space from guessing; bounded to `maxTrackedIps` entries (oldest forgotten first).
 */
import { ACCEPT, tempfail, type Verdict } from '../domain/index.ts';

export interface AuthThrottleLimits {
  readonly failuresPerIp: number;
  readonly windowMs: number;
  readonly disconnectAt: number;
  readonly maxTrackedIps?: number;
}

export interface ThrottleDecision {
  readonly verdict: Verdict;
  /** The connection is to be closed after the reply. */
  readonly disconnect: boolean;
}

export class AuthFailureThrottle {
  readonly #limits: Required<AuthThrottleLimits>;
  /** ip → failure timestamps within the window (oldest first). Map order = insertion order. */
  readonly #failures = new Map<string, number[]>();

  constructor(limits: AuthThrottleLimits) {
    this.#limits = { maxTrackedIps: 100_000, ...limits };
  }

  #recent(ip: string, now: number): number[] {
    const list = this.#failures.get(ip);
    if (!list) return [];
    const cutoff = now - this.#limits.windowMs;
    while (list.length > 0 && (list[0] as number) <= cutoff) list.shift();
    if (list.length === 0) this.#failures.delete(ip);
    return list;
  }

  /** Before checking credentials: may this IP try AUTH now? */
  check(ip: string, now = Date.now()): ThrottleDecision {
    const count = this.#recent(ip, now).length;
    if (count >= this.#limits.disconnectAt) return { verdict: tempfail('auth.throttled'), disconnect: true };
    if (count >= this.#limits.failuresPerIp) return { verdict: tempfail('auth.throttled'), disconnect: false };
    return { verdict: ACCEPT, disconnect: false };
  }

  /** Counts a failed (or throttled) attempt; returns the failures now within the window. */
  recordFailure(ip: string, now = Date.now()): number {
    const list = this.#recent(ip, now);
    list.push(now);
    this.#failures.delete(ip);
    this.#failures.set(ip, list);
    if (this.#failures.size > this.#limits.maxTrackedIps) {
      const oldest = this.#failures.keys().next().value;
      if (oldest !== undefined) this.#failures.delete(oldest);
    }
    return list.length;
  }

  /** True when this many failures means the connection is to be dropped. */
  shouldDisconnect(failures: number): boolean {
    return failures >= this.#limits.disconnectAt;
  }

  get trackedIps(): number {
    return this.#failures.size;
  }
}
