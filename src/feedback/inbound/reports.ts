/**
 * What one inbound email means: a DSN → Bounce records (via `dsn`, attempt 0), an ARF report →
 * Complaint records, an unsubscribe mailto → an Unsubscribe record. Exports createReportHandler
 * → handle(raw, envelopeRecipients) → InboundResult, and InboundCounters. Linkage is proven by
 * the signed VERP token (checked with the delivery stage's parseVerpAddress, passed in) and the
 * message's own outcome records (tenant, recipients); anything unproven is dropped and counted.
 */
import type { BounceRecord, ComplaintRecord, OutcomeRecord } from '../../domain/index.ts';
import type { StateStore } from '../../state/index.ts';
import { findVerpSubject, parseBounce, type BounceRecipient, type BounceReport } from '../bounce/index.ts';
import { recordUnsubscribe, verifyUnsubscribeToken } from '../unsubscribe/index.ts';

export type VerpSubject = { readonly messageId: string; readonly recipient: string } | { readonly messageId: string; readonly deliveryId: string };

export type InboundResult = 'bounce' | 'complaint' | 'unsubscribe' | 'forged' | 'unknown-message' | 'not-bounce';

export type InboundCounters = Record<InboundResult, number>;

export interface ReportHandlerDeps {
  readonly state: StateStore;
  /** The delivery stage's parseVerpAddress bound to the bounce domain and VERP secret. */
  readonly parseVerp: (address: string) => VerpSubject | undefined;
  readonly unsubscribeSecret: Buffer;
  readonly unsubscribeAddress: string;
  readonly now: () => number;
}

interface MessageFacts {
  readonly tenantId: string;
  readonly recipients: ReadonlySet<string>;
}

/** Tenant and recipients of a message we sent, from its outcome records. */
async function factsOf(state: StateStore, messageId: string): Promise<MessageFacts | undefined> {
  const records = await state.readOutcomes({ messageId, limit: 200 });
  const tenantId = records.find((r) => r.tenantId !== undefined)?.tenantId;
  if (tenantId === undefined) return undefined;
  const recipients = new Set<string>();
  for (const r of records) if ('recipients' in r) for (const a of r.recipients) recipients.add(a.toLowerCase());
  return { tenantId, recipients };
}

/** The recipients a report speaks about that the token and the message's records vouch for. */
function provenRecipients(report: BounceReport, subject: VerpSubject, facts: MessageFacts): { address: string; entry: BounceRecipient | undefined }[] {
  const byAddress = new Map(report.recipients.filter((r) => r.address).map((r) => [String(r.address).toLowerCase(), r]));
  if ('recipient' in subject) {
    const address = subject.recipient.toLowerCase();
    return facts.recipients.has(address) ? [{ address, entry: byAddress.get(address) ?? report.recipients[0] }] : [];
  }
  return [...byAddress].filter(([address]) => facts.recipients.has(address)).map(([address, entry]) => ({ address, entry }));
}

function bounceRecord(at: number, messageId: string, facts: MessageFacts, subject: VerpSubject, address: string, entry: BounceRecipient | undefined): BounceRecord {
  const bounceClass = entry && entry.class !== 'feedback' && entry.class !== 'not-bounce' ? entry.class : 'other';
  return {
    type: 'Bounce', at, tenantId: facts.tenantId, messageId, recipients: [address], attempt: 0, via: 'dsn',
    deliveryId: 'deliveryId' in subject ? subject.deliveryId : `${messageId}:dsn`,
    bounceClass, hard: entry?.hard ?? false,
    ...(entry?.status ? { reply: { code: entry.status.startsWith('5') ? 550 : 450, enhanced: entry.status, text: entry.diagnostic ?? entry.reason } } : {}),
  };
}

export function createReportHandler(deps: ReportHandlerDeps) {
  const counters: InboundCounters = { bounce: 0, complaint: 0, unsubscribe: 0, forged: 0, 'unknown-message': 0, 'not-bounce': 0 };

  async function unsubscribe(raw: Buffer): Promise<InboundResult> {
    const head = raw.subarray(0, Math.max(0, raw.indexOf('\r\n\r\n'))).toString('latin1');
    const token = /(?:^|\n)subject:[^\n]*?(u1\.[A-Za-z0-9_.-]+)/i.exec(head)?.[1];
    const subject = token === undefined ? undefined : verifyUnsubscribeToken(token, deps.unsubscribeSecret);
    if (!subject) return 'forged';
    await recordUnsubscribe(deps.state, subject, 'mailto', deps.now());
    return 'unsubscribe';
  }

  async function report(raw: Buffer, envelopeRecipient: string | undefined): Promise<InboundResult> {
    const parsed = parseBounce(raw);
    if (!parsed.bounce && !parsed.feedback) return 'not-bounce';
    const found = findVerpSubject(raw, deps.parseVerp, envelopeRecipient);
    if (!found) return 'forged';
    const { messageId } = found.subject;
    const facts = await factsOf(deps.state, messageId);
    if (!facts) return 'unknown-message';
    const proven = provenRecipients(parsed, found.subject, facts);
    if (proven.length === 0) return 'unknown-message';
    const at = deps.now();
    const records: OutcomeRecord[] = parsed.feedback
      ? proven.map(({ address }): ComplaintRecord => ({ type: 'Complaint', at, tenantId: facts.tenantId, messageId, recipient: address, source: `arf:${parsed.feedbackType ?? 'abuse'}` }))
      : proven.map(({ address, entry }) => bounceRecord(at, messageId, facts, found.subject, address, entry));
    await deps.state.appendOutcomes(records);
    return parsed.feedback ? 'complaint' : 'bounce';
  }

  return {
    counters,
    /** Handles one accepted email; never throws for bad input (a store failure does throw: the sender retries). */
    async handle(raw: Buffer, envelopeRecipients: readonly string[]): Promise<InboundResult> {
      const toUnsubscribe = envelopeRecipients.some((r) => r.toLowerCase() === deps.unsubscribeAddress.toLowerCase());
      const result = toUnsubscribe ? await unsubscribe(raw) : await report(raw, envelopeRecipients.find((r) => deps.parseVerp(r) !== undefined) ?? envelopeRecipients[0]);
      counters[result] += 1;
      return result;
    },
  };
}

export type ReportHandler = ReturnType<typeof createReportHandler>;
