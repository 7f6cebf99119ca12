/**
 * The DATA pipeline (ARCHITECTURE.md §1.4–5): stream in with the size limit (552 5.3.4) →
 * line-ending and smuggling checks (554 5.6.0) → header parse → message checks (From: domain,
 * 550 5.7.1) → content gate (src/policy/filter: 550 5.7.1 / 451) → Received / Message-ID added
 * → credits reserved (metered: 452 4.7.1 when short) → spool.accept with the unconfirmed charge →
 * commitReservation → only then `250 2.0.0 queued as <id>`.
 * A spool failure is 451 4.3.0. The Reception record is queued after the reply is decided and
 * never delays or undoes it. Exports onData; `inFlight` lets a graceful stop wait for commits.
 */
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { ACCEPT, domainOf, newMessageId, refuse, tempfail, type AcceptedMessage, type ContentGateRecord, type Verdict } from '../domain/index.ts';
import { messageCost, runChecks } from '../policy/index.ts';
import { refuseWith, sessionOf, type IngressContext, type SessionState } from './context.ts';
import { addHeaderFields, fromAddresses, headerValue, parseHeaderFields, receivedHeader, splitHeaderSection } from './headers.ts';
import { findLineEndingProblem } from './line-endings.ts';
import { receptionRecord } from './outcomes.ts';
import { formatReply, smtpReplyFor } from './replies.ts';

type Done = (err?: Error | null, message?: string) => void;

/** Free bytes readMessage leaves before each body, where buildMessage writes the Received field. */
const HEADROOM = 1024;

interface Received {
  /**
   * undefined when the message went over the limit (its bytes were dropped, not kept). Else the
   * bytes, preceded by HEADROOM free bytes of the same allocation (see withReceived).
   */
  readonly body: Buffer | undefined;
  readonly size: number;
}

/** Reads the whole DATA stream; past `maxSize` keeps counting but stops buffering. Throws if the client left. */
async function readMessage(stream: SMTPServerDataStream, maxSize: number): Promise<Received> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= maxSize) chunks.push(chunk);
  }
  if (size > maxSize || stream.sizeExceeded) return { body: undefined, size };
  const buffer = Buffer.allocUnsafe(HEADROOM + size);
  let offset = HEADROOM;
  for (const chunk of chunks) offset += chunk.copy(buffer, offset);
  return { body: buffer.subarray(HEADROOM), size };
}

/**
 * The body with `received` (and `messageIdField` at the end of its header section) added. With
 * no Message-ID to add and a Received field that fits the headroom, the field is written in place
 * before the body: no copy of the message (one per message less on the hot path).
 */
function withReceived(body: Buffer, headerEnd: number, received: string, messageIdField: string): Buffer {
  const length = Buffer.byteLength(received, 'utf8');
  if (messageIdField !== '' || length > HEADROOM) return addHeaderFields(body, headerEnd, received, messageIdField);
  const full = Buffer.from(body.buffer, body.byteOffset - length, length + body.length);
  full.write(received, 0, 'utf8');
  return full;
}

interface Transaction {
  readonly session: SMTPServerSession;
  readonly state: SessionState;
  readonly tenantId: string;
  readonly via: 'auth' | 'relay-network';
  readonly mailFrom: string;
  readonly recipients: readonly string[];
  readonly receivedAt: number;
  /** What the content gate decided and why; kept in the Reception / Rejection record. */
  contentGate?: ContentGateRecord;
}

