/**
 * Admin routes for a tenant's credits: balance (with reservations), the ledger paged newest
 * first, top-up (idempotent by `ref`, e.g. the payment id), auto-refill settings. Uses the
 * StateStore credit methods directly; every change writes an AdminAction record.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { recordAdminAction, resolveTenant } from '../operations/index.ts';
import { actorOf } from '../auth.ts';
import type { AdminDeps } from '../deps.ts';
import { Limit, secured, TenantParams } from '../schemas.ts';

const TENANTS = ['tenants'] as const;
const LedgerQuery = Type.Object({ limit: Limit, before: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false });
const TopUpBody = Type.Object(
  { amount: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }), ref: Type.String({ minLength: 1, maxLength: 128, description: 'idempotency reference (payment id)' }) },
  { additionalProperties: false },
);
const RefillBody = Type.Object(
  { enabled: Type.Boolean(), threshold: Type.Integer({ minimum: 0 }), amount: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

export function creditRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { state } = deps;
  const tenantOf = async (params: unknown) => resolveTenant(state, (params as Static<typeof TenantParams>).tenant);

  app.get('/v1/tenants/:tenant/credits', { schema: secured('credits', { summary: 'Balance, reserved, available', params: TenantParams }) }, async (request) => {
    const tenant = await tenantOf(request.params);
    const [balance, refill] = await Promise.all([state.getCredits(tenant.id), state.getRefillSettings(tenant.id)]);
    return { tenantId: tenant.id, ...balance, available: balance.balance - balance.reserved, autoRefill: refill ?? null };
  });
  app.get('/v1/tenants/:tenant/credits/ledger', { schema: secured('credits', { summary: 'Ledger, newest first (page with before=<last seq>)', params: TenantParams, querystring: LedgerQuery }) }, async (request) => {
    const tenant = await tenantOf(request.params);
    const query = request.query as Static<typeof LedgerQuery>;
    const entries = await state.readLedger(tenant.id, query.before === undefined ? { limit: query.limit } : { limit: query.limit, before: query.before });
    return { entries, nextBefore: entries.length === query.limit ? entries.at(-1)?.seq : undefined };
  });
  app.post('/v1/tenants/:tenant/credits/top-up', { config: { scope: TENANTS }, schema: secured('credits', { summary: 'Add credits (idempotent by ref)', params: TenantParams, body: TopUpBody }, TENANTS) }, async (request) => {
    const tenant = await tenantOf(request.params);
    const body = request.body as Static<typeof TopUpBody>;
    const write = await state.addCredits(tenant.id, body.amount, 'top-up', body.ref);
    if (write.applied) await recordAdminAction(state, actorOf(request), { tenantId: tenant.id, action: 'credits.top-up', target: tenant.id, reason: `${body.amount} (${body.ref})` });
    return write;
  });
  app.put('/v1/tenants/:tenant/credits/auto-refill', { config: { scope: TENANTS }, schema: secured('credits', { summary: 'Auto-refill settings (clears a pause)', params: TenantParams, body: RefillBody }, TENANTS) }, async (request) => {
    const tenant = await tenantOf(request.params);
    const settings = request.body as Static<typeof RefillBody>;
    await state.setRefillSettings(tenant.id, settings);
    await recordAdminAction(state, actorOf(request), { tenantId: tenant.id, action: 'credits.auto-refill', target: tenant.id, reason: JSON.stringify(settings) });
    return (await state.getRefillSettings(tenant.id)) ?? settings;
  });
}
