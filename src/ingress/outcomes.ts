/**
 * The ingress's outcome records (Reception / Rejection, src/domain/outcome.ts) and their writer.
 * Records queued in one event-loop turn are appended to the state store in ONE appendOutcomes
 * call, after the SMTP reply went out: a 250 never waits on the outcome write, and a failed
 * write is logged, never turned into a lost or refused message. flush() awaits what is queued
 * (graceful stop). Exports OutcomeWriter, receptionRecord, rejectionRecord.
 */
import type { ContentGateRecord, ReceptionRecord, RejectionRecord, OutcomeRecord, SmtpReply } from '../domain/index.ts';
import type { Logger } from '../platform/index.ts';
import type { StateStore } from '../state/index.ts';
import { replyLine } from './replies.ts';

export class OutcomeWriter {
  readonly #state: StateStore;
  readonly #log: Logger;
  #queued: OutcomeRecord[] = [];
  #scheduled = false;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(state: StateStore, log: Logger) {
    this.#state = state;
    this.#log = log;
  }

  append(record: OutcomeRecord): void {
    this.#queued.push(record);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#write());
  }

  #write(): void {
    this.#scheduled = false;
    const records = this.#queued;
    this.#queued = [];
    if (records.length === 0) return;
    const writing = this.#state.appendOutcomes(records).catch((error: unknown) => {
      const ids = records.map((r) => r.messageId).filter(Boolean);
      this.#log.error({ err: error, records: records.length, messageIds: ids }, 'could not append ingress outcome records');
    });
    this.#inFlight.add(writing);
    void writing.finally(() => this.#inFlight.delete(writing));
  }

  /** Writes what is queued now and waits for every pending append. */
  async flush(): Promise<void> {
    this.#write();
    await Promise.all([...this.#inFlight]);
  }
}

export interface ReceptionFacts {
  readonly tenantId: string;
  readonly messageId: string;
  readonly mailFrom: string;
  readonly recipients: readonly string[];
  readonly size: number;
  readonly clientIp: string;
  readonly reply: SmtpReply;
  readonly contentGate?: ContentGateRecord;
}

export function receptionRecord(facts: ReceptionFacts, at = Date.now()): ReceptionRecord {
  const { reply, recipients, ...rest } = facts;
  return { type: 'Reception', at, ...rest, recipients: [...recipients], reply: replyLine(reply) };
}

export interface RejectionFacts {
  readonly stage: RejectionRecord['stage'];
  readonly reason: string;
  readonly clientIp: string;
  readonly reply: SmtpReply;
  readonly tenantId?: string | undefined;
  readonly recipients?: readonly string[];
  readonly mailFrom?: string | undefined;
  readonly size?: number | undefined;
  readonly contentGate?: ContentGateRecord | undefined;
}

export function rejectionRecord(facts: RejectionFacts, at = Date.now()): RejectionRecord {
  const record: RejectionRecord = {
    type: 'Rejection',
    at,
    stage: facts.stage,
    reason: facts.reason,
    recipients: [...(facts.recipients ?? [])],
    clientIp: facts.clientIp,
    reply: replyLine(facts.reply),
    ...(facts.tenantId === undefined ? {} : { tenantId: facts.tenantId }),
    ...(facts.mailFrom === undefined ? {} : { mailFrom: facts.mailFrom }),
    ...(facts.size === undefined ? {} : { size: facts.size }),
    ...(facts.contentGate === undefined ? {} : { contentGate: facts.contentGate }),
  };
  return record;
}
