/**
 * Admin routes of the feedback loop: suppression lists (paged + filtered list, manual add,
 * removal with a required note, CSV export), complaint cases (list/get, the tenant's proof of
 * consent, the reviewer's decision) and per-tenant webhook endpoints (set → secret shown once,
 * show, remove). Thin over src/admin/operations; scopes: `abuse` for suppressions and reviews,
 * `tenants` or `abuse` for consent, `tenants` for webhooks; reads need `read`.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  addManualSuppression, CASE_STATUSES, getCase, listCases, listSuppressionPage, MAX_WEBHOOK_BATCH, publicWebhook, removeSuppressionWithNote,
  removeWebhook, reviewCase, setWebhook, showWebhook, submitConsent, SUPPRESSION_REASONS, suppressionsCsv,
} from '../operations/index.ts';
import { actorOf } from '../auth.ts';
import type { AdminDeps } from '../deps.ts';
import { AnyArray, IdParams, Limit, Reason, secured, TenantParams } from '../schemas.ts';

const ABUSE = ['abuse'] as const;
const CONSENT = ['tenants', 'abuse'] as const;
const TENANTS = ['tenants'] as const;
const ScopeParams = Type.Object({ scope: Type.String({ minLength: 1, maxLength: 128, description: 'tenant id or name, or `global`' }) });
const EntryParams = Type.Object({ scope: ScopeParams.properties.scope, address: Type.String({ minLength: 3, maxLength: 320 }) });
const ReasonFilter = Type.Union(SUPPRESSION_REASONS.map((r) => Type.Literal(r)));
const ListQuery = Type.Object(
  { limit: Limit, after: Type.Optional(Type.String({ maxLength: 320 })), reason: Type.Optional(ReasonFilter), contains: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })) },
  { additionalProperties: false },
);
const AddBody = Type.Object(
  { address: Type.String({ minLength: 3, maxLength: 320 }), note: Type.Optional(Reason), expiresAt: Type.Optional(Type.Integer({ minimum: 1, description: 'ms since the epoch; absent: permanent' })) },
  { additionalProperties: false },
);
const NoteBody = Type.Object({ note: Reason }, { additionalProperties: false });
const CaseQuery = Type.Object(
  { tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })), status: Type.Optional(Type.Union(CASE_STATUSES.map((s) => Type.Literal(s)))) },
  { additionalProperties: false },
);
const ConsentBody = Type.Object(
  {
    consentedAt: Type.String({ minLength: 10, maxLength: 40, description: 'ISO 8601 date/time of the consent' }),
    source: Type.String({ minLength: 1, maxLength: 500, description: 'where: sign-up form URL, checkout, event…' }),
    relationship: Type.String({ minLength: 1, maxLength: 500, description: 'customer, newsletter subscriber…' }),
  },
  { additionalProperties: false },
);
const ReviewBody = Type.Object({ decision: Type.Union([Type.Literal('accept'), Type.Literal('reject')]), note: Reason }, { additionalProperties: false });
const WebhookBody = Type.Object(
  { url: Type.String({ minLength: 8, maxLength: 2048 }), batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_WEBHOOK_BATCH, default: 1 })) },
  { additionalProperties: false },
);

function suppressionRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { state } = deps;
  app.get('/v1/suppressions/:scope', { schema: secured('suppression', { summary: 'Active suppressions, by address (page with after=nextAfter)', params: ScopeParams, querystring: ListQuery }) }, (request) => {
    const { scope } = request.params as Static<typeof ScopeParams>;
    return listSuppressionPage(state, { scope, ...(request.query as Static<typeof ListQuery>) }, deps.now?.());
  });
  app.get('/v1/suppressions/:scope/export.csv', { schema: secured('suppression', { summary: 'Every active suppression as CSV', params: ScopeParams, response: { 200: Type.String() } }) }, async (request, reply) => {
    const { scope } = request.params as Static<typeof ScopeParams>;
    const page = await listSuppressionPage(state, { scope, limit: Number.MAX_SAFE_INTEGER }, deps.now?.());
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="suppressions-${scope}.csv"`).send(suppressionsCsv(page.entries));
  });
  app.post('/v1/suppressions/:scope', { config: { scope: ABUSE }, schema: secured('suppression', { summary: 'Suppress an address (reason manual)', params: ScopeParams, body: AddBody }, ABUSE) }, async (request, reply) => {
    const { scope } = request.params as Static<typeof ScopeParams>;
    const write = await addManualSuppression(state, { scope, ...(request.body as Static<typeof AddBody>) }, actorOf(request), deps.now?.());
    return reply.status(write.applied ? 201 : 200).send(write);
  });
  app.delete('/v1/suppressions/:scope/:address', { config: { scope: ABUSE }, schema: secured('suppression', { summary: 'Lift a suppression (a note is required)', params: EntryParams, body: NoteBody }, ABUSE) }, (request) => {
    const { scope, address } = request.params as Static<typeof EntryParams>;
    return removeSuppressionWithNote(state, scope, address, (request.body as Static<typeof NoteBody>).note, actorOf(request));
  });
}

function caseRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { state, config } = deps;
  const now = deps.now ?? Date.now;
  app.get('/v1/complaint-cases', { schema: secured('complaints', { summary: 'Complaint cases, newest first', querystring: CaseQuery, response: { 200: AnyArray } }) }, (request) =>
    listCases(state, request.query as Static<typeof CaseQuery>));
  app.get('/v1/complaint-cases/:id', { schema: secured('complaints', { summary: 'One complaint case', params: IdParams }) }, (request) =>
    getCase(state, (request.params as Static<typeof IdParams>).id));
  app.post('/v1/complaint-cases/:id/consent', { config: { scope: CONSENT }, schema: secured('complaints', { summary: "The tenant's proof of consent (open cases only)", params: IdParams, body: ConsentBody }, CONSENT) }, (request) =>
    submitConsent(state, config, (request.params as Static<typeof IdParams>).id, request.body as Static<typeof ConsentBody>, actorOf(request), now));
  app.post('/v1/complaint-cases/:id/review', { config: { scope: ABUSE }, schema: secured('complaints', { summary: 'Accept or reject the proof (reject suspends the tenant)', params: IdParams, body: ReviewBody }, ABUSE) }, (request) => {
    const body = request.body as Static<typeof ReviewBody>;
    return reviewCase(state, config, (request.params as Static<typeof IdParams>).id, { accept: body.decision === 'accept', note: body.note }, actorOf(request), now);
  });
}

function webhookRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { state } = deps;
  const tenantOf = (params: unknown) => (params as Static<typeof TenantParams>).tenant;
  app.get('/v1/tenants/:tenant/webhook', { schema: secured('webhooks', { summary: "The tenant's webhook endpoint (never its secret)", params: TenantParams }) }, (request) =>
    showWebhook(state, tenantOf(request.params)));
  app.put('/v1/tenants/:tenant/webhook', { config: { scope: TENANTS }, schema: secured('webhooks', { summary: 'Set the endpoint; a new signing secret is returned once', params: TenantParams, body: WebhookBody }, TENANTS) }, async (request) => {
    const endpoint = await setWebhook(state, tenantOf(request.params), request.body as Static<typeof WebhookBody>, actorOf(request), deps.now?.());
    return { ...publicWebhook(endpoint), secret: endpoint.secret };
  });
  app.delete('/v1/tenants/:tenant/webhook', { config: { scope: TENANTS }, schema: secured('webhooks', { summary: 'Remove the endpoint', params: TenantParams }, TENANTS) }, (request) =>
    removeWebhook(state, tenantOf(request.params), actorOf(request)));
}

export function feedbackRoutes(app: FastifyInstance, deps: AdminDeps): void {
  suppressionRoutes(app, deps);
  caseRoutes(app, deps);
  webhookRoutes(app, deps);
}
