/**
 * The spool's hot window: messages this process accepted, kept in memory (up to a byte budget,
 * oldest dropped first) until their last delivery completes, so the delivery engine sends them
 * without reading the body back from LMDB (no decode, no copy, no page faults on the map).
 * Exports HotMessages. Invariants: only messages already committed to the spool are added; an
 * entry is the same immutable object the spool stored, so a hit and a miss give equal messages;
 * a miss (other process, evicted, after a restart) falls back to the spool's own read.
 */
import type { AcceptedMessage } from '../domain/index.ts';

/** Bodies held at most (the ready window of a busy node, not the queue). */
export const HOT_MESSAGE_BYTES = 64 * 1024 * 1024;

export class HotMessages {
  readonly #maxBytes: number;
  /** Insertion order is acceptance order: the first entry is the oldest. */
  readonly #byId = new Map<string, AcceptedMessage>();
  #bytes = 0;

  constructor(maxBytes = HOT_MESSAGE_BYTES) {
    this.#maxBytes = maxBytes;
  }

  get bytes(): number {
    return this.#bytes;
  }

  add(message: AcceptedMessage): void {
    const size = message.body.length;
    if (size > this.#maxBytes / 8 || this.#byId.has(message.id)) return;
    while (this.#bytes + size > this.#maxBytes) {
      const oldest = this.#byId.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
    this.#byId.set(message.id, message);
    this.#bytes += size;
  }

  get(messageId: string): AcceptedMessage | undefined {
    return this.#byId.get(messageId);
  }

  delete(messageId: string): void {
    const message = this.#byId.get(messageId);
    if (!message) return;
    this.#byId.delete(messageId);
    this.#bytes -= message.body.length;
  }

  clear(): void {
    this.#byId.clear();
    this.#bytes = 0;
  }
}
