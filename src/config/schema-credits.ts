/**
 * Config schema of the credit meter, the billing endpoint used by auto-refill, the per-tenant
 * limits (message rate, daily quota) and the account rules (free tier, inactivity) as data.
 * Composed into the whole schema in schema.ts; every default lives in config/default.yaml.
 * `credits.metered: false` leaves every tenant unmetered (see docs/decisions/0004-credit-gate.md).
 */
import { Type } from '@sinclair/typebox';

const Strict = { additionalProperties: false } as const;
const Duration = Type.String({ pattern: '^\\d+(\\.\\d+)?(ms|s|m|h|d)$' });

export const CreditsSchema = Type.Object(
  {
    /** true → every tenant pays per accepted recipient and is refused (452 4.7.1) without credits. */
    metered: Type.Boolean(),
    /** Credits per accepted recipient (messages of at most the first size band's bytes). */
    costPerRecipient: Type.Integer({ minimum: 1 }),
    /** Bigger messages cost more: the highest band whose `above` (bytes) the size passes wins. */
    sizeBands: Type.Array(Type.Object({ above: Type.Integer({ minimum: 0 }), costPerRecipient: Type.Integer({ minimum: 1 }) }, Strict)),
    /** How long a reservation holds credits while DATA is committed to the spool. */
    reservationTtl: Duration,
    /** How often charges of spooled messages that Redis did not confirm are retried. */
    confirmEvery: Duration,
  },
  Strict,
);

export const BillingSchema = Type.Object(
  {
    /** The operator's purchase endpoint; empty → auto-refill cannot be enabled. */
    url: Type.String(),
    /** HMAC-SHA256 key of the request signature (X-Ferry-Signature). */
    secret: Type.String(),
    /** Per attempt. */
    timeout: Duration,
    /** Attempts after the first, with exponential backoff, on 5xx / network errors / timeouts. */
    retries: Type.Integer({ minimum: 0, maximum: 10 }),
  },
  Strict,
);

const TenantLimitValues = {
  /** Accepted messages per second, across all nodes (GCRA); 0 = no limit. */
  messagesPerSecond: Type.Number({ minimum: 0 }),
  /** Messages that may pass at once after a quiet period. */
  burst: Type.Integer({ minimum: 1 }),
  /** Messages per UTC day; 0 = no quota. */
  dailyQuota: Type.Integer({ minimum: 0 }),
};

/** One tenant's limits over the defaults (a config override, or the tenant record's own `limits`). */
export const TenantLimitOverridesSchema = Type.Partial(Type.Object(TenantLimitValues, Strict));

export const TenantLimitsSchema = Type.Object(
  {
    ...TenantLimitValues,
    /** Per-tenant overrides by tenant id. */
    overrides: Type.Record(Type.String(), TenantLimitOverridesSchema),
  },
  Strict,
);

/** A rule of the account lifecycle: which tenants (by plan), after how long, what happens. */
export const AccountRuleSchema = Type.Object(
  {
    /** free = never bought credits; prepaid = has a top-up or refill in its ledger. */
    plan: Type.Union([Type.Literal('free'), Type.Literal('prepaid')]),
    /** free: age since the tenant was created; prepaid: time since the last ledger movement. */
    after: Duration,
    action: Type.Union([Type.Literal('suspend'), Type.Literal('flag-inactive')]),
    reason: Type.String({ minLength: 1 }),
  },
  Strict,
);

export const AccountsSchema = Type.Object(
  {
    /** How often the rules run (only when credits.metered). */
    checkEvery: Duration,
    rules: Type.Array(AccountRuleSchema),
  },
  Strict,
);
