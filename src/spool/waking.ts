/**
 * Spools that tell delivery about fresh mail. wakingSpool: accept() calls `wake` once the message
 * is committed, so it reaches the delivery engine at once instead of at its next poll (ingress
 * worker processes: wake = tell the primary). handingSpool (the relay, whose engine runs in this
 * process): when the engine has room, the deliveries are stored active and handed to it directly,
 * which saves the schedule → claim round through LMDB per message; else they are scheduled and
 * the engine is nudged. Exports wakingSpool, handingSpool, DeliveryIntake.
 */
import type { Delivery } from '../domain/index.ts';
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

/** The delivery engine's side of the hand-over (src/delivery: reserve → adopt, or unreserve). */
export interface DeliveryIntake {
  reserve(count: number): boolean;
  adopt(deliveries: readonly Delivery[], reserved: number): void;
  unreserve(count: number): void;
  nudge(): void;
}

/** `intake()` is read per message: undefined while delivery is not running (then: scheduled, no nudge). */
export function handingSpool(spool: Spool, intake: () => DeliveryIntake | undefined): Spool {
  return {
    ...spool,
    async accept(message, expiresAt, charge) {
      const engine = intake();
      // One delivery per recipient domain: the recipient count is an upper bound.
      const reserved = message.envelope.rcptTo.length;
      if (!engine?.reserve(reserved)) {
        const deliveries = await spool.accept(message, expiresAt, charge);
        engine?.nudge();
        return deliveries;
      }
      let deliveries: readonly Delivery[];
      try {
        deliveries = await spool.accept(message, expiresAt, charge, true);
      } catch (error) {
        engine.unreserve(reserved);
        throw error;
      }
      engine.adopt(deliveries, reserved);
      return deliveries;
    },
  };
}
