/**
 * Queue operations shared by `ferry queue` and the admin API: the overview (by tenant and by
 * recipient domain from the spool, by egress path from the relay's snapshot, with its age) and
 * bulk verbs by filter — hold, release, retry-now, bounce, purge — each with a dry-run count.
 * Every real (non-dry) bulk call writes one AdminAction record; bounce writes one Bounce record
 * and purge one AdminAction record per removed delivery, so nothing leaves the queue unrecorded.
 */
import { ErrorCodes, FerryError, type OutcomeRecord } from '../../domain/index.ts';
import type { EgressQueueInfo } from '../../delivery/index.ts';
import type { BulkAction, QueueFilter, Spool, SpoolGroupSummary, SpoolStats } from '../../spool/index.ts';
import type { StateStore } from '../../state/index.ts';
import type { QueueSnapshot } from '../queue-snapshot.ts';
import { recordAdminAction, resolveTenant, type OperationContext } from './tenants.ts';
import { validateDomainName } from './validate.ts';

export interface QueueGroupView extends SpoolGroupSummary {
  readonly oldestAgeMs: number;
}

export interface QueueOverview {
  readonly at: number;
  readonly totals: SpoolStats & { readonly oldestAgeMs: number };
  readonly byTenant: readonly QueueGroupView[];
  readonly byDomain: readonly QueueGroupView[];
  /** The relay's ready queues; `snapshotAt` undefined when no relay published any. */
  readonly egressPaths: {
    readonly snapshotAt: number | undefined;
    readonly snapshotAgeMs: number | undefined;
    readonly nodeId: string | undefined;
    readonly paths: readonly EgressQueueInfo[];
  };
}

const ageOf = (now: number, receivedAt: number | undefined): number => (receivedAt === undefined ? 0 : Math.max(0, now - receivedAt));

export async function queueOverview(spool: Spool, snapshot: QueueSnapshot | undefined, now = Date.now()): Promise<QueueOverview> {
  const summary = await spool.summary();
  const withAge = (group: SpoolGroupSummary): QueueGroupView => ({ ...group, oldestAgeMs: ageOf(now, group.oldestReceivedAt) });
  return {
    at: now,
    totals: { ...summary.totals, oldestAgeMs: ageOf(now, summary.totals.oldestReceivedAt) },
    byTenant: summary.byTenant.map(withAge),
    byDomain: summary.byDomain.map(withAge),
    egressPaths: {
      snapshotAt: snapshot?.at,
      snapshotAgeMs: snapshot ? Math.max(0, now - snapshot.at) : undefined,
      nodeId: snapshot?.nodeId,
      paths: [...(snapshot?.egressPaths ?? [])].sort((a, b) => b.depth - a.depth),
    },
  };
}

/** What an operator types (tenant by id or name, an age) → the spool's filter. */
export interface QueueFilterInput {
  readonly tenant?: string | undefined;
  readonly domain?: string | undefined;
  readonly messageId?: string | undefined;
  /** Only messages older than this many ms. */
  readonly olderThanMs?: number | undefined;
}

export async function resolveQueueFilter(state: StateStore, input: QueueFilterInput, now = Date.now()): Promise<QueueFilter> {
  const tenantId = input.tenant === undefined ? undefined : (await resolveTenant(state, input.tenant)).id;
  return {
    ...(tenantId !== undefined && { tenantId }),
    ...(input.domain !== undefined && { domain: validateDomainName(input.domain) }),
    ...(input.messageId !== undefined && { messageId: input.messageId }),
    ...(input.olderThanMs !== undefined && { receivedBefore: now - input.olderThanMs }),
  };
}

export const QUEUE_VERBS = ['hold', 'release', 'retry-now', 'bounce', 'purge'] as const;
export type QueueVerb = (typeof QUEUE_VERBS)[number];

export interface QueueBulkRequest {
  readonly verb: QueueVerb;
  readonly filter: QueueFilter;
  readonly dryRun: boolean;
  readonly reason?: string;
}

export interface QueueBulkReport {
  readonly verb: QueueVerb;
  readonly dryRun: boolean;
  /** Deliveries changed (or that would be, on a dry run). */
  readonly matched: number;
  /** Distinct messages among them. */
  readonly messages: number;
  readonly skippedActive: number;
}

const SPOOL_ACTION: Record<QueueVerb, BulkAction> = { hold: 'hold', release: 'release', 'retry-now': 'retry-now', bounce: 'remove', purge: 'remove' };
const RECORD_BATCH = 1_000;

function describeFilter(filter: QueueFilter): string {
  const parts = Object.entries(filter).filter(([, value]) => value !== undefined).map(([key, value]) => `${key}=${String(value)}`);
  return parts.length === 0 ? 'all' : parts.join(',');
}

/** Refuses a filter that would select the whole queue by accident (no field set) for removals. */
function checkRequest(request: QueueBulkRequest): void {
  const removes = request.verb === 'bounce' || request.verb === 'purge';
  if (removes && !request.dryRun && Object.values(request.filter).every((v) => v === undefined)) {
    throw new FerryError(ErrorCodes.INVALID_INPUT, `${request.verb} needs a filter (tenant, domain, message or receivedBefore)`);
  }
  if (removes && !request.dryRun && (request.reason === undefined || request.reason.trim() === '')) {
    throw new FerryError(ErrorCodes.INVALID_INPUT, `${request.verb} needs a reason`);
  }
}

function removalRecords(verb: QueueVerb, result: Awaited<ReturnType<Spool['bulk']>>, at: number, actor: string, reason: string): OutcomeRecord[] {
  return result.deliveries.map((d): OutcomeRecord => {
    const base = { at, tenantId: d.tenantId, messageId: d.messageId };
    if (verb === 'purge') return { ...base, type: 'AdminAction', actor, action: 'queue.purged', target: d.id, reason };
    const recipients = d.recipients.filter((r) => r.state === 'pending').map((r) => r.address);
    const reply = { code: 550, enhanced: '5.0.0', text: `bounced by the operator: ${reason}` };
    return { ...base, type: 'Bounce', deliveryId: d.id, recipients, attempt: d.attempts, reply, bounceClass: 'admin' };
  });
}

export async function queueBulk(state: StateStore, spool: Spool, request: QueueBulkRequest, context: OperationContext = {}, now = Date.now()): Promise<QueueBulkReport> {
  checkRequest(request);
  const result = await spool.bulk(SPOOL_ACTION[request.verb], request.filter, { now, dryRun: request.dryRun });
  const report = {
    verb: request.verb,
    dryRun: request.dryRun,
    matched: result.deliveries.length,
    messages: new Set(result.deliveries.map((d) => d.messageId)).size,
    skippedActive: result.skippedActive,
  };
  if (request.dryRun) return report;
  const reason = request.reason?.trim() ?? '';
  if (SPOOL_ACTION[request.verb] === 'remove') {
    const records = removalRecords(request.verb, result, now, context.actor ?? 'admin', reason);
    for (let i = 0; i < records.length; i += RECORD_BATCH) await state.appendOutcomes(records.slice(i, i + RECORD_BATCH));
  }
  await recordAdminAction(state, context, {
    tenantId: request.filter.tenantId ?? '*',
    action: `queue.${request.verb}`,
    target: describeFilter(request.filter),
    reason: `${report.matched} deliveries${reason ? `: ${reason}` : ''}`,
  });
  return report;
}
