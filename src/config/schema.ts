/**
 * The whole configuration schema (TypeBox), one object validated once at start.
 * Sections are defined beside the stage that owns them and composed here.
 */
import { Type, type Static } from '@sinclair/typebox';
import { IngressSchema, LogSchema, SecretsSchema } from './schema-ingress.ts';
import { DeliverySchema, DnsSchema, EgressSchema } from './schema-delivery.ts';
import { AccountsSchema, BillingSchema, CreditsSchema, TenantLimitsSchema } from './schema-credits.ts';
import { AdminSchema, MetricsSchema } from './schema-admin.ts';
import { FilterSchema } from './schema-filter.ts';
import { FeedbackSchema } from './schema-feedback.ts';

const Strict = { additionalProperties: false } as const;

/** Where shared state lives (architecture §2): the node's LMDB, or Redis shared by every node. */
export const StateSchema = Type.Object(
  {
    backend: Type.Union([Type.Literal('embedded'), Type.Literal('redis')]),
    redis: Type.Object(
      {
        /** redis://[user:password@]host:port[/db]; unused when sentinels are set. */
        url: Type.String({ minLength: 1 }),
        /** Redis Sentinel: the sentinels to ask for the master named `name`. */
        sentinels: Type.Optional(Type.Array(Type.Object({ host: Type.String({ minLength: 1 }), port: Type.Integer({ minimum: 1, maximum: 65535 }) }, Strict))),
        name: Type.Optional(Type.String({ minLength: 1 })),
        /** Prefix of every key, so several deployments can share one Redis. */
        keyPrefix: Type.String(),
        /** A state call fails (451 4.3.0 upstream) when Redis has not answered within this. */
        commandTimeout: Type.String({ pattern: '^\\d+(\\.\\d+)?(ms|s|m|h|d)$' }),
      },
      Strict,
    ),
  },
  Strict,
);

export const ConfigSchema = Type.Object(
  {
    /** This node's name in a cluster and in Received headers. */
    nodeId: Type.String({ minLength: 1 }),
    /** Spool, embedded state and generated certificates live here. */
    dataDir: Type.String({ minLength: 1 }),
    log: LogSchema,
    secrets: SecretsSchema,
    ingress: IngressSchema,
    egress: EgressSchema,
    dns: DnsSchema,
    delivery: DeliverySchema,
    state: StateSchema,
    admin: AdminSchema,
    metrics: MetricsSchema,
    credits: CreditsSchema,
    billing: BillingSchema,
    tenantLimits: TenantLimitsSchema,
    accounts: AccountsSchema,
    filter: FilterSchema,
    feedback: FeedbackSchema,
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;

/** Paths (dotted) whose values are masked by `ferry config print`. */
export const SECRET_PATHS: readonly string[] = ['secrets.masterKey', 'delivery.verpSecret', 'billing.secret'];
