/**
 * The operator's view of sending IPs and pools, shared by the admin API (/v1/ips, /v1/pools) and
 * `ferry ip list` / `ferry pool list`. From config until the dedicated-IP work adds an inventory
 * with leases and states (every configured IP is reported `active`).
 */
import type { Config } from '../../config/index.ts';

export interface IpView {
  readonly address: string;
  readonly helo: string;
  readonly pools: string[];
  readonly state: 'active';
}

export interface PoolView {
  readonly name: string;
  readonly members: Array<{ address: string; weight: number }>;
}

const addressOf = (member: string | { address: string }) => (typeof member === 'string' ? member : member.address);

export function listIps(egress: Config['egress']): IpView[] {
  const poolsOf = (address: string) =>
    Object.entries(egress.pools).filter(([, members]) => members.some((m) => addressOf(m) === address)).map(([name]) => name);
  return egress.ips.map((ip) => ({ address: ip.address, helo: ip.helo, pools: poolsOf(ip.address), state: 'active' }));
}

export function listPools(egress: Config['egress']): PoolView[] {
  return Object.entries(egress.pools).map(([name, members]) => ({
    name,
    members: members.map((m) => (typeof m === 'string' ? { address: m, weight: 1 } : { address: m.address, weight: m.weight })),
  }));
}
