/**
 * Config schema of the content gate (`filter:`, src/policy/filter): mode, per-check switches,
 * actions and thresholds, the rspamd scanner, and per-tenant overrides (which checks, thresholds,
 * allow-lists, monitor mode). Every object forbids unknown keys. Rule and term lists are data
 * files under `filter.rulesDir` (default: the bundled config/filter), not config keys.
 */
import { Type, type Static } from '@sinclair/typebox';

const Strict = { additionalProperties: false } as const;
const Duration = Type.String({ pattern: '^\\d+(\\.\\d+)?(ms|s|m|h|d)$' });

/** What a check's positive finding does: 550 5.7.1, 451 4.7.1 (held for review), or only recorded. */
export const FilterActionSchema = Type.Union([Type.Literal('refuse'), Type.Literal('hold'), Type.Literal('record')]);
export const FilterModeSchema = Type.Union([Type.Literal('enforce'), Type.Literal('monitor')]);

const CheckSwitch = { enabled: Type.Boolean(), action: FilterActionSchema };

export const FilterChecksSchema = Type.Object(
  {
    sectors: Type.Object({ ...CheckSwitch, threshold: Type.Number({ minimum: 1 }) }, Strict),
    sensitiveData: Type.Object({ ...CheckSwitch, threshold: Type.Number({ minimum: 1 }) }, Strict),
    attachments: Type.Object({ ...CheckSwitch, threshold: Type.Number({ minimum: 1 }) }, Strict),
    bulk: Type.Object(
      {
        ...CheckSwitch,
        /** One transaction with at least this many recipients is bulk. */
        recipients: Type.Integer({ minimum: 2 }),
        /** The same content seen this many times within `window` (per tenant, per node) is bulk; 0 = off. */
        repeats: Type.Integer({ minimum: 0 }),
        window: Duration,
      },
      Strict,
    ),
    spam: Type.Object(
      {
        ...CheckSwitch,
        /** rspamd's normal worker, e.g. http://127.0.0.1:11333 (POST /checkv2). */
        url: Type.String({ minLength: 1 }),
        timeout: Duration,
        /** Scanner unreachable or slow: 451 4.3.0 (tempfail) or pass with the failure recorded. */
        onUnavailable: Type.Union([Type.Literal('tempfail'), Type.Literal('accept')]),
        /** rspamd `soft reject` → 451 4.7.1; `add header` / `rewrite subject` → this action. */
        onAddHeader: FilterActionSchema,
        /** 0 → trust rspamd's action; else a score at or above this refuses whatever the action. */
        refuseScore: Type.Number({ minimum: 0 }),
      },
      Strict,
    ),
    /** DNS blocklists (URIBL / DBL style) asked for the link domains and the sender domain. */
    linkReputation: Type.Object(
      {
        ...CheckSwitch,
        /** Zones asked as `<domain>.<zone>`; `codes` maps a returned 127.x.y.z to a category. */
        zones: Type.Array(Type.Object({ name: Type.String({ minLength: 1 }), codes: Type.Record(Type.String(), Type.String()) }, Strict)),
        /** Resolvers for the lookups (`host:port`); empty → `dns.servers`. */
        servers: Type.Array(Type.String()),
        /** Total time for every lookup of one message. */
        budget: Duration,
        /** Budget spent before every answer came: 451 4.3.0, or skip (recorded, not refused). */
        onBudgetExceeded: Type.Union([Type.Literal('tempfail'), Type.Literal('skip')]),
        /** At most this many distinct domains are asked per message (the rest are recorded as skipped). */
        maxDomains: Type.Integer({ minimum: 1 }),
      },
      Strict,
    ),
    /** Rolling bounce and complaint rates per tenant (from outcome records); auto-suspension. */
    tenantReputation: Type.Object(
      {
        ...CheckSwitch,
        window: Duration,
        /** A tenant's rates are recomputed at most this often (per node). */
        evaluateEvery: Duration,
        warn: Type.Object({ bounce: Type.Number({ minimum: 0, maximum: 1 }), complaint: Type.Number({ minimum: 0, maximum: 1 }) }, Strict),
        suspend: Type.Object({ bounce: Type.Number({ minimum: 0, maximum: 1 }), complaint: Type.Number({ minimum: 0, maximum: 1 }) }, Strict),
        /** Below this many sent recipients in the window, a rate is not acted on (noise). */
        minimumSent: Type.Object({ bounce: Type.Integer({ minimum: 1 }), complaint: Type.Integer({ minimum: 1 }) }, Strict),
      },
      Strict,
    ),
  },
  Strict,
);

const PartialChecks = Type.Partial(
  Type.Object({
    sectors: Type.Partial(FilterChecksSchema.properties.sectors),
    sensitiveData: Type.Partial(FilterChecksSchema.properties.sensitiveData),
    attachments: Type.Partial(FilterChecksSchema.properties.attachments),
    bulk: Type.Partial(FilterChecksSchema.properties.bulk),
    spam: Type.Partial(Type.Object({ enabled: Type.Boolean(), action: FilterActionSchema, onAddHeader: FilterActionSchema, refuseScore: Type.Number({ minimum: 0 }) }, Strict)),
    linkReputation: Type.Partial(Type.Object({ enabled: Type.Boolean(), action: FilterActionSchema }, Strict)),
    tenantReputation: Type.Partial(Type.Object({ enabled: Type.Boolean(), action: FilterActionSchema }, Strict)),
  }, Strict),
);

export const FilterAllowSchema = Type.Object(
  {
    /** Envelope senders (exact, lower-case) whose mail skips the content checks. */
    senders: Type.Array(Type.String()),
    /** Link domains never counted by the sector check (the tenant's own shop, its CDN). */
    linkDomains: Type.Array(Type.String()),
    /** The tenant's own payment IBANs (spaces ignored) allowed in its invoices. */
    ibans: Type.Array(Type.String()),
    /** Sector ids this tenant may mail about (e.g. a licensed pharmacy: `pharma`). */
    sectors: Type.Array(Type.String()),
  },
  Strict,
);

export const FilterTenantSchema = Type.Object(
  {
    mode: Type.Optional(FilterModeSchema),
    checks: Type.Optional(PartialChecks),
    allow: Type.Optional(Type.Partial(FilterAllowSchema)),
    /** API key ids (or X-Ferry-Sender values) of this tenant whose mail is refused 550 5.7.1; sibling keys keep sending. */
    blockedSenders: Type.Optional(Type.Array(Type.String())),
  },
  Strict,
);

export const FilterSchema = Type.Object(
  {
    enabled: Type.Boolean(),
    /** monitor → every check runs and is recorded, nothing is refused (onboarding). */
    mode: FilterModeSchema,
    /** A check that has not answered by then tempfails the message (451 4.3.0). */
    checkTimeout: Duration,
    /** Folder of the rule data files; empty → the bundled config/filter. */
    rulesDir: Type.String(),
    checks: FilterChecksSchema,
    allow: FilterAllowSchema,
    /** tenant id → its overrides of mode, checks and allow-lists. */
    tenants: Type.Record(Type.String(), FilterTenantSchema),
  },
  Strict,
);

export type FilterConfig = Static<typeof FilterSchema>;
export type FilterTenantConfig = Static<typeof FilterTenantSchema>;
export type FilterAction = Static<typeof FilterActionSchema>;
export type FilterMode = Static<typeof FilterModeSchema>;
