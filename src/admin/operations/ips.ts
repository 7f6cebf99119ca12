/**
 * The operator's verbs on sending IPs, shared by the admin API (/v1/ips…) and `ferry ip …`:
 * list, show (record, history, warm-up progress), add, lease, renew, auto-renew, end lease,
 * warm-up, quarantine, release, retire, revoke. Inputs are validated here (MTA_ERR_INVALID_INPUT);
 * the state rules live in src/egress (leases.ts, revocation.ts: MTA_ERR_IP_STATE, MTA_ERR_NO_CONTACT).
 * Every change is followed by one AdminAction record naming the actor and the reason.
 */
import { isIP } from 'node:net';
import {
  endLease, leaseIp, mutateIp, quarantineIp, releaseIp, renewLease, requestRevocation, retireIp, setAutoRenew,
  startWarmup, warmupCap, warmupDay, type IpContext, type RevocationDeps,
} from '../../egress/index.ts';
import { activeLessee, ErrorCodes, FerryError, parseDuration, type IpHistoryEntry, type IpRecord } from '../../domain/index.ts';
import { recordAdminAction, resolveTenant, type OperationContext } from './tenants.ts';
import { validateDomainName } from './validate.ts';

export type IpView = IpRecord & { readonly pools: readonly string[] };

export interface WarmupProgress {
  readonly schedule: string;
  readonly startedAt: number;
  /** Day N of the warm-up (0 = its first 24 h). */
  readonly day: number;
  /** Today's cap per site without its own list; null once the schedule is over (warm). */
  readonly cap: number | null;
  /** Today's cap of each site the schedule names (null: past its list). */
  readonly sites: Readonly<Record<string, number | null>>;
}

export interface IpDetail {
  readonly ip: IpView;
  /** Newest first, at most HISTORY_LIMIT entries. */
  readonly history: readonly IpHistoryEntry[];
  readonly warmup: WarmupProgress | null;
}

export interface LeaseInput {
  readonly tenant: string;
  /** Duration like `365d`; default egress.leases.term. */
  readonly term?: string;
  readonly autoRenew?: boolean;
  readonly warmup?: string;
}

export interface RevokeInput {
  readonly reason: string;
  /** Duration like `0s` or `24h`; default egress.revocation.noticePeriod. */
  readonly notice?: string;
}

export const HISTORY_LIMIT = 50;

function invalid(message: string): FerryError {
  return new FerryError(ErrorCodes.INVALID_INPUT, message);
}

/** A valid IPv4/IPv6 address, lower-cased. */
export function validateIpAddress(input: string): string {
  const address = input.trim().toLowerCase();
  if (isIP(address) === 0) throw invalid(`IP address "${input}": expected an IPv4 or IPv6 address`);
  return address;
}

function required(value: string | undefined, what: string): string {
  const text = value?.trim() ?? '';
  if (text === '') throw invalid(`${what} is required`);
  if (text.length > 500) throw invalid(`${what}: at most 500 characters`);
  return text;
}

/** A duration like `365d`; `positive` refuses 0. */
export function durationMs(text: string, what: string, positive: boolean): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    throw invalid(`${what} "${text}": expected a duration like 30s, 24h, 365d`);
  }
  if (positive && ms <= 0) throw invalid(`${what} "${text}": must be longer than 0`);
  return ms;
}

async function existingIp(ctx: IpContext, input: string): Promise<IpRecord> {
  const address = validateIpAddress(input);
  const ip = await ctx.state.getIp(address);
  if (!ip) throw new FerryError(ErrorCodes.NOT_FOUND, `IP ${address} is not in the inventory`);
  return ip;
}

async function withPools(ctx: IpContext, ips: readonly IpRecord[]): Promise<IpView[]> {
  const pools = await ctx.state.listPools();
  return ips.map((ip) => ({ ...ip, pools: pools.filter((p) => p.members.some((m) => m.address === ip.address)).map((p) => p.name) }));
}

export async function listIpViews(ctx: IpContext): Promise<IpView[]> {
  return withPools(ctx, await ctx.state.listIps());
}

function progress(ctx: IpContext, ip: IpRecord): WarmupProgress | null {
  const { warmup } = ip;
  if (!warmup) return null;
  const now = ctx.now();
  const schedule = ctx.schedules[warmup.schedule] ?? ctx.schedules.default;
  const sites = Object.fromEntries(Object.keys(schedule?.sites ?? {}).map((site) => [site, warmupCap(ctx.schedules, warmup, site, now) ?? null]));
  return { schedule: warmup.schedule, startedAt: warmup.startedAt, day: warmupDay(warmup, now), cap: warmupCap(ctx.schedules, warmup, '', now) ?? null, sites };
}

export async function showIp(ctx: IpContext, input: string): Promise<IpDetail> {
  const ip = await existingIp(ctx, input);
  const [view] = await withPools(ctx, [ip]);
  return { ip: view as IpView, history: await ctx.state.ipHistory(ip.address, HISTORY_LIMIT), warmup: progress(ctx, ip) };
}

/** The tenant an IP's AdminAction belongs to: its lessee, else `*` (the operator's own inventory). */
function ownerOf(ip: IpRecord): string {
  return activeLessee(ip) ?? '*';
}

async function recorded(ctx: IpContext, context: OperationContext, ip: IpRecord, action: string, reason?: string, tenantId = ownerOf(ip)): Promise<IpView> {
  await recordAdminAction(ctx.state, context, { tenantId, action: `ip.${action}`, target: ip.address, ...(reason !== undefined && { reason }) });
  const [view] = await withPools(ctx, [ip]);
  return view as IpView;
}

