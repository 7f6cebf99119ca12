/**
 * Admin routes for tenants, their API keys and sending domains (with DNS records to publish
 * and a live DNS check). Thin over src/admin/operations (the same code the CLI runs); every
 * mutation writes an AdminAction record naming the token's holder. PATCH also takes the
 * tenant's own `limits` and `contentPolicy` (schemas of the config entries they override; `null`
 * clears one); every node applies a change to new MAIL FROMs within its 1 s tenant cache.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  addSendingDomain, addTenant, checkDomainDns, dnsRecordsFor, issueApiKey, listApiKeys, listDomains,
  resolveTenant, revokeApiKey, setRelayNetworks, setTenantStatus, updateTenantSettings, validateSettingsPatch,
} from '../operations/index.ts';
import { FilterTenantSchema, TenantLimitOverridesSchema } from '../../config/index.ts';
import { ErrorCodes, FerryError, IP_FALLBACKS, type ApiKeyRecord, type SendingDomain } from '../../domain/index.ts';
import { actorOf } from '../auth.ts';
import type { AdminDeps } from '../deps.ts';
import { AnyArray, DomainParams, IdParams, Reason, secured, TenantParams } from '../schemas.ts';

const TENANTS = ['tenants'] as const;
const STATUS_SCOPES = ['tenants', 'abuse'] as const;
/** Where operator notices go (e.g. an IP revocation warning). */
const ContactEmail = Type.String({ format: 'email', maxLength: 254 });
/** When the tenant's leased IPs cannot take its mail: through its pool, or wait. */
const IpFallback = Type.Union(IP_FALLBACKS.map((f) => Type.Literal(f)));
const NewTenantBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 64 }), contactEmail: Type.Optional(ContactEmail), ipFallback: Type.Optional(IpFallback) },
  { additionalProperties: false },
);
const PatchBody = Type.Object(
  {
    pool: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    contactEmail: Type.Optional(ContactEmail),
    ipFallback: Type.Optional(IpFallback),
    relayNetworks: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 256 })),
    /** Over tenantLimits defaults and overrides; null clears. */
    limits: Type.Optional(Type.Union([TenantLimitOverridesSchema, Type.Null()])),
    /** Over filter.tenants[<id>] (per field); null clears. */
    contentPolicy: Type.Optional(Type.Union([FilterTenantSchema, Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);
const ReasonBody = Type.Object({ reason: Reason }, { additionalProperties: false });
const DomainBody = Type.Object({ domain: Type.String({ minLength: 1, maxLength: 253 }), dkim: Type.Optional(Type.Boolean()) }, { additionalProperties: false });

function publicKey(record: ApiKeyRecord) {
  return { id: record.id, tenantId: record.tenantId, createdAt: record.createdAt, revokedAt: record.revokedAt ?? null };
}

function publicDomain(domain: SendingDomain) {
  return { domain: domain.domain, tenantId: domain.tenantId, createdAt: domain.createdAt, dkimKeys: domain.dkimKeys.map((k) => ({ selector: k.selector, algorithm: k.algorithm, publicKeyDns: k.publicKeyDns })) };
}

async function domainOf(deps: AdminDeps, name: string): Promise<SendingDomain> {
  const domain = await deps.state.getDomain(name.toLowerCase());
  if (!domain) throw new FerryError(ErrorCodes.NOT_FOUND, `no sending domain ${name}`);
  return domain;
}

export function tenantRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { state } = deps;
  app.get('/v1/tenants', { schema: secured('tenants', { summary: 'List tenants', response: { 200: AnyArray } }) }, () => state.listTenants());
  app.post('/v1/tenants', { config: { scope: TENANTS }, schema: secured('tenants', { summary: 'Create a tenant', body: NewTenantBody }, TENANTS) }, async (request, reply) => {
    const body = request.body as Static<typeof NewTenantBody>;
    const settings = { ...(body.contactEmail === undefined ? {} : { contactEmail: body.contactEmail }), ...(body.ipFallback === undefined ? {} : { ipFallback: body.ipFallback }) };
    return reply.status(201).send(await addTenant(state, body.name, actorOf(request), settings));
  });
  app.get('/v1/tenants/:tenant', { schema: secured('tenants', { summary: 'One tenant', params: TenantParams }) }, (request) => resolveTenant(state, (request.params as Static<typeof TenantParams>).tenant));
  app.patch('/v1/tenants/:tenant', { config: { scope: TENANTS }, schema: secured('tenants', { summary: 'Update pool, contact email, IP fallback, relay networks, limits, content policy', params: TenantParams, body: PatchBody }, TENANTS) }, async (request) => {
    const tenant = await resolveTenant(state, (request.params as Static<typeof TenantParams>).tenant);
    const patch = request.body as Static<typeof PatchBody>;
    const { relayNetworks, ...rest } = patch;
    const settings = Object.keys(rest).length > 0;
    // Every field is checked before the first write: a bad value leaves the tenant unchanged.
    if (settings) validateSettingsPatch(rest);
    if (relayNetworks) await setRelayNetworks(state, tenant, relayNetworks, actorOf(request));
    return settings ? updateTenantSettings(state, tenant, rest, actorOf(request)) : resolveTenant(state, tenant.id);
  });
  for (const [verb, status] of [['suspend', 'suspended'], ['close', 'closed'], ['resume', 'active']] as const) {
    const body = status === 'active' ? undefined : ReasonBody;
    app.post(`/v1/tenants/:tenant/${verb}`, { config: { scope: STATUS_SCOPES }, schema: secured('tenants', { summary: `${verb} a tenant`, params: TenantParams, ...(body && { body }) }, STATUS_SCOPES) }, (request) => {
      const reason = (request.body as { reason?: string } | undefined)?.reason;
      return setTenantStatus(state, (request.params as Static<typeof TenantParams>).tenant, status, reason, actorOf(request));
    });
  }
  app.get('/v1/tenants/:tenant/keys', { schema: secured('keys', { summary: "A tenant's API keys (never the keys)", params: TenantParams, response: { 200: AnyArray } }) }, async (request) =>
    (await listApiKeys(state, (request.params as Static<typeof TenantParams>).tenant)).map(publicKey));
  app.post('/v1/tenants/:tenant/keys', { config: { scope: TENANTS }, schema: secured('keys', { summary: 'Issue an API key (shown once)', params: TenantParams }, TENANTS) }, async (request, reply) => {
    const issued = await issueApiKey(state, (request.params as Static<typeof TenantParams>).tenant, actorOf(request));
    return reply.status(201).send({ ...publicKey(issued.record), key: issued.key });
  });
  app.delete('/v1/keys/:id', { config: { scope: TENANTS }, schema: secured('keys', { summary: 'Revoke an API key', params: IdParams }, TENANTS) }, async (request) =>
    publicKey(await revokeApiKey(state, (request.params as Static<typeof IdParams>).id, actorOf(request))));
  app.get('/v1/tenants/:tenant/domains', { schema: secured('domains', { summary: "A tenant's sending domains", params: TenantParams, response: { 200: AnyArray } }) }, async (request) =>
    (await listDomains(state, (request.params as Static<typeof TenantParams>).tenant)).map(publicDomain));
  app.post('/v1/tenants/:tenant/domains', { config: { scope: TENANTS }, schema: secured('domains', { summary: 'Add a sending domain (DKIM keys generated unless dkim: false)', params: TenantParams, body: DomainBody }, TENANTS) }, async (request, reply) => {
    const { tenant } = request.params as Static<typeof TenantParams>;
    const body = request.body as Static<typeof DomainBody>;
    const added = await addSendingDomain(state, tenant, body.domain, deps.config, actorOf(request), body.dkim === undefined ? {} : { dkim: body.dkim });
    return reply.status(201).send({ domain: publicDomain(added.domain), dnsRecords: added.dnsRecords });
  });
  app.get('/v1/domains/:domain/dns-records', { schema: secured('domains', { summary: 'DNS records to publish', params: DomainParams, response: { 200: AnyArray } }) }, async (request) =>
    dnsRecordsFor(await domainOf(deps, (request.params as Static<typeof DomainParams>).domain), deps.config));
  app.get('/v1/domains/:domain/dns-check', { schema: secured('domains', { summary: 'Live check of SPF/DKIM/DMARC/return-path', params: DomainParams }) }, async (request) => {
    const domain = await domainOf(deps, (request.params as Static<typeof DomainParams>).domain);
    const checks = await checkDomainDns(deps.resolver, domain, deps.config);
    return { domain: domain.domain, ok: checks.every((c) => c.status === 'ok'), checks };
  });
}
