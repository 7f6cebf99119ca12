/**
 * The egress maintenance tick, run by every node (each change is a compare-and-set, so two nodes
 * doing it at once change an IP once): leases past their end renew (auto-renew: one more term,
 * IpEvent `lease-renewed` with the tenant, which billing reads) or end (`lease-expired`); an ended
 * lease frees its IP once egress.leases.drainGrace has passed (`lease-released`, back to
 * available/warming); a finished warm-up ends (`warmed-up`); a revocation whose notice period
 * is over is carried out (revocation.ts). Exports runMaintenance.
 */
import { hasActiveLease, type IpRecord } from '../domain/index.ts';
import { mutateIp, type IpChange } from './inventory.ts';
import { restingState, type IpContext } from './leases.ts';
import { completeRevocation, type RevocationDeps } from './revocation.ts';
import { warmupDone } from './warmup.ts';

export interface MaintenanceReport {
  readonly renewed: number;
  readonly expired: number;
  readonly released: number;
  readonly warmedUp: number;
  readonly revoked: number;
}

type Step = keyof MaintenanceReport;

/** The one change the tick makes to an IP now, if any. */
function nextStep(ctx: IpContext, ip: IpRecord, drainGraceMs: number): { step: Step; change: IpChange } | undefined {
  const now = ctx.now();
  const actor = 'maintenance';
  const lease = ip.lease;
  if (lease && hasActiveLease(ip) && lease.endsAt <= now) {
    if (lease.autoRenew) {
      const renewed = { ...lease, endsAt: lease.endsAt + lease.termMs, renewals: lease.renewals + 1 };
      return { step: 'renewed', change: { next: { ...ip, lease: renewed }, event: 'lease-renewed', actor, tenantId: lease.tenantId, detail: `lease ${lease.id} renewal ${renewed.renewals} until ${new Date(renewed.endsAt).toISOString()}` } };
    }
    return { step: 'expired', change: { next: { ...ip, lease: { ...lease, endedAt: now } }, event: 'lease-expired', actor, tenantId: lease.tenantId, detail: `lease ${lease.id} ended without renewal` } };
  }
  if (lease?.endedAt !== undefined && ip.state === 'leased' && now >= lease.endedAt + drainGraceMs) {
    const { lease: _ended, ...rest } = ip;
    return { step: 'released', change: { next: { ...rest, state: restingState(ctx, ip, false) }, event: 'lease-released', actor, tenantId: lease.tenantId, detail: `lease ${lease.id} drained` } };
  }
  if (ip.state === 'warming' && ip.warmup && warmupDone(ctx.schedules, ip.warmup, now)) {
    const { warmup: _done, ...rest } = ip;
    return { step: 'warmedUp', change: { next: { ...rest, state: hasActiveLease(ip) ? 'leased' : 'available' }, event: 'warmed-up', actor, detail: `schedule ${ip.warmup.schedule} finished` } };
  }
  return undefined;
}

export async function runMaintenance(deps: RevocationDeps, drainGraceMs: number): Promise<MaintenanceReport> {
  const report: Record<Step, number> = { renewed: 0, expired: 0, released: 0, warmedUp: 0, revoked: 0 };
  for (const listed of await deps.state.listIps()) {
    // several steps may be due at once (a lease that expired long ago): one change per loop, each re-read
    for (let guard = 0; guard < 10; guard++) {
      let step: Step | undefined;
      await mutateIp(deps.state, listed.address, deps.now, (ip) => {
        const next = ip && nextStep(deps, ip, drainGraceMs);
        step = next?.step;
        return next?.change;
      });
      if (step === undefined) break;
      report[step]++;
    }
    const ip = await deps.state.getIp(listed.address);
    if (ip?.revocation && ip.revocation.completedAt === undefined && ip.revocation.effectiveAt <= deps.now()) {
      if (await completeRevocation(deps, ip.address, 'maintenance')) report.revoked++;
    }
  }
  return report;
}
