/**
 * Runs a stage's checks in order and returns the first non-accept Verdict. A check that throws
 * (store down) or does not answer within the timeout yields `tempfail('internal.failure')` — a
 * 451 4.3.0, never an accept and never a hang (Haraka turns a hook timeout into DENYSOFT); a
 * check that answers at once arms no timer (budget.ts).
 * Exports runChecks.
 */
import { ACCEPT, tempfail, type Verdict } from '../domain/index.ts';
import { awaitWithin } from './budget.ts';
import type { IngressCheck } from './types.ts';

export interface RunOptions {
  readonly timeoutMs: number;
  /** Told about each failed check (the caller logs it with its session context). */
  readonly onFailure?: (checkName: string, error: unknown) => void;
}

function runOne<C>(check: IngressCheck<C>, context: C, timeoutMs: number): Promise<Verdict> {
  const controller = new AbortController();
  return awaitWithin(check.check(context, controller.signal), timeoutMs, `check ${check.name}`, controller);
}

export async function runChecks<C>(checks: readonly IngressCheck<C>[], context: C, options: RunOptions): Promise<Verdict> {
  for (const check of checks) {
    let verdict: Verdict;
    try {
      verdict = await runOne(check, context, options.timeoutMs);
    } catch (error) {
      options.onFailure?.(check.name, error);
      return tempfail('internal.failure');
    }
    if (verdict.kind !== 'accept') return verdict;
  }
  return ACCEPT;
}
