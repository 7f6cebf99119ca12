/**
 * Tailing the outcome stream (delivery → feedback only through outcome records, ARCHITECTURE.md
 * §1): an OutcomeTail reads the records of its consumer's types after its durable cursor in
 * batches, hands them to the consumer, then advances the cursor to the last one. Exports OutcomeTail and OutcomeConsumer.
 * At-least-once: a crash between handle() and advanceCursor() repeats a batch, so every
 * consumer is idempotent (keys derived from the record's seq).
 */
import type { OutcomeRecord, OutcomeType } from '../../domain/index.ts';
import type { Logger } from '../../platform/index.ts';
import type { StateStore } from '../../state/index.ts';

export interface OutcomeConsumer {
  /** The cursor's name in the state store. */
  readonly name: string;
  readonly types: ReadonlySet<OutcomeType>;
  handle(records: readonly OutcomeRecord[]): Promise<void>;
}

export interface TailOptions {
  readonly batchSize?: number;
  readonly log?: Logger;
}

export class OutcomeTail {
  readonly #state: StateStore;
  readonly #consumer: OutcomeConsumer;
  readonly #batchSize: number;
  readonly #log: Logger | undefined;
  #draining: Promise<number> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(state: StateStore, consumer: OutcomeConsumer, options: TailOptions = {}) {
    this.#state = state;
    this.#consumer = consumer;
    this.#batchSize = options.batchSize ?? 500;
    this.#log = options.log;
  }

  /** Handles every record appended so far; returns how many were handed to the consumer. One drain at a time. */
  drain(): Promise<number> {
    this.#draining ??= this.#drainAll().finally(() => (this.#draining = undefined));
    return this.#draining;
  }

  async #drainAll(): Promise<number> {
    let handled = 0;
    if (this.#consumer.types.size === 0) return handled;
    for (;;) {
      const cursor = await this.#state.getCursor(this.#consumer.name);
      // Only the consumer's types: the store's type index skips the others (most records are Receptions).
      const batch = await this.#state.readOutcomes({ afterSeq: cursor, types: [...this.#consumer.types], limit: this.#batchSize });
      if (batch.length === 0) return handled;
      await this.#consumer.handle(batch);
      handled += batch.length;
      await this.#state.advanceCursor(this.#consumer.name, batch[batch.length - 1]?.seq ?? cursor);
      if (batch.length < this.#batchSize) return handled;
    }
  }

  /** Drains every `intervalMs` until stop(); a failed drain is logged and retried next time. */
  start(intervalMs: number): void {
    const tick = () => {
      this.drain().catch((error: unknown) => this.#log?.warn({ err: error, consumer: this.#consumer.name }, 'outcome consumer failed; retrying'))
        .finally(() => {
          if (this.#timer !== undefined) this.#timer = setTimeout(tick, intervalMs);
        });
    };
    this.#timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#draining?.catch(() => {});
  }
}
