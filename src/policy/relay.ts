/**
 * No-AUTH relay for legacy applications: a tenant's `relayNetworks` (CIDR or single addresses)
 * make a client from those networks that tenant without AUTH. Off unless a tenant sets them.
 * Exports RelayNetworks: an index (net.BlockList per tenant) rebuilt from the state store at most
 * every `ttlMs`, so a connection costs no store read. An invalid entry is skipped and reported.
 */
import { BlockList, isIP } from 'node:net';
import type { Tenant } from '../domain/index.ts';
import type { StateStore } from '../state/index.ts';

interface TenantNetworks {
  readonly tenantId: string;
  readonly networks: BlockList;
}

/** A BlockList of the given networks; entries that do not parse are passed to onInvalid. */
export function buildBlockList(entries: readonly string[], onInvalid: (entry: string) => void = () => {}): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefixText] = entry.trim().split('/');
    const family = isIP(address);
    const prefix = prefixText === undefined ? (family === 6 ? 128 : 32) : Number(prefixText);
    const maxPrefix = family === 6 ? 128 : 32;
    if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix) {
      onInvalid(entry);
      continue;
    }
    list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/** `::ffff:1.2.3.4` → `1.2.3.4`, so IPv4 networks match clients of a dual-stack listener. */
export function normalizeClientIp(ip: string): string {
  return ip.toLowerCase().startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

export class RelayNetworks {
  readonly #state: StateStore;
  readonly #ttlMs: number;
  readonly #onInvalid: (tenant: Tenant, entry: string) => void;
  #index: Promise<TenantNetworks[]> | undefined;
  #builtAt = 0;

  constructor(state: StateStore, ttlMs: number, onInvalid: (tenant: Tenant, entry: string) => void = () => {}) {
    this.#state = state;
    this.#ttlMs = ttlMs;
    this.#onInvalid = onInvalid;
  }

  async #build(): Promise<TenantNetworks[]> {
    const tenants = await this.#state.listTenants();
    return tenants
      .filter((tenant) => tenant.relayNetworks.length > 0)
      .map((tenant) => ({ tenantId: tenant.id, networks: buildBlockList(tenant.relayNetworks, (entry) => this.#onInvalid(tenant, entry)) }));
  }

  #current(now: number): Promise<TenantNetworks[]> {
    if (!this.#index || now - this.#builtAt >= this.#ttlMs) {
      this.#builtAt = now;
      const building = this.#build();
      // A failed build is not cached: the next lookup tries again.
      building.catch(() => {
        if (this.#index === building) this.#index = undefined;
      });
      this.#index = building;
    }
    return this.#index;
  }

  /** The tenant whose relay networks contain this client address, if any (throws on a store error). */
  async tenantFor(clientIp: string, now = Date.now()): Promise<string | undefined> {
    const ip = normalizeClientIp(clientIp);
    const family = isIP(ip);
    if (family === 0) return undefined;
    const index = await this.#current(now);
    return index.find((entry) => entry.networks.check(ip, family === 6 ? 'ipv6' : 'ipv4'))?.tenantId;
  }
}
