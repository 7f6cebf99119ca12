/**
 * Per-tenant content policy: the `filter:` defaults, then `filter.tenants[<id>]`, then the tenant
 * record's own `contentPolicy` (admin API / CLI) — mode, per-check enabled/action/threshold,
 * allow-lists added to the global ones. The record's entry wins per field: per check key, per
 * allow-list, mode and blockedSenders. A resolved policy is cached per tenant with the record
 * entry it came from, so a changed record (read at MAIL FROM) resolves again. Exports
 * PolicyResolver, resolvePolicy, mergeTenantPolicy.
 * Invariant: a tenant override can loosen or tighten a check, never switch the gate on when
 * `filter.enabled` is false (that is the operator's switch).
 */
import type { FilterConfig, FilterTenantConfig } from '../../config/index.ts';
import { parseDuration, type TenantContentPolicy } from '../../domain/index.ts';
import type { CheckName, CheckPolicy, FilterPolicy } from './types.ts';

const CHECK_KEYS: Readonly<Record<CheckName, keyof FilterConfig['checks'] | undefined>> = {
  sender: undefined,
  'tenant-reputation': 'tenantReputation',
  'link-reputation': 'linkReputation',
  attachments: 'attachments',
  'sensitive-data': 'sensitiveData',
  bulk: 'bulk',
  sectors: 'sectors',
  spam: 'spam',
};

function checkPolicy(config: FilterConfig, tenant: FilterTenantConfig | undefined, name: CheckName): CheckPolicy {
  const key = CHECK_KEYS[name];
  // The sender check has no switch: it acts only on senders the tenant's policy blocks.
  if (!key) return { enabled: true, action: 'refuse', threshold: 1 };
  const base = config.checks[key] as { enabled: boolean; action: CheckPolicy['action']; threshold?: number };
  const over = (tenant?.checks?.[key] ?? {}) as Partial<{ enabled: boolean; action: CheckPolicy['action']; threshold: number }>;
  return {
    enabled: over.enabled ?? base.enabled,
    action: over.action ?? base.action,
    threshold: over.threshold ?? base.threshold ?? 10,
  };
}

function compactIban(iban: string): string {
  return iban.replace(/\s+/g, '').toUpperCase();
}

type CheckOverrides = Record<string, object | undefined>;

/** The config's entry for a tenant with the record's entry over it (see the header for the rule). */
export function mergeTenantPolicy(base: FilterTenantConfig | undefined, own: TenantContentPolicy | undefined): FilterTenantConfig | undefined {
  if (!own) return base;
  if (!base) return own;
  const checks: CheckOverrides = { ...(base.checks as CheckOverrides | undefined) };
  for (const [key, value] of Object.entries((own.checks ?? {}) as CheckOverrides)) checks[key] = { ...checks[key], ...value };
  return {
    ...base,
    ...own,
    ...(base.checks || own.checks ? { checks: checks as FilterTenantConfig['checks'] } : {}),
    ...(base.allow || own.allow ? { allow: { ...base.allow, ...own.allow } } : {}),
  };
}

export function resolvePolicy(config: FilterConfig, tenantId: string, own?: TenantContentPolicy): FilterPolicy {
  const tenant = mergeTenantPolicy(config.tenants[tenantId], own);
  const names = Object.keys(CHECK_KEYS) as CheckName[];
  const checks = Object.fromEntries(names.map((name) => [name, checkPolicy(config, tenant, name)])) as Record<CheckName, CheckPolicy>;
  const bulk = { ...config.checks.bulk, ...(tenant?.checks?.bulk ?? {}) };
  const allow = tenant?.allow ?? {};
  return {
    mode: tenant?.mode ?? config.mode,
    checks,
    bulk: { recipients: bulk.recipients, repeats: bulk.repeats, windowMs: parseDuration(bulk.window) },
    spam: { ...config.checks.spam, ...(tenant?.checks?.spam ?? {}) },
    linkReputation: config.checks.linkReputation,
    tenantReputation: config.checks.tenantReputation,
    blockedSenders: new Set(tenant?.blockedSenders ?? []),
    allow: {
      senders: new Set([...config.allow.senders, ...(allow.senders ?? [])].map((s) => s.toLowerCase())),
      linkDomains: [...config.allow.linkDomains, ...(allow.linkDomains ?? [])].map((d) => d.toLowerCase()),
      ibans: new Set([...config.allow.ibans, ...(allow.ibans ?? [])].map(compactIban)),
      sectors: new Set([...config.allow.sectors, ...(allow.sectors ?? [])]),
    },
  };
}

interface CachedPolicy {
  /** The record entry last seen (same object → hit without serialising). */
  readonly own: TenantContentPolicy | undefined;
  /** Its JSON: a new object with the same content (the 1 s tenant cache reloaded) is still a hit. */
  readonly key: string;
  readonly policy: FilterPolicy;
}

/** Bounds the cache (a tenant's entry is only one resolved policy). */
const MAX_CACHED = 10_000;

export class PolicyResolver {
  readonly #config: FilterConfig;
  readonly #cache = new Map<string, CachedPolicy>();

  constructor(config: FilterConfig) {
    this.#config = config;
  }

  /** `own`: the tenant record's contentPolicy as read at MAIL FROM (absent → config only). */
  forTenant(tenantId: string, own?: TenantContentPolicy): FilterPolicy {
    const hit = this.#cache.get(tenantId);
    if (hit && hit.own === own) return hit.policy;
    const key = own === undefined ? '' : JSON.stringify(own);
    if (hit && hit.key === key) {
      this.#cache.set(tenantId, { ...hit, own });
      return hit.policy;
    }
    const policy = resolvePolicy(this.#config, tenantId, own);
    if (this.#cache.size >= MAX_CACHED) this.#cache.clear();
    this.#cache.set(tenantId, { own, key, policy });
    return policy;
  }
}
