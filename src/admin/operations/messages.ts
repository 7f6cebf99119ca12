/**
 * Message trace and outcome queries shared by `ferry message`, `ferry outcomes` and the admin
 * API: traceMessage (the spool's copy — metadata only, never the body — its current
 * deliveries, and every outcome record of the message, each attempt included), findMessages
 * (by tenant + recipient + time range, from Reception records) and listOutcomes (paged by seq).
 */
import { ErrorCodes, FerryError, type Delivery, type OutcomeRecord, type OutcomeType } from '../../domain/index.ts';
import type { Spool } from '../../spool/index.ts';
import type { StateStore } from '../../state/index.ts';

export interface MessageMeta {
  readonly id: string;
  readonly tenantId: string;
  readonly mailFrom: string;
  readonly rcptTo: readonly string[];
  readonly fromDomain: string;
  readonly receivedAt: number;
  readonly clientIp: string;
  readonly size: number;
}

export interface MessageTrace {
  readonly messageId: string;
  /** Undefined once every delivery is done (the spool drops the message). */
  readonly message: MessageMeta | undefined;
  readonly deliveries: readonly Delivery[];
  readonly records: readonly OutcomeRecord[];
}

const TRACE_RECORD_LIMIT = 10_000;

export async function traceMessage(state: StateStore, spool: Spool, messageId: string): Promise<MessageTrace> {
  const [stored, deliveries, records] = await Promise.all([
    spool.getMessage(messageId),
    spool.listDeliveries(messageId),
    state.readOutcomes({ messageId, limit: TRACE_RECORD_LIMIT }),
  ]);
  if (!stored && deliveries.length === 0 && records.length === 0) {
    throw new FerryError(ErrorCodes.NOT_FOUND, `no message ${messageId} in the spool or the outcome records`);
  }
  const message = stored && {
    id: stored.id,
    tenantId: stored.tenantId,
    mailFrom: stored.envelope.mailFrom,
    rcptTo: stored.envelope.rcptTo,
    fromDomain: stored.fromDomain,
    receivedAt: stored.receivedAt,
    clientIp: stored.clientIp,
    size: stored.size,
  };
  return { messageId, message, deliveries, records };
}

export interface OutcomePageQuery {
  readonly tenantId?: string;
  readonly messageId?: string;
  readonly types?: readonly OutcomeType[];
  readonly afterSeq?: number;
  readonly limit: number;
}

export interface OutcomePage {
  readonly records: readonly OutcomeRecord[];
  /** Pass as afterSeq for the next page; undefined when this page is the last. */
  readonly nextAfterSeq: number | undefined;
}

export async function listOutcomes(state: StateStore, query: OutcomePageQuery): Promise<OutcomePage> {
  const records = await state.readOutcomes({ ...query, limit: query.limit });
  const last = records.at(-1)?.seq;
  return { records, nextAfterSeq: records.length === query.limit ? last : undefined };
}

export interface MessageSearch {
  readonly tenantId: string;
  readonly recipient?: string;
  readonly from?: number;
  readonly to?: number;
  readonly limit: number;
}

/** Scan bound: a search reads at most this many Reception records of the tenant. */
const SEARCH_SCAN_LIMIT = 100_000;
const SEARCH_PAGE = 1_000;

/** Reception records of a tenant matching recipient and time range, oldest first. */
export async function findMessages(state: StateStore, search: MessageSearch): Promise<OutcomeRecord[]> {
  const recipient = search.recipient?.toLowerCase();
  const found: OutcomeRecord[] = [];
  let afterSeq = 0;
  for (let scanned = 0; scanned < SEARCH_SCAN_LIMIT && found.length < search.limit; scanned += SEARCH_PAGE) {
    const page = await state.readOutcomes({ tenantId: search.tenantId, types: ['Reception'], afterSeq, limit: SEARCH_PAGE });
    for (const record of page) {
      if (record.type !== 'Reception') continue;
      if (search.from !== undefined && record.at < search.from) continue;
      if (search.to !== undefined && record.at >= search.to) continue;
      if (recipient !== undefined && !record.recipients.some((r) => r.toLowerCase() === recipient)) continue;
      found.push(record);
      if (found.length >= search.limit) break;
    }
    if (page.length < SEARCH_PAGE) break;
    afterSeq = page.at(-1)?.seq ?? afterSeq;
  }
  return found;
}
