/**
 * Admin routes for DKIM key rotation with overlapping selectors (src/admin/operations/
 * dkim-rotation.ts): rotate (a new signing pair under new selectors; the old pair stays
 * published) and retire (the second call: rotated keys leave the DNS records). Both need the
 * `tenants` scope and write an AdminAction record; answers list the DNS records to change.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { retireDkimKeys, rotateDkimKeys } from '../operations/index.ts';
import type { SendingDomain } from '../../domain/index.ts';
import { actorOf } from '../auth.ts';
import type { AdminDeps } from '../deps.ts';
import { DomainParams, secured } from '../schemas.ts';

const TENANTS = ['tenants'] as const;
const RotateBody = Type.Object({}, { additionalProperties: false, description: 'empty: the new selectors are chosen by Ferry' });
const RetireBody = Type.Object(
  { selectors: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 63, pattern: '^[A-Za-z0-9][A-Za-z0-9.-]*$' }), { minItems: 1, maxItems: 32, description: 'absent: every rotated key' })) },
  { additionalProperties: false },
);

function view(domain: SendingDomain) {
  return {
    domain: domain.domain,
    tenantId: domain.tenantId,
    signing: domain.dkimKeys.map((k) => ({ selector: k.selector, algorithm: k.algorithm, createdAt: k.createdAt })),
    rotated: (domain.rotatedDkimKeys ?? []).map((k) => ({ selector: k.selector, algorithm: k.algorithm, createdAt: k.createdAt, rotatedAt: k.rotatedAt })),
  };
}

export function dkimRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const domainOf = (params: unknown) => (params as Static<typeof DomainParams>).domain;
  app.post('/v1/domains/:domain/dkim/rotate', { config: { scope: TENANTS }, schema: secured('domains', { summary: 'New DKIM signing pair under new selectors; the old pair stays published until retired', params: DomainParams, body: RotateBody }, TENANTS) }, async (request) => {
    const result = await rotateDkimKeys(deps.state, domainOf(request.params), deps.config, actorOf(request));
    return { ...result, domain: view(result.domain) };
  });
  app.post('/v1/domains/:domain/dkim/retire', { config: { scope: TENANTS }, schema: secured('domains', { summary: 'Retire rotated DKIM keys (all, or the named selectors)', params: DomainParams, body: RetireBody }, TENANTS) }, async (request) => {
    const { selectors } = request.body as Static<typeof RetireBody>;
    const result = await retireDkimKeys(deps.state, domainOf(request.params), selectors, deps.config, actorOf(request));
    return { ...result, domain: view(result.domain) };
  });
}
