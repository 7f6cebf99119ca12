/**
 * One delivery attempt on an open session: fetch the message, VERP return path, DKIM header
 * block, one SMTP transaction for the delivery's pending recipients (or one per recipient when
 * the extra header lines differ per recipient, eachRecipient), per-recipient outcomes
 * (2xx delivered, 5xx bounced, 4xx or broken session deferred), then settle. Exports
 * createAttempt → { onSession, deferAll }, SessionAttempt and ReadyItem. Invariant: every claimed
 * delivery that reaches here is settled exactly once, whatever the remote side does — unless a
 * stopping engine cut its session (then it stays active for recover); the settle runs after the
 * session is handed back (its two commits no longer hold a connection idle).
 */
import { withoutStreamHeader, type AcceptedMessage, type Delivery, type RemoteReply } from '../domain/index.ts';
import type { Logger } from '../platform/index.ts';
import type { Spool } from '../spool/index.ts';
import type { RecipientReply, SmtpSession } from './connection.ts';
import type { DkimSigner } from './dkim.ts';
import type { EgressIp } from '../egress/index.ts';
import type { RecipientOutcome } from './records.ts';
import type { Route } from './routing-types.ts';
import type { Settle } from './settle.ts';
import { localReply, replyClass } from './smtp-reply.ts';
import { makeVerpToken, verpAddress } from './verp.ts';

export type HostsRoute = Extract<Route, { kind: 'hosts' }>;

export interface ReadyItem {
  readonly delivery: Delivery;
  readonly route: HostsRoute;
  readonly ip: EgressIp;
  /** When the scheduler claimed it (clock ms), for durations. */
  readonly claimedAt: number;
}

export interface AttemptDeps {
  readonly spool: Spool;
  readonly signer: DkimSigner;
  readonly settle: Settle;
  readonly verpSecret: Buffer;
  readonly bounceDomain: string;
  readonly log: Logger;
  /**
   * Header lines (CRLF-terminated) to add before DKIM signing, e.g. RFC 8058 List-Unsubscribe for
   * this transaction's recipients; '' adds nothing; an array holds one block per recipient, in
   * order (its own unsubscribe token): one transaction per recipient. Wired in main.ts from the
   * feedback stage. Ferry's own `X-Ferry-Stream` field is stripped after this hook has read it.
   */
  readonly extraHeaders?: (message: AcceptedMessage, recipients: readonly string[]) => string | readonly string[];
}

export interface SessionAttempt {
  /** Whether the session can carry the next transaction. */
  readonly usable: boolean;
  /** The settle of this attempt (records + spool commit), still running: the session need not wait for it. */
  readonly settled: Promise<void>;
  /** The receiver's replies in this transaction, one per recipient (empty when nothing was sent): fed to traffic shaping. */
  readonly replies: readonly RemoteReply[];
}

export interface Attempt {
  /**
   * Sends the item on the session, then starts settling it; resolves once the session is free again.
   * `beforeSend` runs after signing, right before MAIL FROM (the path's rate pacing, so the receiver
   * sees sends spaced as configured); false cancels the send and leaves the delivery active.
   */
  onSession(item: ReadyItem, session: SmtpSession, beforeSend?: () => Promise<boolean>): Promise<SessionAttempt>;
  /** Settles every pending recipient of the item as deferred with this reply (no session). */
  deferAll(item: ReadyItem, reply: RemoteReply, mxHost?: string): Promise<void>;
}

function pendingOf(delivery: Delivery): string[] {
  return delivery.recipients.filter((recipient) => recipient.state === 'pending').map((recipient) => recipient.address);
}

const OUTCOME_OF_CLASS = { accepted: 'delivered', permanent: 'bounced', transient: 'deferred' } as const;

function outcomeOf(entry: RecipientReply): RecipientOutcome {
  return { address: entry.recipient, kind: OUTCOME_OF_CLASS[replyClass(entry.reply)], reply: entry.reply };
}

/** For the recipients of a split transaction not yet sent when the session ended. */
const SESSION_ENDED = localReply(451, '4.4.2', "session ended before this recipient's transaction");

