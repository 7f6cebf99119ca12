/**
 * Bearer-token authentication and scopes for the admin API. A token `fadm_<id>.<secret>` is
 * looked up by its id and its sha256 compared in constant time with the stored hash; revoked
 * tokens fail like unknown ones. Failed attempts are counted per client IP in a sliding window:
 * past the limit every request from that IP gets 429 before any lookup. GET routes need `read`;
 * other routes name their scope in `config.scope` (any one of a list suffices).
 * Exports installAuth, AuthFailureLimiter, and the `request.admin` decoration.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { adminTokenMatches, ErrorCodes, FerryError, parseAdminToken, type AdminScope, type AdminTokenRecord } from '../domain/index.ts';
import type { StateStore } from '../state/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    admin: { readonly token: AdminTokenRecord; readonly actor: string } | undefined;
  }
  interface FastifyContextConfig {
    /** Scopes that allow this route (one suffices); GET routes default to `read`. `public` skips auth. */
    scope?: readonly AdminScope[] | 'public';
  }
}

export class AuthFailureLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #failures = new Map<string, number[]>();
  readonly #now: () => number;

  constructor(max: number, windowMs: number, now: () => number = Date.now) {
    this.#max = max;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  #recent(ip: string): number[] {
    const since = this.#now() - this.#windowMs;
    const kept = (this.#failures.get(ip) ?? []).filter((at) => at > since);
    if (kept.length === 0) this.#failures.delete(ip);
    else this.#failures.set(ip, kept);
    return kept;
  }

  blocked(ip: string): boolean {
    return this.#recent(ip).length >= this.#max;
  }

  fail(ip: string): void {
    this.#failures.set(ip, [...this.#recent(ip), this.#now()]);
  }
}

async function authenticate(state: StateStore, header: string | undefined): Promise<AdminTokenRecord | undefined> {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  const token = match?.[1];
  const id = token === undefined ? undefined : parseAdminToken(token);
  if (token === undefined || id === undefined) return undefined;
  const record = await state.getAdminToken(id);
  if (!record || record.revokedAt !== undefined || !adminTokenMatches(token, record)) return undefined;
  return record;
}

function requiredScopes(request: FastifyRequest): readonly AdminScope[] | 'public' {
  // The Swagger UI's routes (registered by the plugin) are public documentation.
  if (request.routeOptions.url?.startsWith('/docs')) return 'public';
  const configured = request.routeOptions.config.scope;
  if (configured !== undefined) return configured;
  return ['read'];
}

export function installAuth(app: FastifyInstance, state: StateStore, limiter: AuthFailureLimiter): void {
  app.decorateRequest('admin', undefined);
  app.addHook('onRequest', async (request) => {
    const scopes = requiredScopes(request);
    if (scopes === 'public' || request.routeOptions.url === undefined) return;
    if (limiter.blocked(request.ip)) throw new FerryError(ErrorCodes.RATE_LIMITED, 'too many failed authentications from this address; wait and retry');
    const token = await authenticate(state, request.headers.authorization);
    if (!token) {
      limiter.fail(request.ip);
      throw new FerryError(ErrorCodes.UNAUTHORIZED, 'a valid bearer token is required (Authorization: Bearer fadm_…)');
    }
    if (!scopes.some((scope) => token.scopes.includes(scope))) {
      throw new FerryError(ErrorCodes.FORBIDDEN, `this token lacks the scope for this route (needs one of: ${scopes.join(', ')})`);
    }
    request.admin = { token, actor: `admin-api:${token.name}` };
  });
}

/** The actor of a mutating call, for AdminAction records. */
export function actorOf(request: FastifyRequest): { actor: string } {
  return { actor: request.admin?.actor ?? 'admin-api' };
}
