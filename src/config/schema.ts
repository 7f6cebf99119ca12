/**
 * The whole configuration schema (TypeBox), one object validated once at start.
 * Sections are defined beside the stage that owns them and composed here.
 */
import { Type, type Static } from '@sinclair/typebox';
import { IngressSchema, LogSchema, SecretsSchema } from './schema-ingress.ts';
import { DeliverySchema, DnsSchema, EgressSchema } from './schema-delivery.ts';

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
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;

/** Paths (dotted) whose values are masked by `ferry config print`. */
export const SECRET_PATHS: readonly string[] = ['secrets.masterKey', 'delivery.verpSecret'];
