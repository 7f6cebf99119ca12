/**
 * The operator's verbs on IP pools, shared by the admin API (/v1/pools…) and `ferry pool …`:
 * list, set (replace a pool with weighted members, each an IP of the inventory), delete.
 * `shared` (every tenant's default) is always kind `shared` and cannot be deleted; a pool a
 * tenant sends through cannot be deleted either. Each change writes one AdminAction record.
 */
import { ErrorCodes, FerryError, type PoolMember, type PoolRecord } from '../../domain/index.ts';
import { DEFAULT_POOL, type IpContext } from '../../egress/index.ts';
import { recordAdminAction, resolveTenant, type OperationContext } from './tenants.ts';
import { validateIpAddress } from './ips.ts';

export const POOL_KINDS = ['shared', 'tenant', 'custom'] as const;
export type PoolKind = (typeof POOL_KINDS)[number];

export interface PoolInput {
  readonly kind?: PoolKind;
  /** Tenant id or name, for kind `tenant` only. */
  readonly tenant?: string;
  readonly members: readonly PoolMember[];
}

const POOL_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const MAX_WEIGHT = 1000;

function invalid(message: string): FerryError {
  return new FerryError(ErrorCodes.INVALID_INPUT, message);
}

export function validatePoolName(name: string): string {
  if (!POOL_NAME.test(name)) throw invalid(`pool name "${name}": use 1-64 characters a-z 0-9 - starting with a letter or digit`);
  return name;
}

export async function listPoolRecords(ctx: IpContext): Promise<PoolRecord[]> {
  return ctx.state.listPools();
}

async function checkedMembers(ctx: IpContext, members: readonly PoolMember[]): Promise<PoolMember[]> {
  if (members.length === 0) throw invalid('a pool needs at least one member');
  const seen = new Set<string>();
  const checked: PoolMember[] = [];
  for (const member of members) {
    const address = validateIpAddress(member.address);
    if (!Number.isInteger(member.weight) || member.weight < 0 || member.weight > MAX_WEIGHT) throw invalid(`member ${address}: weight must be an integer 0-${MAX_WEIGHT}`);
    if (seen.has(address)) throw invalid(`member ${address} is listed twice`);
    if (!(await ctx.state.getIp(address))) throw invalid(`member ${address} is not in the inventory (add it first: ferry ip add)`);
    seen.add(address);
    checked.push({ address, weight: member.weight });
  }
  return checked;
}

/** Creates or replaces the pool. Kind defaults to `shared` for `shared`, `tenant` with a tenant, else `custom`. */
export async function setPool(ctx: IpContext, input: string, pool: PoolInput, context: OperationContext): Promise<PoolRecord> {
  const name = validatePoolName(input);
  const kind = pool.kind ?? (name === DEFAULT_POOL ? 'shared' : pool.tenant === undefined ? 'custom' : 'tenant');
  if (!POOL_KINDS.includes(kind)) throw invalid(`pool kind "${String(kind)}": expected ${POOL_KINDS.join(', ')}`);
  if ((name === DEFAULT_POOL) !== (kind === 'shared')) throw invalid(`pool ${name}: only the pool named ${DEFAULT_POOL} is of kind shared`);
  if ((kind === 'tenant') !== (pool.tenant !== undefined)) throw invalid(`pool ${name}: a tenant is given for kind tenant, and only for it`);
  const tenant = pool.tenant === undefined ? undefined : await resolveTenant(ctx.state, pool.tenant);
  const members = await checkedMembers(ctx, pool.members);
  const record: PoolRecord = { name, kind, ...(tenant && { tenantId: tenant.id }), members, updatedAt: ctx.now() };
  const saved = await ctx.state.putPool(record);
  await recordAdminAction(ctx.state, context, {
    tenantId: tenant?.id ?? '*', action: 'pool.set', target: name, reason: `${kind}: ${members.map((m) => `${m.address}:${m.weight}`).join(' ')}`,
  });
  return saved;
}

export async function deletePool(ctx: IpContext, input: string, context: OperationContext): Promise<{ deleted: string }> {
  const name = validatePoolName(input);
  if (name === DEFAULT_POOL) throw invalid(`pool ${DEFAULT_POOL} is every tenant's default and cannot be deleted`);
  const pool = await ctx.state.getPool(name);
  if (!pool) throw new FerryError(ErrorCodes.NOT_FOUND, `no pool ${name}`);
  const users = (await ctx.state.listTenants()).filter((tenant) => tenant.pool === name && tenant.status !== 'closed');
  if (users.length > 0) throw new FerryError(ErrorCodes.STATE_CONFLICT, `pool ${name} is used by tenant(s) ${users.map((u) => u.name).join(', ')}: move them first`);
  await ctx.state.deletePool(name);
  await recordAdminAction(ctx.state, context, { tenantId: pool.tenantId ?? '*', action: 'pool.delete', target: name });
  return { deleted: name };
}
