/**
 * A spool whose accept() also calls `wake` once the message is committed — so fresh mail reaches
 * the delivery engine at once instead of at its next poll. Exports wakingSpool. Used by the relay
 * (wake = delivery.nudge) and by ingress worker processes (wake = tell the primary).
 */
import type { Spool } from './types.ts';

export function wakingSpool(spool: Spool, wake: () => void): Spool {
  return {
    ...spool,
    async accept(...args: Parameters<Spool['accept']>) {
      const deliveries = await spool.accept(...args);
      wake();
      return deliveries;
    },
  };
}
