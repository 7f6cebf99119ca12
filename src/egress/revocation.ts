/**
 * Revoking a sending IP in one call (admin API POST /v1/ips/{ip}/revoke, `ferry ip revoke`):
 * 1) the lessee gets the warning email, sent through Ferry itself (spooled like any message, from
 *    egress.revocation.sender, from the bundled or configured template, recorded as a Reception
 *    and an IpEvent `warning-sent`) — the policy requires the warning before the removal;
 * 2) at effectiveAt (now + notice period; 0 for emergencies) the removal: the lease ends and the IP
 *    is quarantined with the reason (IpEvent `revoked`). Every node's view (view.ts) sees it within
 *    egress.refreshEvery, stops the IP's queues and routes their mail again: through the tenant's pool.
 * With no notice period, the removal waits (at most egress.revocation.warningTimeout) until the
 * warning was delivered. Exports requestRevocation, completeRevocation, RevocationDeps, RevocationResult.
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../config/index.ts';
import { activeLessee, ErrorCodes, FerryError, hasActiveLease, newMessageId, parseDuration, type AcceptedMessage, type IpRecord } from '../domain/index.ts';
import { bundledDataFile } from '../platform/index.ts';
import type { Spool } from '../spool/index.ts';
import { mutateIp } from './inventory.ts';
import type { IpContext } from './leases.ts';

/** The spool's tenant id of Ferry's own mail (operator notices); it has no leases, so it sends through `shared`. */
export const SYSTEM_TENANT = 'system';

export interface RevocationDeps extends IpContext {
  readonly config: Config;
  readonly spool: Spool;
  /** Called after the removal, so this node stops the IP at once (the others follow on their refresh). */
  readonly applied?: () => Promise<void>;
}

export interface RevocationRequest {
  readonly reason: string;
  /** Overrides egress.revocation.noticePeriod; 0 = emergency. */
  readonly noticeMs?: number;
  readonly actor: string;
}

export interface RevocationResult {
  readonly ip: IpRecord;
  /** The warning's message id; absent when nobody leased the IP. */
  readonly warningMessageId?: string;
  /** `delivered` once a Delivery record exists for it; `pending` when the removal did not wait or the wait timed out. */
  readonly warning: 'delivered' | 'pending' | 'none';
}

const WARNING_POLL_MS = 100;

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole);
}

function warningMessage(deps: RevocationDeps, values: Record<string, string>, to: string): AcceptedMessage {
  const file = deps.config.egress.revocation.templateFile || bundledDataFile('templates/ip-revocation.txt');
  const text = fill(readFileSync(file, 'utf8'), values).replace(/\r?\n/g, '\r\n');
  const split = text.indexOf('\r\n\r\n');
  const subject = /^Subject: (.*)$/m.exec(text.slice(0, split))?.[1] ?? `Your sending IP ${values.ip} is being withdrawn`;
  const bodyText = split >= 0 ? text.slice(split + 4) : text;
  const sender = deps.config.egress.revocation.sender;
  const now = deps.now();
  const id = newMessageId(now);
  const head = [
    `From: ${sender}`, `To: ${to}`, `Subject: ${subject}`, `Date: ${new Date(now).toUTCString()}`,
    `Message-ID: <${id}@${deps.config.ingress.hostname}>`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8',
    'Auto-Submitted: auto-generated', `X-Ferry-Notice: ip-revocation ${values.ip}`,
  ].join('\r\n');
  const body = Buffer.from(`${head}\r\n\r\n${bodyText}`, 'utf8');
  return {
    id, tenantId: SYSTEM_TENANT, envelope: { mailFrom: sender, rcptTo: [to] }, fromDomain: sender.slice(sender.lastIndexOf('@') + 1).toLowerCase(),
    receivedAt: now, clientIp: '127.0.0.1', size: body.length, body,
  };
}

