/**
 * The admin API (Fastify): buildAdmin(deps) returns the app without listening — the relay
 * calls listen() on admin.host:admin.port, tests use inject(). Routes under /v1 need a bearer
 * token with the right scope (auth.ts); /healthz, /readyz, /openapi.json and /docs are open.
 * Every route carries a TypeBox schema, published as OpenAPI 3 by @fastify/swagger.
 * Errors have one JSON shape with a stable MTA_ERR_* code (http-errors.ts).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { parseDuration } from '../domain/index.ts';
import { AuthFailureLimiter, installAuth } from './auth.ts';
import type { AdminDeps } from './deps.ts';
import { ErrorBodySchema, installErrorHandling } from './http-errors.ts';
import { creditRoutes } from './routes/credits.ts';
import { dkimRoutes } from './routes/dkim.ts';
import { feedbackRoutes } from './routes/feedback.ts';
import { ipRoutes } from './routes/ips.ts';
import { queueRoutes } from './routes/queues.ts';
import { systemRoutes } from './routes/system.ts';
import { tenantRoutes } from './routes/tenants.ts';

const BODY_LIMIT = 1024 * 1024;

export async function buildAdmin(deps: AdminDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: deps.logLevel ?? 'silent', redact: ['req.headers.authorization'] },
    bodyLimit: BODY_LIMIT,
    // Unknown body keys are an error (additionalProperties: false), never silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  });
  installErrorHandling(app);
  app.addSchema(ErrorBodySchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Ferry admin API', version: '1', description: 'Tenants, keys, domains, credits, IPs, queues, messages and outcome records.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'fadm_… token from `ferry admin token add`' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
  app.get('/openapi.json', { config: { scope: 'public' }, schema: { hide: true } }, () => app.swagger());
  const limiter = new AuthFailureLimiter(deps.config.admin.authFailuresPerIp, parseDuration(deps.config.admin.authFailureWindow), deps.now);
  installAuth(app, deps.state, limiter);
  tenantRoutes(app, deps);
  creditRoutes(app, deps);
  queueRoutes(app, deps);
  systemRoutes(app, deps);
  ipRoutes(app, deps);
  feedbackRoutes(app, deps);
  dkimRoutes(app, deps);
  return app;
}
