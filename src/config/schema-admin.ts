/**
 * Config schema: the operator's side — the admin API (`admin.*`, Fastify on its own port) and the
 * Prometheus endpoint (`metrics.*`). Both bind to loopback by default: the admin API answers only
 * bearer tokens, and /metrics has no auth at all (ops network only). Port 0 → ephemeral.
 */
import { Type } from '@sinclair/typebox';

const Strict = { additionalProperties: false } as const;
const Port = Type.Integer({ minimum: 0, maximum: 65535 });
const Duration = Type.String({ pattern: '^\\d+(\\.\\d+)?(ms|s|m|h|d)$' });

export const AdminSchema = Type.Object(
  {
    enabled: Type.Boolean(),
    host: Type.String({ minLength: 1 }),
    port: Port,
    /** How often the relay writes its in-memory egress-path queues to <dataDir>/queues.json. */
    queueSnapshotInterval: Duration,
    /** Failed bearer-token attempts allowed per client IP within authFailureWindow (then 429). */
    authFailuresPerIp: Type.Integer({ minimum: 1 }),
    authFailureWindow: Duration,
  },
  Strict,
);

export const MetricsSchema = Type.Object(
  {
    enabled: Type.Boolean(),
    host: Type.String({ minLength: 1 }),
    port: Port,
    /** Label cardinality cap: the N busiest tenants / sites keep their name, the rest are `other`. */
    topTenants: Type.Integer({ minimum: 1 }),
    topSites: Type.Integer({ minimum: 1 }),
  },
  Strict,
);