const actor = (context: OperationContext) => context.actor ?? 'admin';

/** A new IP in the inventory: `available`, on no node until a node lists it in egress.ips. */
export async function addIp(ctx: IpContext, input: string, helo: string, context: OperationContext): Promise<IpView> {
  const address = validateIpAddress(input);
  const name = validateDomainName(helo);
  const added = await mutateIp(ctx.state, address, ctx.now, (current) => {
    if (current) throw new FerryError(ErrorCodes.STATE_CONFLICT, `IP ${address} is already in the inventory (${current.state})`);
    return { next: { address, helo: name, nodes: [], state: 'available', listings: [] }, event: 'added', actor: actor(context), detail: `helo ${name}` };
  });
  return recorded(ctx, context, added as IpRecord, 'add', `helo ${name}`);
}

export async function leaseIpTo(ctx: RevocationDeps, input: string, lease: LeaseInput, context: OperationContext): Promise<IpView> {
  const { address } = await existingIp(ctx, input);
  const tenant = await resolveTenant(ctx.state, lease.tenant);
  const term = lease.term ?? ctx.config.egress.leases.term;
  const termMs = durationMs(term, 'lease term', true);
  if (lease.warmup !== undefined && !ctx.schedules[lease.warmup]) throw invalid(`warm-up schedule ${lease.warmup} does not exist`);
  const autoRenew = lease.autoRenew ?? true;
  const ip = await leaseIp(ctx, address, { tenantId: tenant.id, termMs, autoRenew, actor: actor(context), ...(lease.warmup !== undefined && { warmup: lease.warmup }) });
  const reason = `term ${term}, auto-renew ${autoRenew ? 'on' : 'off'}${lease.warmup === undefined ? '' : `, warm-up ${lease.warmup}`}`;
  return recorded(ctx, context, ip, 'lease', reason, tenant.id);
}

export async function renewIpLease(ctx: IpContext, input: string, context: OperationContext): Promise<IpView> {
  const { address } = await existingIp(ctx, input);
  const ip = await renewLease(ctx, address, actor(context));
  return recorded(ctx, context, ip, 'lease-renew', `until ${new Date(ip.lease?.endsAt ?? 0).toISOString()}`);
}

export async function setIpAutoRenew(ctx: IpContext, input: string, autoRenew: boolean, context: OperationContext): Promise<IpView> {
  const { address } = await existingIp(ctx, input);
  const ip = await setAutoRenew(ctx, address, autoRenew, actor(context));
  return recorded(ctx, context, ip, 'auto-renew', autoRenew ? 'on' : 'off');
}

export async function endIpLease(ctx: IpContext, input: string, reason: string, context: OperationContext): Promise<IpView> {
  const why = required(reason, 'a reason');
  const before = await existingIp(ctx, input);
  const ip = await endLease(ctx, before.address, actor(context), why);
  return recorded(ctx, context, ip, 'lease-end', why, ownerOf(before));
}

export async function warmUpIp(ctx: IpContext, input: string, schedule: string, context: OperationContext): Promise<IpView> {
  const { address } = await existingIp(ctx, input);
  const ip = await startWarmup(ctx, address, required(schedule, 'a warm-up schedule'), actor(context));
  return recorded(ctx, context, ip, 'warmup', `schedule ${schedule}`);
}

export async function quarantineIpNow(ctx: IpContext, input: string, reason: string, context: OperationContext): Promise<IpView> {
  const why = required(reason, 'a reason');
  const { address } = await existingIp(ctx, input);
  return recorded(ctx, context, await quarantineIp(ctx, address, why, actor(context)), 'quarantine', why);
}

export async function releaseIpNow(ctx: IpContext, input: string, note: string, context: OperationContext): Promise<IpView> {
  const why = required(note, 'a note');
  const { address } = await existingIp(ctx, input);
  return recorded(ctx, context, await releaseIp(ctx, address, why, actor(context)), 'release', why);
}

export async function retireIpNow(ctx: IpContext, input: string, reason: string, context: OperationContext): Promise<IpView> {
  const why = required(reason, 'a reason');
  const before = await existingIp(ctx, input);
  return recorded(ctx, context, await retireIp(ctx, before.address, why, actor(context)), 'retire', why, ownerOf(before));
}

export interface RevokeView {
  readonly ip: IpView;
  readonly warningMessageId?: string;
  readonly warning: 'delivered' | 'pending' | 'none';
}

/** Warning to the lessee, then removal after the notice period (src/egress/revocation.ts). */
export async function revokeIp(ctx: RevocationDeps, input: string, revoke: RevokeInput, context: OperationContext): Promise<RevokeView> {
  const why = required(revoke.reason, 'a reason');
  const noticeMs = revoke.notice === undefined ? undefined : durationMs(revoke.notice, 'notice', false);
  const before = await existingIp(ctx, input);
  const result = await requestRevocation(ctx, before.address, { reason: why, actor: actor(context), ...(noticeMs !== undefined && { noticeMs }) });
  const effective = new Date(result.ip.revocation?.effectiveAt ?? ctx.now()).toISOString();
  const ip = await recorded(ctx, context, result.ip, 'revoke', `${why}; effective ${effective}`, ownerOf(before));
  return { ip, ...(result.warningMessageId !== undefined && { warningMessageId: result.warningMessageId }), warning: result.warning };
}
