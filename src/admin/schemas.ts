/**
 * TypeBox schemas shared by the admin routes: path parameters, paging, filters, and the
 * standard error responses every authenticated route documents. Exports the schemas plus
 * `secured(...)` which adds the bearer security and error responses to a route schema.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifySchema } from 'fastify';
import { ADMIN_SCOPES, type AdminScope } from '../domain/index.ts';
import { ErrorBodySchema } from './http-errors.ts';

export const TenantParams = Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 128, description: 'tenant id (tn_…) or name' }) });
export const DomainParams = Type.Object({ domain: Type.String({ minLength: 1, maxLength: 253 }) });
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
export const Reason = Type.String({ minLength: 1, maxLength: 500 });
export const ScopeList = Type.Array(Type.Union(ADMIN_SCOPES.map((s) => Type.Literal(s))), { minItems: 1 });
export const Limit = Type.Integer({ minimum: 1, maximum: 1000, default: 100 });

export const AnyObject = Type.Object({}, { additionalProperties: true });
export const AnyArray = Type.Array(AnyObject);

const errors = { 400: ErrorBodySchema, 401: ErrorBodySchema, 403: ErrorBodySchema, 404: ErrorBodySchema, 409: ErrorBodySchema, 429: ErrorBodySchema };

interface RouteSchema {
  readonly params?: TSchema;
  readonly body?: TSchema;
  readonly querystring?: TSchema;
  readonly response?: Record<number, TSchema>;
  readonly summary?: string;
}

/** A route schema with its tag, summary, bearer auth and the standard error answers. */
export function secured(tag: string, schema: RouteSchema, scopes: readonly AdminScope[] = ['read']): FastifySchema {
  const full = {
    tags: [tag],
    security: [{ bearer: [] }],
    description: `Scopes: ${scopes.join(' or ')}`,
    ...schema,
    response: { ...errors, ...(schema.response ?? { 200: AnyObject, 201: AnyObject }) },
  };
  return full as FastifySchema;
}
