/**
 * Human text of the sending-IP and pool commands (`ferry ip …`, `ferry pool …`): one line per
 * IP, the inventory table, an IP's details (lease, warm-up progress, listings, revocation,
 * history) and the pool table. Pure; the same lines whether the data came directly or via --api.
 */
import type { IpDetail, IpView } from '../admin/operations/index.ts';
import type { IpRecord, PoolRecord } from '../domain/index.ts';
import { table } from './output.ts';

const iso = (at: number) => new Date(at).toISOString();

function leaseText(ip: IpRecord): string {
  const { lease } = ip;
  if (!lease) return '-';
  if (lease.endedAt !== undefined) return `ended ${iso(lease.endedAt)}`;
  return `${lease.tenantId} until ${iso(lease.endsAt)}${lease.autoRenew ? ' (auto-renew)' : ''}`;
}

export function ipLine(ip: IpView): string {
  const reason = ip.stateReason ? ` (${ip.stateReason})` : '';
  return `${ip.address}  ${ip.state}${reason}  helo=${ip.helo}  lease=${leaseText(ip)}  pools=${ip.pools.join(',') || '-'}`;
}

export function ipTable(ips: readonly IpView[]): string[] {
  if (ips.length === 0) return ['no IPs in the inventory (ferry ip add IP --helo NAME)'];
  return table([
    ['ADDRESS', 'HELO', 'STATE', 'LEASE', 'POOLS', 'NODES'],
    ...ips.map((ip) => [ip.address, ip.helo, ip.state, leaseText(ip), ip.pools.join(',') || '-', ip.nodes.join(',') || '-']),
  ]);
}

function warmupText(detail: IpDetail): string {
  const { warmup } = detail;
  if (!warmup) return 'warm-up: none';
  const sites = Object.entries(warmup.sites).map(([site, cap]) => `${site} ${cap ?? 'warm'}`).join(', ');
  const today = warmup.cap === null ? 'schedule over (warm)' : `cap ${warmup.cap} per site today`;
  return `warm-up: ${warmup.schedule} since ${iso(warmup.startedAt)}, day ${warmup.day}, ${today}${sites ? ` (${sites})` : ''}`;
}

export function ipDetailLines(detail: IpDetail): string[] {
  const { ip } = detail;
  const lease = ip.lease;
  const revocation = ip.revocation;
  return [
    ipLine(ip),
    `nodes: ${ip.nodes.join(', ') || 'none'}`,
    lease
      ? `lease: ${lease.id} tenant ${lease.tenantId} from ${iso(lease.startsAt)} until ${iso(lease.endsAt)}, auto-renew ${lease.autoRenew ? 'on' : 'off'}, renewals ${lease.renewals}${lease.endedAt === undefined ? '' : `, ended ${iso(lease.endedAt)}`}`
      : 'lease: none',
    warmupText(detail),
    `listings: ${ip.listings.map((l) => `${l.zone} ${l.code} ${l.meaning}`).join(', ') || 'none'}`,
    ...(revocation ? [`revocation: ${revocation.reason}, effective ${iso(revocation.effectiveAt)}${revocation.completedAt === undefined ? ' (pending)' : ' (done)'}`] : []),
    'history (newest first):',
    ...table([
      ['AT', 'EVENT', 'STATE', 'ACTOR', 'DETAIL'],
      ...detail.history.map((h) => [iso(h.at), h.event, h.to === undefined ? '-' : `${h.from ?? '-'}→${h.to}`, h.actor, h.detail ?? '']),
    ]),
  ];
}

export function poolTable(pools: readonly PoolRecord[]): string[] {
  if (pools.length === 0) return ['no pools'];
  return table([
    ['POOL', 'KIND', 'TENANT', 'MEMBERS (address:weight)'],
    ...pools.map((p) => [p.name, p.kind, p.tenantId ?? '-', p.members.map((m) => `${m.address.includes(':') ? `[${m.address}]` : m.address}:${m.weight}`).join(' ')]),
  ]);
}
