/**
 * Admin routes of the relay itself: admin tokens (a caller can only issue scopes it holds), and
 * the unauthenticated probes /healthz (process up) and /readyz (spool, state store, listeners).
 * Sending IPs and pools are in routes/ips.ts.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { issueAdminToken, listAdminTokens, revokeAdminToken } from '../operations/index.ts';
import { ADMIN_SCOPES, ErrorCodes, FerryError } from '../../domain/index.ts';
import { actorOf } from '../auth.ts';
import type { AdminDeps } from '../deps.ts';
import { AnyArray, AnyObject, IdParams, ScopeList, secured } from '../schemas.ts';

const TokenBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }), scopes: ScopeList }, { additionalProperties: false });
const ALL_SCOPES = [...ADMIN_SCOPES];

export function systemRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.get('/v1/admin-tokens', { config: { scope: ALL_SCOPES }, schema: secured('admin', { summary: 'Admin tokens (never the tokens or hashes)', response: { 200: AnyArray } }) }, () => listAdminTokens(deps.state));
  app.post('/v1/admin-tokens', { config: { scope: ALL_SCOPES }, schema: secured('admin', { summary: 'Issue a token with scopes the caller holds (shown once)', body: TokenBody }, ALL_SCOPES) }, async (request, reply) => {
    const body = request.body as Static<typeof TokenBody>;
    const held = request.admin?.token.scopes ?? [];
    const extra = body.scopes.filter((scope) => !held.includes(scope));
    if (extra.length > 0) throw new FerryError(ErrorCodes.FORBIDDEN, `cannot grant scopes this token lacks: ${extra.join(', ')}`);
    return reply.status(201).send(await issueAdminToken(deps.state, body.name, body.scopes.join(','), actorOf(request)));
  });
  app.delete('/v1/admin-tokens/:id', { config: { scope: ALL_SCOPES }, schema: secured('admin', { summary: 'Revoke an admin token', params: IdParams }, ALL_SCOPES) }, (request) =>
    revokeAdminToken(deps.state, (request.params as Static<typeof IdParams>).id, actorOf(request)));

  app.get('/healthz', { config: { scope: 'public' }, schema: { tags: ['health'], summary: 'Process up', response: { 200: AnyObject } } }, () => ({ status: 'ok' }));
  app.get('/readyz', { config: { scope: 'public' }, schema: { tags: ['health'], summary: 'Spool writable, state store reachable, listeners bound', response: { 200: AnyObject, 503: AnyObject } } }, async (_request, reply) => {
    const checks = (await deps.readiness?.()) ?? {};
    const ready = Object.values(checks).every(Boolean);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks });
  });
}