export function createAttempt(deps: AttemptDeps): Attempt {
  const context = (item: ReadyItem, mxHost?: string) => ({
    delivery: item.delivery,
    attempt: item.delivery.attempts + 1,
    egressIp: item.ip.address,
    site: item.route.site,
    startedAt: item.claimedAt,
    ...(mxHost !== undefined && { mxHost }),
  });

  async function deferAll(item: ReadyItem, reply: RemoteReply, mxHost?: string): Promise<void> {
    const outcomes = pendingOf(item.delivery).map((address): RecipientOutcome => ({ address, kind: 'deferred', reply }));
    await deps.settle(context(item, mxHost), outcomes);
  }

  function returnPath(delivery: Delivery, recipients: readonly string[]): string {
    const subject = recipients.length === 1
      ? { messageId: delivery.messageId, recipient: recipients[0] as string }
      : { messageId: delivery.messageId, deliveryId: delivery.id };
    return verpAddress(makeVerpToken(subject, deps.verpSecret, delivery.id), deps.bounceDomain);
  }

  async function onSession(item: ReadyItem, session: SmtpSession, beforeSend?: () => Promise<boolean>): Promise<SessionAttempt> {
    const { delivery } = item;
    const recipients = pendingOf(delivery);
    const message = await deps.spool.getMessage(delivery.messageId);
    if (!message) {
      deps.log.error({ deliveryId: delivery.id }, 'message body missing from the spool');
      const reply = localReply(554, '5.3.0', 'message body lost from the local spool');
      return { usable: true, settled: deps.settle(context(item), recipients.map((address) => ({ address, kind: 'bounced', reply }))), replies: [] };
    }
    const extra = deps.extraHeaders?.(message, recipients) ?? '';
    const body = withoutStreamHeader(message.body);
    if (typeof extra !== 'string') return eachRecipient(item, session, { ...message, body }, recipients, extra, beforeSend);
    const outgoing = extra === '' ? (body === message.body ? message : { ...message, body }) : { ...message, body: Buffer.concat([Buffer.from(extra, 'latin1'), body]) };
    let signatures: Buffer;
    try {
      signatures = await deps.signer.sign(outgoing);
    } catch (error) {
      deps.log.error({ err: error, messageId: message.id }, 'DKIM signing failed');
      return { usable: true, settled: deferAll(item, localReply(451, '4.3.0', 'DKIM signing failed')), replies: [] };
    }
    if (beforeSend && !(await beforeSend())) return { usable: false, settled: Promise.resolve(), replies: [] };
    const result = await session.send(returnPath(delivery, recipients), recipients, Buffer.concat([signatures, outgoing.body]));
    // Cut by a stopping engine: the outcome is unknown, so no record; the delivery stays active in
    // the spool and the next start's recover sends it again (at least once, never lost).
    if (result.aborted) return { usable: false, settled: Promise.resolve(), replies: [] };
    const outcomes = result.replies.map(outcomeOf);
    return { usable: result.usable, settled: deps.settle(context(item, session.mxHost), outcomes), replies: result.replies.map((entry) => entry.reply) };
  }

  /**
   * One transaction per recipient on the same session: their header lines differ (an RFC 8058
   * token names one recipient), so each gets its own DKIM signatures and VERP path. All blocks are
   * signed before the first MAIL FROM (a signing failure defers the delivery, as above) and the
   * path paces it once, as one message. Once the session ends, the recipients not yet sent are
   * deferred; a cut by a stopping engine records nothing (recover sends them all again, those
   * already accepted included: at least once, never lost).
   */
  async function eachRecipient(item: ReadyItem, session: SmtpSession, message: AcceptedMessage, recipients: readonly string[], extras: readonly string[], beforeSend?: () => Promise<boolean>): Promise<SessionAttempt> {
    if (extras.length !== recipients.length) throw new Error(`extraHeaders gave ${extras.length} header blocks for ${recipients.length} recipients`);
    const heads: Buffer[] = [];
    try {
      for (const lines of extras) {
        const head = Buffer.from(lines, 'latin1');
        heads.push(Buffer.concat([await deps.signer.sign({ ...message, body: Buffer.concat([head, message.body]) }), head]));
      }
    } catch (error) {
      deps.log.error({ err: error, messageId: message.id }, 'DKIM signing failed');
      return { usable: true, settled: deferAll(item, localReply(451, '4.3.0', 'DKIM signing failed')), replies: [] };
    }
    if (beforeSend && !(await beforeSend())) return { usable: false, settled: Promise.resolve(), replies: [] };
    const outcomes: RecipientOutcome[] = [];
    const replies: RemoteReply[] = [];
    let usable = true;
    for (const [index, recipient] of recipients.entries()) {
      if (usable && index > 0) usable = await session.reset();
      if (!usable) {
        outcomes.push({ address: recipient, kind: 'deferred', reply: SESSION_ENDED });
        continue;
      }
      const result = await session.send(returnPath(item.delivery, [recipient]), [recipient], Buffer.concat([heads[index] as Buffer, message.body]));
      if (result.aborted) return { usable: false, settled: Promise.resolve(), replies: [] };
      usable = result.usable;
      outcomes.push(...result.replies.map(outcomeOf));
      replies.push(...result.replies.map((entry) => entry.reply));
    }
    return { usable, settled: deps.settle(context(item, session.mxHost), outcomes), replies };
  }

  return { onSession, deferAll };
}
