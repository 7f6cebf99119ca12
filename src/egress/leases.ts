/**
 * The lifecycle of an IP in the inventory, as operations on one IP (each one mutateIp call, so
 * one compare-and-set, one history entry and one IpEvent record): lease, renew, auto-renew
 * setting, end, warm-up start, quarantine, release, retire. Exports them with IpContext.
 * Rules: only an `available` IP (or a warming one nobody leases) can be leased; a quarantined or
 * retired IP carries no traffic; an ended lease leaves the IP `leased` until the maintenance
 * tick (maintenance.ts) makes it available after egress.leases.drainGrace.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCodes, FerryError, hasActiveLease, type IpRecord, type IpState } from '../domain/index.ts';
import type { StateStore } from '../state/store.ts';
import { mutateIp, type IpChange } from './inventory.ts';
import { warmupDone, type WarmupSchedules } from './warmup.ts';

export interface IpContext {
  readonly state: StateStore;
  readonly now: () => number;
  readonly schedules: WarmupSchedules;
}

function refuse(address: string, why: string): never {
  throw new FerryError(ErrorCodes.IP_STATE, `IP ${address}: ${why}`);
}

function existing(address: string, current: IpRecord | undefined): IpRecord {
  if (!current) throw new FerryError(ErrorCodes.NOT_FOUND, `IP ${address} is not in the inventory`);
  return current;
}

/** Run one change on an IP that must exist; `decide` may refuse (throw) or return undefined for "already so". */
async function change(ctx: IpContext, address: string, decide: (current: IpRecord) => IpChange | undefined): Promise<IpRecord> {
  return (await mutateIp(ctx.state, address, ctx.now, (current) => decide(existing(address, current)))) as IpRecord;
}

/** The state an IP returns to when nothing holds it (no quarantine): warming while its warm-up runs. */
export function restingState(ctx: IpContext, ip: IpRecord, leased: boolean): IpState {
  if (ip.warmup && !warmupDone(ctx.schedules, ip.warmup, ctx.now())) return 'warming';
  return leased ? 'leased' : 'available';
}

export interface LeaseRequest {
  readonly tenantId: string;
  readonly termMs: number;
  readonly autoRenew: boolean;
  /** Start a warm-up with this schedule together with the lease. */
  readonly warmup?: string;
  readonly actor: string;
}

export async function leaseIp(ctx: IpContext, address: string, request: LeaseRequest): Promise<IpRecord> {
  return change(ctx, address, (ip) => {
    if (hasActiveLease(ip)) refuse(address, `already leased to ${ip.lease.tenantId}`);
    if (ip.state !== 'available' && ip.state !== 'warming') refuse(address, `is ${ip.state}; only an available IP can be leased`);
    const now = ctx.now();
    const warmup = request.warmup === undefined ? ip.warmup : { startedAt: now, schedule: request.warmup };
    const lease = { id: `ls_${randomUUID()}`, tenantId: request.tenantId, startsAt: now, endsAt: now + request.termMs, termMs: request.termMs, autoRenew: request.autoRenew, renewals: 0 };
    const next = { ...ip, lease, ...(warmup && { warmup }) };
    return { next: { ...next, state: restingState(ctx, next, true) }, event: 'leased', actor: request.actor, tenantId: request.tenantId, detail: `lease ${lease.id} until ${new Date(lease.endsAt).toISOString()}` };
  });
}

/** One more term on the active lease (auto-renewal or an operator's renewal). */
export async function renewLease(ctx: IpContext, address: string, actor: string): Promise<IpRecord> {
  return change(ctx, address, (ip) => {
    if (!hasActiveLease(ip)) refuse(address, 'has no active lease');
    const lease = { ...ip.lease, endsAt: ip.lease.endsAt + ip.lease.termMs, renewals: ip.lease.renewals + 1 };
    return { next: { ...ip, lease }, event: 'lease-renewed', actor, tenantId: lease.tenantId, detail: `lease ${lease.id} renewal ${lease.renewals} until ${new Date(lease.endsAt).toISOString()}` };
  });
}

export async function setAutoRenew(ctx: IpContext, address: string, autoRenew: boolean, actor: string): Promise<IpRecord> {
  return change(ctx, address, (ip) => {
    if (!hasActiveLease(ip)) refuse(address, 'has no active lease');
    if (ip.lease.autoRenew === autoRenew) return undefined;
    return { next: { ...ip, lease: { ...ip.lease, autoRenew } }, event: autoRenew ? 'auto-renew-on' : 'auto-renew-off', actor, tenantId: ip.lease.tenantId };
  });
}

/** Ends the active lease now: the tenant stops sending from the IP; it becomes available after the drain grace. */
export async function endLease(ctx: IpContext, address: string, actor: string, reason: string): Promise<IpRecord> {
  return change(ctx, address, (ip) => {
    if (!hasActiveLease(ip)) refuse(address, 'has no active lease');
    return { next: { ...ip, lease: { ...ip.lease, endedAt: ctx.now() } }, event: 'lease-ended', actor, tenantId: ip.lease.tenantId, detail: reason };
  });
}

export async function startWarmup(ctx: IpContext, address: string, schedule: string, actor: string): Promise<IpRecord> {
  if (!ctx.schedules[schedule]) throw new FerryError(ErrorCodes.INVALID_INPUT, `warm-up schedule ${schedule} does not exist`);
  return change(ctx, address, (ip) => {
    if (ip.state === 'quarantined' || ip.state === 'retired') refuse(address, `is ${ip.state}`);
    const next = { ...ip, warmup: { startedAt: ctx.now(), schedule } };
    return { next: { ...next, state: restingState(ctx, next, hasActiveLease(ip)) }, event: 'warmup-started', actor, detail: `schedule ${schedule}` };
  });
}

export async function quarantineIp(ctx: IpContext, address: string, reason: string, actor: string): Promise<IpRecord> {
  return change(ctx, address, (ip) => {
    if (ip.state === 'retired') refuse(address, 'is retired');
    if (ip.state === 'quarantined') return undefined;
    return { next: { ...ip, state: 'quarantined', stateReason: reason }, event: 'quarantined', actor, detail: reason, ...(ip.lease && { tenantId: ip.lease.tenantId }) };
  });
}

/** Lifts a quarantine (an operator's decision, with a note): back to leased / warming / available. */
export async function releaseIp(ctx: IpContext, address: string, note: string, actor: string): Promise<IpRecord> {
  return change(ctx, address, (ip) => {
    if (ip.state !== 'quarantined') refuse(address, `is ${ip.state}, not quarantined`);
    const { stateReason: _dropped, ...rest } = ip;
    return { next: { ...rest, state: restingState(ctx, ip, hasActiveLease(ip)) }, event: 'released', actor, detail: note };
  });
}

/** Takes the IP out of service for good (its lease, if any, ends now). */
export async function retireIp(ctx: IpContext, address: string, reason: string, actor: string): Promise<IpRecord> {
  return change(ctx, address, (ip) => {
    if (ip.state === 'retired') return undefined;
    const lease = hasActiveLease(ip) ? { ...ip.lease, endedAt: ctx.now() } : ip.lease;
    return { next: { ...ip, state: 'retired', stateReason: reason, ...(lease && { lease }) }, event: 'retired', actor, detail: reason };
  });
}
