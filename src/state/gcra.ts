/**
 * GCRA (generic cell rate algorithm), the rate limiter both backends use; the Redis Lua script
 * scripts/rate_gcra.lua is a line-by-line port of gcraStep. Exports gcraStep and rateKeySpec.
 * State is one number, the theoretical arrival time (TAT, ms). A request at `now` passes when
 * now ≥ TAT' − burst·T, where T = 1000/rate and TAT' = max(TAT, now) + T; then TAT := TAT'.
 * The limit spec is part of the key (KumoMTA style): changing a limit starts a fresh bucket.
 */
import type { RateDecision, RateSpec } from './credit-types.ts';

export interface GcraStep {
  readonly decision: RateDecision;
  /** The TAT to store when allowed (undefined when refused: nothing changes). */
  readonly nextTat: number | undefined;
}

export function gcraStep(storedTat: number | undefined, now: number, spec: RateSpec): GcraStep {
  const interval = 1000 / spec.ratePerSecond;
  const tat = Math.max(storedTat ?? now, now);
  const nextTat = tat + interval;
  const allowAt = nextTat - spec.burst * interval;
  if (now < allowAt) return { decision: { allowed: false, retryAfterMs: Math.ceil(allowAt - now) }, nextTat: undefined };
  return { decision: { allowed: true, retryAfterMs: 0 }, nextTat };
}

/** The spec as it appears in a rate key: `<rate>/s:<burst>`. */
export function rateKeySpec(spec: RateSpec): string {
  return `${spec.ratePerSecond}/s:${spec.burst}`;
}
