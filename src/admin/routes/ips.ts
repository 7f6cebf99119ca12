/**
 * Admin routes for sending IPs and pools: the inventory (list, show with history and warm-up
 * progress, add), leases (lease, auto-renew, renew, end), warm-up, quarantine, release, retire,
 * revocation in one call, and pools (list, set, delete). Thin over src/admin/operations/ips.ts
 * and pools.ts (the same code the CLI runs) with the egress context of deps.egress (the relay's)
 * or one built from config. Reads need `read`; changes `ips`; quarantine and revoke also `abuse`.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { egressContext } from '../../egress/index.ts';
import {
  addIp, deletePool, endIpLease, leaseIpTo, listIpViews, listPoolRecords, quarantineIpNow, releaseIpNow, renewIpLease, retireIpNow,
  revokeIp, setIpAutoRenew, setPool, showIp, warmUpIp, MAX_WEIGHT, POOL_KINDS,
} from '../operations/index.ts';
import { actorOf } from '../auth.ts';
import type { AdminDeps } from '../deps.ts';
import { AnyArray, AnyObject, Reason, secured } from '../schemas.ts';

const IPS = ['ips'] as const;
const ABUSE = ['ips', 'abuse'] as const;
const Address = Type.String({ minLength: 2, maxLength: 45, pattern: '^[0-9A-Fa-f:.]+$', description: 'IPv4 or IPv6 address' });
const IpParams = Type.Object({ ip: Address });
const PoolParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9-]*$' }) });
const Duration = Type.String({ minLength: 2, maxLength: 16, pattern: '^[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)$', description: 'e.g. 0s, 24h, 365d' });
const Schedule = Type.String({ minLength: 1, maxLength: 64, description: 'a warm-up schedule of the schedule file' });
const Helo = Type.String({ minLength: 1, maxLength: 253, description: 'EHLO name, also the PTR to publish' });

const AddBody = Type.Object({ address: Address, helo: Helo }, { additionalProperties: false });
const LeaseBody = Type.Object(
  {
    tenant: Type.String({ minLength: 1, maxLength: 128, description: 'tenant id (tn_…) or name' }),
    term: Type.Optional(Duration),
    autoRenew: Type.Optional(Type.Boolean({ description: 'default true' })),
    warmup: Type.Optional(Schedule),
  },
  { additionalProperties: false },
);
const RenewBody = Type.Object({}, { additionalProperties: false, description: 'empty: one more term of the lease' });
const AutoRenewBody = Type.Object({ autoRenew: Type.Boolean() }, { additionalProperties: false });
const ReasonBody = Type.Object({ reason: Reason }, { additionalProperties: false });
const NoteBody = Type.Object({ note: Reason }, { additionalProperties: false });
const WarmupBody = Type.Object({ schedule: Schedule }, { additionalProperties: false });
const RevokeBody = Type.Object({ reason: Reason, notice: Type.Optional(Duration) }, { additionalProperties: false });
const PoolBody = Type.Object(
  {
    kind: Type.Optional(Type.Union(POOL_KINDS.map((k) => Type.Literal(k)))),
    tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    members: Type.Array(Type.Object({ address: Address, weight: Type.Integer({ minimum: 0, maximum: MAX_WEIGHT }) }, { additionalProperties: false }), { minItems: 1, maxItems: 1024 }),
  },
  { additionalProperties: false },
);
const RevokeAnswer = Type.Object({
  ip: AnyObject,
  warningMessageId: Type.Optional(Type.String()),
  warning: Type.Union([Type.Literal('delivered'), Type.Literal('pending'), Type.Literal('none')]),
});

const ipOf = (params: unknown) => (params as Static<typeof IpParams>).ip;

export function ipRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const ctx = deps.egress ?? egressContext(deps.config, deps.state, deps.spool, deps.now);
  const changes = (scopes: readonly ('ips' | 'abuse')[], summary: string, body?: Parameters<typeof secured>[1]['body']) => ({
    config: { scope: scopes },
    schema: secured('ips', { summary, params: IpParams, ...(body && { body }) }, scopes),
  });

  app.get('/v1/ips', { schema: secured('ips', { summary: 'The IP inventory: state, lease, warm-up, listings, pools', response: { 200: AnyArray } }) }, () => listIpViews(ctx));
  app.get('/v1/ips/:ip', { schema: secured('ips', { summary: 'One IP with its history (newest first) and warm-up progress', params: IpParams }) }, (request) => showIp(ctx, ipOf(request.params)));
  app.post('/v1/ips', { config: { scope: IPS }, schema: secured('ips', { summary: 'Add an IP to the inventory (available)', body: AddBody }, IPS) }, async (request, reply) => {
    const body = request.body as Static<typeof AddBody>;
    return reply.status(201).send(await addIp(ctx, body.address, body.helo, actorOf(request)));
  });
  app.post('/v1/ips/:ip/lease', changes(IPS, 'Lease the IP to a tenant (term default egress.leases.term)', LeaseBody), (request) =>
    leaseIpTo(ctx, ipOf(request.params), request.body as Static<typeof LeaseBody>, actorOf(request)));
  app.patch('/v1/ips/:ip/lease', changes(IPS, 'Turn auto-renewal of the active lease on or off', AutoRenewBody), (request) =>
    setIpAutoRenew(ctx, ipOf(request.params), (request.body as Static<typeof AutoRenewBody>).autoRenew, actorOf(request)));
  app.post('/v1/ips/:ip/lease/renew', changes(IPS, 'Add one term to the active lease now', RenewBody), (request) => renewIpLease(ctx, ipOf(request.params), actorOf(request)));
  app.delete('/v1/ips/:ip/lease', changes(IPS, 'End the active lease now (available after egress.leases.drainGrace)', ReasonBody), (request) =>
    endIpLease(ctx, ipOf(request.params), (request.body as Static<typeof ReasonBody>).reason, actorOf(request)));
  app.post('/v1/ips/:ip/warmup', changes(IPS, 'Start a warm-up with a schedule', WarmupBody), (request) =>
    warmUpIp(ctx, ipOf(request.params), (request.body as Static<typeof WarmupBody>).schedule, actorOf(request)));
  app.post('/v1/ips/:ip/quarantine', changes(ABUSE, 'Quarantine: no traffic until released', ReasonBody), (request) =>
    quarantineIpNow(ctx, ipOf(request.params), (request.body as Static<typeof ReasonBody>).reason, actorOf(request)));
  app.post('/v1/ips/:ip/release', changes(IPS, 'Lift a quarantine (with a note)', NoteBody), (request) =>
    releaseIpNow(ctx, ipOf(request.params), (request.body as Static<typeof NoteBody>).note, actorOf(request)));
  app.post('/v1/ips/:ip/retire', changes(IPS, 'Take the IP out of service for good', ReasonBody), (request) =>
    retireIpNow(ctx, ipOf(request.params), (request.body as Static<typeof ReasonBody>).reason, actorOf(request)));
  app.post('/v1/ips/:ip/revoke', {
    config: { scope: ABUSE },
    schema: secured('ips', { summary: 'Revoke: warn the lessee, remove after the notice period (0s: at once)', params: IpParams, body: RevokeBody, response: { 200: RevokeAnswer } }, ABUSE),
  }, (request) => revokeIp(ctx, ipOf(request.params), request.body as Static<typeof RevokeBody>, actorOf(request)));

  app.get('/v1/pools', { schema: secured('ips', { summary: 'Pools with kind, tenant and weighted members', response: { 200: AnyArray } }) }, () => listPoolRecords(ctx));
  app.put('/v1/pools/:name', { config: { scope: IPS }, schema: secured('ips', { summary: 'Create or replace a pool (members must be in the inventory)', params: PoolParams, body: PoolBody }, IPS) }, (request) =>
    setPool(ctx, (request.params as Static<typeof PoolParams>).name, request.body as Static<typeof PoolBody>, actorOf(request)));
  app.delete('/v1/pools/:name', { config: { scope: IPS }, schema: secured('ips', { summary: 'Delete a pool (never shared, never one a tenant uses)', params: PoolParams }, IPS) }, (request) =>
    deletePool(ctx, (request.params as Static<typeof PoolParams>).name, actorOf(request)));
}