function envelopeOf(session: SMTPServerSession): { mailFrom: string; recipients: string[] } {
  return { mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', recipients: session.envelope.rcptTo.map((r) => r.address) };
}

function tlsInfo(session: SMTPServerSession): { version: string; cipher: string } | undefined {
  return session.tlsOptions ? { version: session.tlsOptions.version ?? 'TLS', cipher: session.tlsOptions.name } : undefined;
}

/** The message as it goes to the spool: Received on top, Message-ID added when missing. */
function buildMessage(context: IngressContext, tx: Transaction, body: Buffer, headerEnd: number, hasMessageId: boolean, fromDomain: string): AcceptedMessage {
  const id = newMessageId(tx.receivedAt);
  const hostname = context.config.ingress.hostname;
  const received = receivedHeader({
    heloName: tx.session.hostNameAppearsAs || '',
    clientHostname: tx.session.clientHostname || `[${tx.state.clientIp}]`,
    clientIp: tx.state.clientIp,
    hostname,
    protocol: tx.session.transmissionType || 'ESMTP',
    messageId: id,
    tenantId: tx.tenantId,
    via: tx.via,
    tls: tlsInfo(tx.session),
    at: tx.receivedAt,
  });
  const messageIdField = hasMessageId ? '' : `Message-ID: <${id.toLowerCase()}@${hostname}>\r\n`;
  const full = withReceived(body, headerEnd, received, messageIdField);
  return {
    id,
    tenantId: tx.tenantId,
    envelope: { mailFrom: tx.mailFrom, rcptTo: [...tx.recipients] },
    fromDomain,
    receivedAt: tx.receivedAt,
    clientIp: tx.state.clientIp,
    size: full.length,
    body: full,
  };
}

/** Checks on the received bytes; accept → the message ready for the spool. */
async function inspect(context: IngressContext, tx: Transaction, received: Received): Promise<Verdict | AcceptedMessage> {
  const maxSize = context.config.ingress.limits.maxMessageSize;
  if (!received.body) return refuse('message.too-large', `Message exceeds the maximum size of ${maxSize} bytes`);
  const problem = findLineEndingProblem(received.body);
  if (problem) return refuse(problem === 'smuggling' ? 'message.smuggling' : 'message.bare-line-ending');
  const headerEnd = splitHeaderSection(received.body);
  const fields = parseHeaderFields(received.body.toString('utf8', 0, headerEnd));
  const from = fromAddresses(fields);
  const messageContext = { sessionId: tx.state.id, clientIp: tx.state.clientIp, tenantId: tx.tenantId, mailFrom: tx.mailFrom, recipients: tx.recipients, fromAddresses: from, size: received.size };
  const onFailure = (check: string, error: unknown) => tx.state.log.error({ err: error, check }, 'message check failed; answering 451 4.3.0');
  const verdict = await runChecks(context.policy.checks.message, messageContext, { timeoutMs: context.policy.checkTimeoutMs, onFailure });
  if (verdict.kind !== 'accept') return verdict;
  const gated = await runContentGate(context, tx, received.body);
  if (gated.kind !== 'accept') return gated;
  return buildMessage(context, tx, received.body, headerEnd, headerValue(fields, 'message-id') !== undefined, domainOf(from[0] ?? ''));
}

/** The content gate (src/policy/filter), when on: its record is kept on the transaction. */
async function runContentGate(context: IngressContext, tx: Transaction, body: Buffer): Promise<Verdict> {
  const gate = context.policy.contentGate;
  if (!gate) return ACCEPT;
  const onFailure = (check: string, error: unknown) => tx.state.log.error({ err: error, check }, 'content check failed; answering 451 4.3.0 unless in monitor mode');
  const keyId = tx.state.identity?.keyId;
  const contentPolicy = tx.state.tenant?.contentPolicy;
  const envelope = { tenantId: tx.tenantId, mailFrom: tx.mailFrom, recipients: tx.recipients, clientIp: tx.state.clientIp, ...(keyId ? { sender: keyId } : {}), ...(contentPolicy ? { contentPolicy } : {}) };
  const outcome = await gate.evaluate(body, envelope, onFailure);
  tx.contentGate = outcome.record;
  if (outcome.record.verdict !== 'accept') tx.state.log.info({ contentGate: outcome.record }, 'content gate finding');
  return outcome.verdict;
}

/** Metered: reserve the message's credits (451 4.3.0 when the store fails). Unmetered: no charge. */
async function reserveCharge(context: IngressContext, tx: Transaction, message: AcceptedMessage): Promise<Verdict | { tenantId: string; amount: number } | undefined> {
  const meter = context.policy.credits;
  if (!meter.metered) return undefined;
  const amount = messageCost(meter.settings, message.envelope.rcptTo.length, message.size);
  try {
    const reserved = await meter.reserve(tx.tenantId, message.id, amount);
    return reserved.kind === 'accept' ? { tenantId: tx.tenantId, amount } : reserved;
  } catch (error) {
    tx.state.log.child({ messageId: message.id }).error({ err: error }, 'credit reservation failed; answering 451 4.3.0');
    return tempfail('internal.failure');
  }
}

/**
 * Reserve → spool commit (with the unconfirmed charge) → charge → accept. After the spool commit
 * the message is accepted even if the charge fails now: the charge confirmer retries it.
 */
async function commit(context: IngressContext, tx: Transaction, message: AcceptedMessage): Promise<Verdict> {
  const charge = await reserveCharge(context, tx, message);
  if (charge && 'kind' in charge) return charge;
  try {
    await context.spool.accept(message, message.receivedAt + context.queueLifetimeMs, charge);
  } catch (error) {
    if (charge) await context.policy.credits.release(charge.tenantId, message.id);
    tx.state.log.child({ messageId: message.id }).error({ err: error }, 'spool accept failed; answering 451 4.3.0');
    return tempfail('internal.failure');
  }
  if (charge) await confirmCharge(context, tx, message.id, charge);
  return ACCEPT;
}

async function confirmCharge(context: IngressContext, tx: Transaction, messageId: string, charge: { tenantId: string; amount: number }): Promise<void> {
  try {
    if (await context.policy.credits.commit(charge.tenantId, messageId, charge.amount)) {
      context.spool.confirmCharges([messageId]).catch(() => {});
    }
  } catch (error) {
    tx.state.log.child({ messageId }).warn({ err: error }, 'credit charge not confirmed yet; the message is spooled and the charge will be retried');
  }
}

async function handleData(context: IngressContext, tx: Transaction, stream: SMTPServerDataStream): Promise<{ error?: Error; message?: string }> {
  const received = await readMessage(stream, context.config.ingress.limits.maxMessageSize);
  const refusal = (verdict: Verdict) => ({
    error: refuseWith(context, tx.state, verdict, { stage: 'data', mailFrom: tx.mailFrom, recipients: tx.recipients, size: received.size, contentGate: tx.contentGate }),
  });
  const inspected = await inspect(context, tx, received);
  if ('kind' in inspected) return refusal(inspected);
  const committed = await commit(context, tx, inspected);
  if (committed.kind !== 'accept') return refusal(committed);
  const reply = smtpReplyFor(ACCEPT, { messageId: inspected.id });
  const { id: messageId, size } = inspected;
  context.outcomes.append(receptionRecord({ tenantId: tx.tenantId, messageId, mailFrom: tx.mailFrom, recipients: tx.recipients, size, clientIp: tx.state.clientIp, reply, ...(tx.contentGate ? { contentGate: tx.contentGate } : {}) }));
  // The same fields as a child logger bound to messageId, without building a child per message.
  tx.state.log.info({ messageId, size, recipients: tx.recipients.length }, 'message queued');
  return { message: formatReply(reply) };
}

export function onData(context: IngressContext, inFlight: Set<Promise<unknown>>) {
  return (stream: SMTPServerDataStream, session: SMTPServerSession, done: Done): void => {
    const state = sessionOf(context, session);
    const envelope = envelopeOf(session);
    if (!state.identity) {
      stream.resume();
      done(refuseWith(context, state, refuse('auth.required'), { stage: 'data', ...envelope }));
      return;
    }
    const tx: Transaction = { session, state, tenantId: state.identity.tenantId, via: state.identity.via, ...envelope, receivedAt: Date.now() };
    const handling = handleData(context, tx, stream).then(
      (result) => done(result.error ?? null, result.message),
      (error: unknown) => {
        // The client left mid-DATA (stream destroyed): nothing was accepted, nobody to answer.
        state.log.info({ err: error }, 'DATA aborted before the end of the message');
        done(refuseWith(context, state, tempfail('internal.failure', 'Message not received in full'), { stage: 'data', ...envelope }));
      },
    );
    inFlight.add(handling);
    void handling.finally(() => inFlight.delete(handling));
  };
}
