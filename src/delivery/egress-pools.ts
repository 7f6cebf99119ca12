/**
 * Egress IP choice: a tenant sends through its dedicated IPs when it has any, else through its
 * pool (`config.egress.pools[tenant.pool]`, `shared` by default), by weighted random choice
 * (weights let a warming IP take a small share). Exports createEgressPools → EgressPools.
 * Invariant: a chosen IP is always one of `config.egress.ips` (its helo comes from there); an
 * IP missing from that list, or a pool with no usable member, is a FerryError (DELIVERY).
 */
import type { Config } from '../config/index.ts';
import { ErrorCodes, FerryError } from '../domain/index.ts';

export interface EgressIp {
  readonly address: string;
  readonly helo: string;
}

export interface EgressTenant {
  readonly pool?: string;
  readonly dedicatedIps?: readonly string[];
}

export interface EgressPools {
  /** The sending IP for one attempt of this tenant's mail. */
  choose(tenant: EgressTenant | undefined): EgressIp;
}

interface WeightedIp {
  readonly ip: EgressIp;
  readonly weight: number;
}

export const DEFAULT_POOL = 'shared';

function pickWeighted(members: readonly WeightedIp[], random: () => number): EgressIp | undefined {
  const total = members.reduce((sum, member) => sum + member.weight, 0);
  if (total <= 0) return undefined;
  let point = random() * total;
  for (const member of members) {
    point -= member.weight;
    if (point < 0) return member.ip;
  }
  return members.findLast((member) => member.weight > 0)?.ip;
}

export function createEgressPools(config: Config, random: () => number = Math.random): EgressPools {
  const ips = new Map(config.egress.ips.map((ip) => [ip.address, { address: ip.address, helo: ip.helo }]));
  const known = (address: string): EgressIp => {
    const ip = ips.get(address);
    if (!ip) throw new FerryError(ErrorCodes.DELIVERY, `egress IP ${address} is not in egress.ips`);
    return ip;
  };
  const pools = new Map<string, WeightedIp[]>();
  for (const [name, members] of Object.entries(config.egress.pools)) {
    pools.set(
      name,
      members.map((member) => (typeof member === 'string' ? { ip: known(member), weight: 1 } : { ip: known(member.address), weight: member.weight })),
    );
  }

  return {
    choose(tenant) {
      const dedicated = tenant?.dedicatedIps ?? [];
      if (dedicated.length > 0) {
        return pickWeighted(dedicated.map((address) => ({ ip: known(address), weight: 1 })), random) as EgressIp;
      }
      const poolName = tenant?.pool || DEFAULT_POOL;
      const members = pools.get(poolName);
      if (!members) throw new FerryError(ErrorCodes.DELIVERY, `egress pool ${poolName} is not in egress.pools`);
      const ip = pickWeighted(members, random);
      if (!ip) throw new FerryError(ErrorCodes.DELIVERY, `egress pool ${poolName} has no member with a weight above 0`);
      return ip;
    },
  };
}
