/**
 * Config schema: egress IPs and pools, DNS, and the delivery engine.
 * Owned by the delivery stage; composed into the whole schema in schema.ts.
 */
import { Type } from '@sinclair/typebox';

const Strict = { additionalProperties: false } as const;

export const EgressSchema = Type.Object(
  {
    ips: Type.Array(Type.Object({ address: Type.String({ minLength: 1 }), helo: Type.String({ minLength: 1 }) }, Strict)),
    /** Pool name → members; a member is an address or `{address, weight}`. */
    pools: Type.Record(
      Type.String(),
      Type.Array(Type.Union([Type.String(), Type.Object({ address: Type.String(), weight: Type.Number({ minimum: 0 }) }, Strict)])),
    ),
  },
  Strict,
);

export const DnsSchema = Type.Object(
  {
    /** Resolver servers (`host` or `host:port`); empty → the system's resolvers. */
    servers: Type.Array(Type.String()),
    timeout: Type.String(),
    negativeTtl: Type.String(),
  },
  Strict,
);

const PathLimits = Type.Object(
  {
    maxConnections: Type.Integer({ minimum: 1 }),
    maxMessagesPerConnection: Type.Integer({ minimum: 1 }),
    /** 0 = unlimited. */
    maxMessagesPerSecond: Type.Number({ minimum: 0 }),
  },
  Strict,
);

export const DeliverySchema = Type.Object(
  {
    enabled: Type.Boolean(),
    /** Static routes: domain or `*` → `host:port` (smarthosts, tests, benchmarks). */
    routes: Type.Record(Type.String(), Type.String()),
    retrySchedule: Type.String(),
    maxQueueLifetime: Type.String(),
    /** Deliveries claimed from the scheduled queue at most at once (the active window). */
    activeWindow: Type.Integer({ minimum: 1 }),
    limits: PathLimits,
    sites: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1 }),
          /** MX host patterns rolled up into this site, e.g. `*.google.com`. */
          mx: Type.Array(Type.String()),
          limits: Type.Optional(Type.Partial(PathLimits)),
          tls: Type.Optional(Type.Union([Type.Literal('opportunistic'), Type.Literal('required')])),
        },
        Strict,
      ),
    ),
    timeouts: Type.Object(
      { connect: Type.String(), greeting: Type.String(), command: Type.String(), data: Type.String(), idle: Type.String() },
      Strict,
    ),
    /** VERP return path: `bounces+<token>@<bounceDomain>`. */
    bounceDomain: Type.String({ minLength: 1 }),
    /** Secret that signs VERP tokens; empty → derived from the master key. */
    verpSecret: Type.String(),
  },
  Strict,
);
