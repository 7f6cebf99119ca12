/**
 * The admin API's one error shape: `{ "error": { "code": "MTA_ERR_…", "message": "…", "statusCode": N } }`.
 * FerryError codes map to HTTP statuses here and only here; Fastify's schema validation
 * failures become 400 MTA_ERR_INVALID_INPUT, unknown routes 404 MTA_ERR_NOT_FOUND, anything
 * unexpected 500 MTA_ERR_INTERNAL (message generic, the cause logged). Exports
 * installErrorHandling, ErrorBodySchema, httpStatusOf.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance } from 'fastify';
import { ErrorCodes, isFerryError, type ErrorCode } from '../domain/index.ts';

export const ErrorBodySchema = Type.Object(
  { error: Type.Object({ code: Type.String(), message: Type.String(), statusCode: Type.Integer() }) },
  { $id: 'ErrorBody', description: 'Every error answer' },
);

const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCodes.USAGE]: 400,
  [ErrorCodes.INVALID_INPUT]: 400,
  [ErrorCodes.CONFIG_INVALID]: 400,
  [ErrorCodes.UNAUTHORIZED]: 401,
  [ErrorCodes.FORBIDDEN]: 403,
  [ErrorCodes.NOT_FOUND]: 404,
  [ErrorCodes.STATE_CONFLICT]: 409,
  [ErrorCodes.IP_STATE]: 409,
  [ErrorCodes.NO_CONTACT]: 409,
  [ErrorCodes.RATE_LIMITED]: 429,
  [ErrorCodes.STATE_UNAVAILABLE]: 503,
  [ErrorCodes.SPOOL_CLOSED]: 503,
};

export function httpStatusOf(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

function body(code: string, message: string, statusCode: number) {
  return { error: { code, message, statusCode } };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isFerryError(error)) {
      const status = httpStatusOf(error.code);
      if (status >= 500) request.log.error({ err: error }, 'admin request failed');
      return reply.status(status).send(body(error.code, error.message, status));
    }
    if (error.validation) return reply.status(400).send(body(ErrorCodes.INVALID_INPUT, `${error.validationContext ?? 'request'} ${error.message.replace(/^(body|querystring|params) ?/, '')}`, 400));
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(error.statusCode).send(body(ErrorCodes.INVALID_INPUT, error.message, error.statusCode));
    }
    request.log.error({ err: error }, 'admin request failed');
    return reply.status(500).send(body(ErrorCodes.INTERNAL, 'internal error (logged)', 500));
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send(body(ErrorCodes.NOT_FOUND, `no route ${request.method} ${request.url.split('?')[0]}`, 404)));
}
