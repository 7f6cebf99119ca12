/**
 * `ferry ip …`: list, show, add, lease, end-lease, renew, auto-renew, warmup, quarantine,
 * release, retire, revoke. Each verb runs src/admin/operations/ips.ts directly on this node's
 * store and spool (egressContext: revocation warnings are spooled here), or goes through the
 * admin API's /v1/ips routes with --api URL; both print the same output. Also exports runIpVerb.
 */
import {
  addIp, endIpLease, leaseIpTo, listIpViews, quarantineIpNow, releaseIpNow, renewIpLease, retireIpNow, revokeIp, setIpAutoRenew, showIp,
  warmUpIp, type IpDetail, type IpView, type RevokeView,
} from '../admin/operations/index.ts';
import { egressContext, type RevocationDeps } from '../egress/index.ts';
import { expectArgs, usageError } from './args.ts';
import type { CommandContext } from './context.ts';
import { ipDetailLines, ipLine, ipTable } from './ip-format.ts';
import { callApi, viaApi, withNode } from './node-access.ts';

const ACTOR = { actor: 'cli' };

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Through the admin API with --api, else directly with this node's egress context. */
export async function runIpVerb<T>(context: CommandContext, api: [Method, string, unknown?], direct: (ctx: RevocationDeps) => Promise<T>): Promise<T> {
  if (viaApi(context)) return callApi<T>(context, api[0], api[1], api[2]);
  return withNode(context, ({ state, spool }) => direct(egressContext(context.config, state, spool)));
}

const ipPath = (address: string, tail = '') => `/v1/ips/${encodeURIComponent(address)}${tail}`;

function needed(value: string | undefined, option: string, command: string): string {
  if (value === undefined || value.trim() === '') throw usageError(`${command} needs ${option}`);
  return value;
}

function printIp(context: CommandContext, ip: IpView): void {
  context.out.result(ip, () => [ipLine(ip)]);
}

export async function ipList(context: CommandContext): Promise<void> {
  expectArgs(context.rest, [], 'ip list');
  const ips = await runIpVerb<IpView[]>(context, ['GET', '/v1/ips'], (ctx) => listIpViews(ctx));
  context.out.result(ips, () => ipTable(ips));
}

export async function ipShow(context: CommandContext): Promise<void> {
  const [address = ''] = expectArgs(context.rest, ['IP'], 'ip show');
  const detail = await runIpVerb<IpDetail>(context, ['GET', ipPath(address)], (ctx) => showIp(ctx, address));
  context.out.result(detail, () => ipDetailLines(detail));
}

export async function ipAdd(context: CommandContext): Promise<void> {
  const [address = ''] = expectArgs(context.rest, ['IP'], 'ip add');
  const helo = needed(context.args.ip.helo, '--helo NAME', 'ip add');
  printIp(context, await runIpVerb<IpView>(context, ['POST', '/v1/ips', { address, helo }], (ctx) => addIp(ctx, address, helo, ACTOR)));
}

export async function ipLease(context: CommandContext): Promise<void> {
  const [address = '', tenant = ''] = expectArgs(context.rest, ['IP', 'T'], 'ip lease');
  const { term, warmup, noAutoRenew } = context.args.ip;
  const lease = { tenant, autoRenew: !noAutoRenew, ...(term !== undefined && { term }), ...(warmup !== undefined && { warmup }) };
  printIp(context, await runIpVerb<IpView>(context, ['POST', ipPath(address, '/lease'), lease], (ctx) => leaseIpTo(ctx, address, lease, ACTOR)));
}

export async function ipEndLease(context: CommandContext): Promise<void> {
  const [address = ''] = expectArgs(context.rest, ['IP'], 'ip end-lease');
  const reason = needed(context.args.reason, '--reason R', 'ip end-lease');
  printIp(context, await runIpVerb<IpView>(context, ['DELETE', ipPath(address, '/lease'), { reason }], (ctx) => endIpLease(ctx, address, reason, ACTOR)));
}

export async function ipRenew(context: CommandContext): Promise<void> {
  const [address = ''] = expectArgs(context.rest, ['IP'], 'ip renew');
  printIp(context, await runIpVerb<IpView>(context, ['POST', ipPath(address, '/lease/renew'), {}], (ctx) => renewIpLease(ctx, address, ACTOR)));
}

export async function ipAutoRenew(context: CommandContext): Promise<void> {
  const [address = '', setting = ''] = expectArgs(context.rest, ['IP', 'on|off'], 'ip auto-renew');
  if (setting !== 'on' && setting !== 'off') throw usageError(`ip auto-renew expects on or off (got "${setting}")`);
  const autoRenew = setting === 'on';
  printIp(context, await runIpVerb<IpView>(context, ['PATCH', ipPath(address, '/lease'), { autoRenew }], (ctx) => setIpAutoRenew(ctx, address, autoRenew, ACTOR)));
}

export async function ipWarmup(context: CommandContext): Promise<void> {
  const [address = '', schedule = ''] = expectArgs(context.rest, ['IP', 'SCHEDULE'], 'ip warmup');
  printIp(context, await runIpVerb<IpView>(context, ['POST', ipPath(address, '/warmup'), { schedule }], (ctx) => warmUpIp(ctx, address, schedule, ACTOR)));
}

export async function ipQuarantine(context: CommandContext): Promise<void> {
  const [address = ''] = expectArgs(context.rest, ['IP'], 'ip quarantine');
  const reason = needed(context.args.reason, '--reason R', 'ip quarantine');
  printIp(context, await runIpVerb<IpView>(context, ['POST', ipPath(address, '/quarantine'), { reason }], (ctx) => quarantineIpNow(ctx, address, reason, ACTOR)));
}

export async function ipRelease(context: CommandContext): Promise<void> {
  const [address = ''] = expectArgs(context.rest, ['IP'], 'ip release');
  const note = needed(context.args.feedback.note, '--note N', 'ip release');
  printIp(context, await runIpVerb<IpView>(context, ['POST', ipPath(address, '/release'), { note }], (ctx) => releaseIpNow(ctx, address, note, ACTOR)));
}

export async function ipRetire(context: CommandContext): Promise<void> {
  const [address = ''] = expectArgs(context.rest, ['IP'], 'ip retire');
  const reason = needed(context.args.reason, '--reason R', 'ip retire');
  printIp(context, await runIpVerb<IpView>(context, ['POST', ipPath(address, '/retire'), { reason }], (ctx) => retireIpNow(ctx, address, reason, ACTOR)));
}

export async function ipRevoke(context: CommandContext): Promise<void> {
  const [address = ''] = expectArgs(context.rest, ['IP'], 'ip revoke');
  const reason = needed(context.args.reason, '--reason R', 'ip revoke');
  const { notice } = context.args.ip;
  const body = { reason, ...(notice !== undefined && { notice }) };
  const revoked = await runIpVerb<RevokeView>(context, ['POST', ipPath(address, '/revoke'), body], (ctx) => revokeIp(ctx, address, body, ACTOR));
  context.out.result(revoked, () => [
    ipLine(revoked.ip),
    `revocation effective ${new Date(revoked.ip.revocation?.effectiveAt ?? 0).toISOString()}${revoked.ip.revocation?.completedAt === undefined ? ' (pending)' : ' (done)'}`,
    `warning: ${revoked.warning}${revoked.warningMessageId ? ` (message ${revoked.warningMessageId})` : ''}`,
  ]);
}