async function sendWarning(deps: RevocationDeps, ip: IpRecord, request: RevocationRequest, effectiveAt: number): Promise<string | undefined> {
  if (!hasActiveLease(ip)) return undefined;
  const tenant = await deps.state.getTenant(ip.lease.tenantId);
  if (!tenant) return undefined;
  if (!tenant.contactEmail) throw new FerryError(ErrorCodes.NO_CONTACT, `tenant ${tenant.name} has no contactEmail: set one before revoking (the warning is required)`);
  const message = warningMessage(deps, {
    tenant: tenant.name, ip: ip.address, reason: request.reason, effectiveAt: new Date(effectiveAt).toISOString(),
    pool: tenant.pool, reference: ip.lease.id, operator: deps.config.egress.revocation.sender,
  }, tenant.contactEmail);
  await deps.spool.accept(message, deps.now() + parseDuration(deps.config.delivery.maxQueueLifetime));
  await deps.state.appendOutcomes([{
    type: 'Reception', at: deps.now(), tenantId: SYSTEM_TENANT, messageId: message.id, recipients: message.envelope.rcptTo,
    mailFrom: message.envelope.mailFrom, size: message.size, clientIp: message.clientIp, reply: '250 queued (operator notice)',
  }]);
  return message.id;
}

async function warningDelivered(deps: RevocationDeps, messageId: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = await deps.state.readOutcomes({ messageId, types: ['Delivery'] });
    if (records.length > 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, WARNING_POLL_MS));
  }
}

/** The removal: lease ended, IP quarantined with the reason. Idempotent (a completed revocation is left alone). */
export async function completeRevocation(deps: RevocationDeps, address: string, actor: string): Promise<IpRecord | undefined> {
  const done = await mutateIp(deps.state, address, deps.now, (ip) => {
    if (!ip?.revocation || ip.revocation.completedAt !== undefined) return undefined;
    const now = deps.now();
    const lease = hasActiveLease(ip) ? { ...ip.lease, endedAt: now } : ip.lease;
    return {
      next: { ...ip, state: ip.state === 'retired' ? 'retired' : 'quarantined', stateReason: `revoked: ${ip.revocation.reason}`, ...(lease && { lease }), revocation: { ...ip.revocation, completedAt: now } },
      event: 'revoked', actor, detail: ip.revocation.reason, ...(ip.revocation.tenantId !== undefined && { tenantId: ip.revocation.tenantId }),
    };
  });
  await deps.applied?.();
  return done;
}

export async function requestRevocation(deps: RevocationDeps, address: string, request: RevocationRequest): Promise<RevocationResult> {
  if (request.reason.trim() === '') throw new FerryError(ErrorCodes.INVALID_INPUT, 'a revocation needs a reason');
  const ip = await deps.state.getIp(address);
  if (!ip) throw new FerryError(ErrorCodes.NOT_FOUND, `IP ${address} is not in the inventory`);
  if (ip.state === 'retired') throw new FerryError(ErrorCodes.IP_STATE, `IP ${address} is retired`);
  if (ip.revocation && ip.revocation.completedAt === undefined) throw new FerryError(ErrorCodes.IP_STATE, `IP ${address} already has a revocation pending (effective ${new Date(ip.revocation.effectiveAt).toISOString()})`);
  const noticeMs = request.noticeMs ?? parseDuration(deps.config.egress.revocation.noticePeriod);
  const requestedAt = deps.now();
  const effectiveAt = requestedAt + noticeMs;
  const tenantId = activeLessee(ip);
  const warningMessageId = await sendWarning(deps, ip, request, effectiveAt);
  await mutateIp(deps.state, address, deps.now, (current) => {
    if (!current) return undefined;
    const revocation = { requestedAt, effectiveAt, reason: request.reason, actor: request.actor, ...(tenantId !== undefined && { tenantId }), ...(warningMessageId !== undefined && { warningMessageId }) };
    const detail = `${request.reason}; effective ${new Date(effectiveAt).toISOString()}${warningMessageId ? `; warning ${warningMessageId}` : '; no lessee to warn'}`;
    return { next: { ...current, revocation }, event: 'revocation-requested', actor: request.actor, detail, ...(tenantId !== undefined && { tenantId }) };
  });
  if (noticeMs > 0) {
    return { ip: (await deps.state.getIp(address)) as IpRecord, ...(warningMessageId !== undefined && { warningMessageId }), warning: warningMessageId ? 'pending' : 'none' };
  }
  const delivered = warningMessageId ? await warningDelivered(deps, warningMessageId, parseDuration(deps.config.egress.revocation.warningTimeout)) : false;
  const done = (await completeRevocation(deps, address, request.actor)) as IpRecord;
  return { ip: done, ...(warningMessageId !== undefined && { warningMessageId }), warning: warningMessageId ? (delivered ? 'delivered' : 'pending') : 'none' };
}
