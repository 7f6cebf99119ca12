/**
 * Who may send as whom (ARCHITECTURE.md §1.2): the tenant must be active (suspended / closed →
 * 550 5.7.1 with a support reference), the MAIL FROM domain must be one of the tenant's sending
 * domains, and at DATA every `From:` header address must be too. Exports the three checks.
 * Domains compare lower-case and exactly (a subdomain is a different sending domain).
 * Tenant and domain-owner answers are cached per node for LOOKUP_TTL_MS (one second): on Redis that
 * saves three round trips per message, and a suspension or a domain change applies within a second.
 */
import { ACCEPT, domainOf, refuse, type Verdict } from '../domain/index.ts';
import type { StateStore } from '../state/index.ts';
import type { IngressCheck, MailContext, MessageContext } from './types.ts';
import type { Tenant } from '../domain/index.ts';

const LOOKUP_TTL_MS = 1000;

/** A read-through cache of one kind of lookup, entries kept for LOOKUP_TTL_MS. */
class ShortCache<V> {
  readonly #entries = new Map<string, { value: V; until: number }>();
  readonly #load: (key: string) => Promise<V>;

  constructor(load: (key: string) => Promise<V>) {
    this.#load = load;
  }

  async get(key: string): Promise<V> {
    const now = Date.now();
    const hit = this.#entries.get(key);
    if (hit && hit.until > now) return hit.value;
    const value = await this.#load(key);
    if (this.#entries.size > 10_000) this.#entries.clear();
    this.#entries.set(key, { value, until: now + LOOKUP_TTL_MS });
    return value;
  }
}

interface SenderDirectory {
  readonly tenants: ShortCache<Tenant | undefined>;
  readonly domainOwners: ShortCache<string | undefined>;
}

const directories = new WeakMap<StateStore, SenderDirectory>();

function directoryOf(state: StateStore): SenderDirectory {
  let directory = directories.get(state);
  if (!directory) {
    directory = {
      tenants: new ShortCache((id) => state.getTenant(id)),
      domainOwners: new ShortCache((domain) => state.getDomainOwner(domain)),
    };
    directories.set(state, directory);
  }
  return directory;
}

/**
 * The tenant record through this node's one-second cache (the one tenantStatusCheck reads): the
 * session loads it once per MAIL FROM and hands it to the limits and the content gate.
 */
export function cachedTenant(state: StateStore, tenantId: string): Promise<Tenant | undefined> {
  return directoryOf(state).tenants.get(tenantId);
}

export function tenantStatusCheck(state: StateStore): IngressCheck<MailContext> {
  return {
    name: 'tenant-status',
    async check({ tenantId }) {
      const tenant = await directoryOf(state).tenants.get(tenantId);
      if (!tenant || tenant.status === 'closed') return refuse('tenant.closed', undefined, tenantId);
      if (tenant.status === 'suspended') return refuse('tenant.suspended', undefined, tenantId);
      return ACCEPT;
    },
  };
}

async function isTenantDomain(state: StateStore, tenantId: string, domain: string): Promise<boolean> {
  if (!domain) return false;
  // owner only: opening the DKIM keys here cost 14 % of the ingress main thread (profile in decision 0007)
  return (await directoryOf(state).domainOwners.get(domain.toLowerCase())) === tenantId;
}

export function senderDomainCheck(state: StateStore): IngressCheck<MailContext> {
  return {
    name: 'sender-domain',
    async check({ tenantId, mailFrom }): Promise<Verdict> {
      const domain = domainOf(mailFrom);
      if (!domain) return refuse('sender.foreign-domain', 'A sender address of one of your sending domains is required');
      if (await isTenantDomain(state, tenantId, domain)) return ACCEPT;
      return refuse('sender.foreign-domain', `Sender domain ${domain} is not a sending domain of this account`);
    },
  };
}

export function headerFromCheck(state: StateStore): IngressCheck<MessageContext> {
  return {
    name: 'header-from-domain',
    async check({ tenantId, fromAddresses }): Promise<Verdict> {
      if (fromAddresses.length === 0) return refuse('sender.header-foreign-domain', 'Message has no From: header address');
      for (const domain of new Set(fromAddresses.map(domainOf))) {
        if (!(await isTenantDomain(state, tenantId, domain))) {
          return refuse('sender.header-foreign-domain', `From: header domain ${domain || '(none)'} is not a sending domain of this account`);
        }
      }
      return ACCEPT;
    },
  };
}
