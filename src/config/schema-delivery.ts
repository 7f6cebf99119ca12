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
    /** How often a node reloads the IP inventory from the state store (a revocation reaches every node within it). */
    refreshEvery: Type.String(),
    leases: Type.Object(
      {
        /** Default length of a lease term (and of each renewal). */
        term: Type.String(),
        /** After a lease ends, how long the IP stays out of use (its queues drain) before it is available again. */
        drainGrace: Type.String(),
      },
      Strict,
    ),
    warmup: Type.Object(
      {
        /** Warm-up schedules (YAML); empty → the bundled config/warmup.yaml. */
        scheduleFile: Type.String(),
      },
      Strict,
    ),
    blocklists: Type.Object(
      {
        enabled: Type.Boolean(),
        checkEvery: Type.String(),
        /** Resolvers for the DNSBL queries (`host` or `host:port`); empty → dns.servers. */
        servers: Type.Array(Type.String()),
        timeout: Type.String(),
        /** What a listing does: quarantine the IP (stop new traffic, move its queue to the pool) or only record it. */
        onListing: Type.Union([Type.Literal('quarantine'), Type.Literal('record')]),
        zones: Type.Array(
          Type.Object(
            {
              name: Type.String({ minLength: 1 }),
              /** Return code (A record) → meaning; an answer not listed here still counts as a listing, meaning `listed`. */
              codes: Type.Record(Type.String(), Type.String()),
            },
            Strict,
          ),
        ),
      },
      Strict,
    ),
    revocation: Type.Object(
      {
        /** The operator's system sender of the warning email (From: and envelope sender). */
        sender: Type.String({ minLength: 3 }),
        /** Default time between the warning and the removal (a revocation may shorten it, with a reason). */
        noticePeriod: Type.String(),
        /** How long a revocation waits for the warning to be delivered before it removes the IP anyway. */
        warningTimeout: Type.String(),
        /** The warning template; empty → the bundled config/templates/ip-revocation.txt. */
        templateFile: Type.String(),
      },
      Strict,
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
    /** Per sending IP and site; 0 = unlimited. */
    maxMessagesPerHour: Type.Optional(Type.Number({ minimum: 0 })),
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
    /** Traffic shaping data (per-site limits, adaptive reply rules); empty → the bundled config/shaping.yaml. */
    shapingFile: Type.String(),
  },
  Strict,
);
