/**
 * Admin routes for queues, messages and outcome records: the queue overview (egress paths,
 * tenants, domains with depth and oldest age), bulk verbs by filter with dry-run counts,
 * message trace (by id, or by tenant + recipient + time range) and the outcome stream paged
 * by seq. Thin over src/admin/operations, like `ferry queue` / `ferry message`.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { findMessages, listOutcomes, QUEUE_VERBS, queueBulk, queueOverview, resolveQueueFilter, resolveTenant, traceMessage, type QueueVerb } from '../operations/index.ts';
import type { OutcomeType } from '../../domain/index.ts';
import { actorOf } from '../auth.ts';
import type { AdminDeps } from '../deps.ts';
import { AnyArray, IdParams, Limit, Reason, secured } from '../schemas.ts';

const QUEUES = ['queues'] as const;
const OUTCOME_TYPES = ['Reception', 'Rejection', 'Delivery', 'TransientFailure', 'Bounce', 'Expiration', 'Suppressed', 'Complaint', 'Unsubscribe', 'AdminAction', 'IpEvent'] as const;

const VerbParams = Type.Object({ verb: Type.Union(QUEUE_VERBS.map((v) => Type.Literal(v))) });
const BulkBody = Type.Object(
  {
    tenant: Type.Optional(Type.String({ minLength: 1 })),
    domain: Type.Optional(Type.String({ minLength: 1 })),
    messageId: Type.Optional(Type.String({ minLength: 1 })),
    olderThanMs: Type.Optional(Type.Integer({ minimum: 0 })),
    dryRun: Type.Boolean({ description: 'count only; run it first' }),
    reason: Type.Optional(Reason),
  },
  { additionalProperties: false },
);
const BulkReport = Type.Object({ verb: Type.String(), dryRun: Type.Boolean(), matched: Type.Integer(), messages: Type.Integer(), skippedActive: Type.Integer() });
const OutcomeQuery = Type.Object(
  {
    tenant: Type.Optional(Type.String({ minLength: 1 })),
    messageId: Type.Optional(Type.String({ minLength: 1 })),
    type: Type.Optional(Type.String({ pattern: `^(${OUTCOME_TYPES.join('|')})(,(${OUTCOME_TYPES.join('|')}))*$`, description: 'comma-separated record types' })),
    afterSeq: Type.Integer({ minimum: 0, default: 0 }),
    limit: Limit,
  },
  { additionalProperties: false },
);
const MessageSearchQuery = Type.Object(
  {
    tenant: Type.String({ minLength: 1 }),
    recipient: Type.Optional(Type.String({ minLength: 3 })),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    limit: Limit,
  },
  { additionalProperties: false },
);

export function queueRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { state, spool } = deps;
  const now = () => (deps.now ?? Date.now)();

  app.get('/v1/queues', { schema: secured('queues', { summary: 'Queues by egress path, tenant and recipient domain' }) }, async () => queueOverview(spool, await deps.queueSnapshot(), now()));
  app.post('/v1/queues/:verb', { config: { scope: QUEUES }, schema: secured('queues', { summary: 'Bulk hold / release / retry-now / bounce / purge by filter', params: VerbParams, body: BulkBody, response: { 200: BulkReport } }, QUEUES) }, async (request) => {
    const { verb } = request.params as { verb: QueueVerb };
    const body = request.body as Static<typeof BulkBody>;
    const filter = await resolveQueueFilter(state, { tenant: body.tenant, domain: body.domain, messageId: body.messageId, olderThanMs: body.olderThanMs }, now());
    return queueBulk(state, spool, { verb, filter, dryRun: body.dryRun, ...(body.reason !== undefined && { reason: body.reason }) }, actorOf(request), now());
  });
  app.get('/v1/messages/:id', { schema: secured('messages', { summary: 'Trace one message: deliveries and every record', params: IdParams }) }, (request) =>
    traceMessage(state, spool, (request.params as Static<typeof IdParams>).id));
  app.get('/v1/messages', { schema: secured('messages', { summary: 'Find messages by tenant + recipient + time range (Reception records)', querystring: MessageSearchQuery, response: { 200: AnyArray } }) }, async (request) => {
    const query = request.query as Static<typeof MessageSearchQuery>;
    const tenant = await resolveTenant(state, query.tenant);
    return findMessages(state, {
      tenantId: tenant.id,
      limit: query.limit,
      ...(query.recipient !== undefined && { recipient: query.recipient }),
      ...(query.from !== undefined && { from: Date.parse(query.from) }),
      ...(query.to !== undefined && { to: Date.parse(query.to) }),
    });
  });
  app.get('/v1/outcomes', { schema: secured('outcomes', { summary: 'Outcome records paged by seq (afterSeq=nextAfterSeq)', querystring: OutcomeQuery }) }, async (request) => {
    const query = request.query as Static<typeof OutcomeQuery>;
    const tenantId = query.tenant === undefined ? undefined : (await resolveTenant(state, query.tenant)).id;
    const types = query.type?.split(',') as OutcomeType[] | undefined;
    return listOutcomes(state, { limit: query.limit, afterSeq: query.afterSeq, ...(tenantId && { tenantId }), ...(query.messageId && { messageId: query.messageId }), ...(types && { types }) });
  });
}
