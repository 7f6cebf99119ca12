/**
 * The state store as the relay's stages see it, instrumented for metrics: every call is timed
 * (ferry_state_store_seconds{op,result}) and every appended batch of outcome records is handed
 * to the OutcomeObserver after the append succeeded (so counters count only stored records).
 * Exports instrumentStateStore, OutcomeObserver. The wrapper adds no behaviour otherwise.
 */
import type { OutcomeRecord } from '../domain/index.ts';
import type { StateStore } from '../state/index.ts';

export interface OutcomeObserver {
  records(records: readonly OutcomeRecord[]): void;
  stateCall(op: string, seconds: number, ok: boolean): void;
}

export function instrumentStateStore(state: StateStore, observer: OutcomeObserver): StateStore {
  return new Proxy(state, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      // Class methods use #private fields: they must run with the real store as `this`.
      if (property === 'close' || typeof property !== 'string') return (value as (...a: unknown[]) => unknown).bind(target);
      return async (...args: unknown[]) => {
        const started = performance.now();
        let ok = false;
        try {
          const result = (await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)) as unknown;
          ok = true;
          if (property === 'appendOutcomes') observer.records(args[0] as readonly OutcomeRecord[]);
          return result;
        } finally {
          observer.stateCall(property, (performance.now() - started) / 1000, ok);
        }
      };
    },
  });
}
