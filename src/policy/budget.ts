/**
 * One time budget for a policy check (ingress checks in run.ts, content checks in filter/gate.ts):
 * awaitWithin waits for a check's promise until its budget runs out, then aborts the check's
 * controller and rejects. A promise that is already settled (a check answered from memory) gets
 * no timer at all: a timer could not have fired before it anyway, and arming one per check per
 * message is measurable on the hot path. Exports awaitWithin.
 */

/** What a race against a settled value answers when the work has not settled yet. */
const UNSETTLED = Symbol('unsettled');

/** `pending`'s value, within `ms` counted from `started` (performance.now()); on overrun `controller` is aborted. */
export async function awaitWithin<T>(pending: Promise<T>, ms: number, what: string, controller: AbortController, started = performance.now()): Promise<T> {
  // An already-settled promise wins a race against a plain value (its reaction is queued first).
  const settled = await Promise.race([pending, UNSETTLED]);
  if (settled !== UNSETTLED) return settled as T;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`${what} timed out after ${ms} ms`);
      controller.abort(error);
      reject(error);
    }, Math.max(0, ms - (performance.now() - started)));
  });
  try {
    return await Promise.race([pending, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
