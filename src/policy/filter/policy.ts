/**
 * Per-tenant content policy: the `filter:` defaults merged with `filter.tenants[<id>]` (mode,
 * per-check enabled/action/threshold, allow-lists added to the global ones). Config is frozen
 * at start, so a tenant's policy is resolved once and cached. Exports PolicyResolver.
 * Invariant: a tenant override can loosen or tighten a check, never switch the gate on when
 * `filter.enabled` is false (that is the operator's switch).
 */
import type { FilterConfig, FilterTenantConfig } from '../../config/index.ts';
import { parseDuration } from '../../domain/index.ts';
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

export function resolvePolicy(config: FilterConfig, tenantId: string): FilterPolicy {
  const tenant = config.tenants[tenantId];
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

export class PolicyResolver {
  readonly #config: FilterConfig;
  readonly #cache = new Map<string, FilterPolicy>();

  constructor(config: FilterConfig) {
    this.#config = config;
  }

  forTenant(tenantId: string): FilterPolicy {
    let policy = this.#cache.get(tenantId);
    if (!policy) {
      policy = resolvePolicy(this.#config, tenantId);
      this.#cache.set(tenantId, policy);
    }
    return policy;
  }
}
