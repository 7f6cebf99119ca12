/**
 * `ferry queue` — the queues by egress path (from the relay's snapshot, with its age), by
 * tenant and by recipient domain (from the spool): depth and oldest age — and the bulk verbs
 * `ferry queue hold|release|retry-now|bounce|purge FILTER [--dry-run] [--reason R]`.
 * Directly on the node's LMDB env, or through the admin API with --api URL.
 * Exports queueCommand (dispatches on the first positional word).
 */
import { QUEUE_VERBS, queueBulk, queueOverview, resolveQueueFilter } from '../admin/operations/index.ts';
import type { QueueBulkReport, QueueFilterInput, QueueGroupView, QueueOverview, QueueVerb } from '../admin/operations/index.ts';
import { readQueueSnapshot } from '../admin/queue-snapshot.ts';
import { parseDuration } from '../domain/index.ts';
import { usageError } from './args.ts';
import type { CommandContext } from './context.ts';
import { formatAge } from './format.ts';
import { callApi, viaApi, withNode } from './node-access.ts';
import { table } from './output.ts';

const ACTOR = { actor: 'cli' };

function groupRows(title: string, groups: readonly QueueGroupView[]): string[] {
  if (groups.length === 0) return [`${title}: empty`];
  const rows = groups.map((g) => [g.key, String(g.deliveries), String(g.scheduled), String(g.active), String(g.held ?? 0), String(g.messages), formatAge(g.oldestAgeMs)]);
  return [`${title}:`, ...table([[title.toUpperCase().replace('BY ', ''), 'DELIVERIES', 'SCHEDULED', 'ACTIVE', 'HELD', 'MESSAGES', 'OLDEST'], ...rows]).map((l) => `  ${l}`)];
}

function overviewLines(view: QueueOverview): string[] {
  const { totals, egressPaths } = view;
  const header = `queued: ${totals.messages} messages, ${totals.scheduled} scheduled, ${totals.active} active, ${totals.held ?? 0} held; oldest ${formatAge(totals.oldestAgeMs)}`;
  const snapshot =
    egressPaths.snapshotAt === undefined
      ? ['by egress path: no snapshot (is the relay running?)']
      : [
          `by egress path (snapshot of ${egressPaths.nodeId ?? '?'}, ${formatAge(egressPaths.snapshotAgeMs)} old):`,
          ...(egressPaths.paths.length === 0
            ? ['  no ready queues']
            : table([['IP', 'SITE', 'DEPTH', 'CONNECTIONS', 'OLDEST', 'SENT/MIN'], ...egressPaths.paths.map((p) => [p.ip, p.site, String(p.depth), String(p.activeConnections), formatAge(p.oldestAgeMs), String(p.sendsLastMinute ?? '-')])]).map((l) => `  ${l}`)),
        ];
  return [header, '', ...snapshot, '', ...groupRows('by tenant', view.byTenant), '', ...groupRows('by domain', view.byDomain)];
}

async function showQueues(context: CommandContext): Promise<void> {
  const view = viaApi(context)
    ? await callApi<QueueOverview>(context, 'GET', '/v1/queues')
    : await withNode(context, async ({ spool }) => queueOverview(spool, await readQueueSnapshot(context.config.dataDir)));
  context.out.result(view, () => overviewLines(view));
}

function filterInput(context: CommandContext): QueueFilterInput {
  const o = context.args.operator;
  return {
    tenant: o.tenant,
    domain: o.domain,
    messageId: o.message,
    olderThanMs: o.olderThan === undefined ? undefined : parseDuration(o.olderThan),
  };
}

async function bulk(context: CommandContext, verb: QueueVerb): Promise<void> {
  if (context.rest.length !== 1) throw usageError(`queue ${verb} takes no positional arguments (filter with --tenant/--domain/--message/--older-than)`);
  const input = filterInput(context);
  const dryRun = context.args.operator.dryRun;
  const reason = context.args.reason;
  const report = viaApi(context)
    ? await callApi<QueueBulkReport>(context, 'POST', `/v1/queues/${verb}`, { ...input, dryRun, ...(reason !== undefined && { reason }) })
    : await withNode(context, async ({ state, spool }) => {
        const filter = await resolveQueueFilter(state, input);
        return queueBulk(state, spool, { verb, filter, dryRun, ...(reason !== undefined && { reason }) }, ACTOR);
      });
  context.out.result(report, () => [
    `${report.dryRun ? 'would ' : ''}${verb} ${report.matched} deliveries of ${report.messages} messages` +
      (report.skippedActive > 0 ? ` (${report.skippedActive} in flight left alone)` : ''),
  ]);
}

export async function queueCommand(context: CommandContext): Promise<void> {
  const [verb] = context.rest;
  if (verb === undefined) return showQueues(context);
  if (!(QUEUE_VERBS as readonly string[]).includes(verb)) throw usageError(`unknown queue verb "${verb}" (known: ${QUEUE_VERBS.join(', ')})`);
  return bulk(context, verb as QueueVerb);
}
