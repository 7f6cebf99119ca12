/**
 * `ferry pool list|set|delete`: IP pools with kind, tenant and weighted members, directly on
 * this node's store or through the admin API's /v1/pools routes with --api URL (same output).
 * `--member ADDR[:WEIGHT]` repeats; an address without a weight weighs 1.
 */
import { isIP } from 'node:net';
import { deletePool, listPoolRecords, setPool, POOL_KINDS, type PoolKind } from '../admin/operations/index.ts';
import type { PoolMember, PoolRecord } from '../domain/index.ts';
import { expectArgs, usageError } from './args.ts';
import type { CommandContext } from './context.ts';
import { runIpVerb } from './ip.ts';
import { poolTable } from './ip-format.ts';

const ACTOR = { actor: 'cli' };

/** `ADDR`, `ADDR:WEIGHT` or `[IPV6]:WEIGHT` (an IPv6 address alone is taken whole). */
export function parseMember(text: string): PoolMember {
  if (isIP(text) !== 0) return { address: text, weight: 1 };
  const split = text.lastIndexOf(':');
  const weight = text.slice(split + 1);
  if (split <= 0 || !/^[0-9]{1,4}$/.test(weight)) throw usageError(`--member "${text}": expected ADDR or ADDR:WEIGHT, e.g. 192.0.2.10:3 or [2001:db8::1]:3`);
  return { address: text.slice(0, split).replace(/^\[(.*)\]$/, '$1'), weight: Number(weight) };
}

export async function poolList(context: CommandContext): Promise<void> {
  expectArgs(context.rest, [], 'pool list');
  const pools = await runIpVerb<PoolRecord[]>(context, ['GET', '/v1/pools'], (ctx) => listPoolRecords(ctx));
  context.out.result(pools, () => poolTable(pools));
}

export async function poolSet(context: CommandContext): Promise<void> {
  const [name = ''] = expectArgs(context.rest, ['NAME'], 'pool set');
  const { members: texts, kind } = context.args.ip;
  if (texts.length === 0) throw usageError('pool set needs at least one --member ADDR[:WEIGHT]');
  if (kind !== undefined && !(POOL_KINDS as readonly string[]).includes(kind)) throw usageError(`--kind expects ${POOL_KINDS.join(', ')}`);
  const tenant = context.args.operator.tenant;
  const input = { members: texts.map(parseMember), ...(kind !== undefined && { kind: kind as PoolKind }), ...(tenant !== undefined && { tenant }) };
  const pool = await runIpVerb<PoolRecord>(context, ['PUT', `/v1/pools/${encodeURIComponent(name)}`, input], (ctx) => setPool(ctx, name, input, ACTOR));
  context.out.result(pool, () => poolTable([pool]));
}

export async function poolDelete(context: CommandContext): Promise<void> {
  const [name = ''] = expectArgs(context.rest, ['NAME'], 'pool delete');
  const deleted = await runIpVerb<{ deleted: string }>(context, ['DELETE', `/v1/pools/${encodeURIComponent(name)}`], (ctx) => deletePool(ctx, name, ACTOR));
  context.out.result(deleted, () => [`deleted pool ${deleted.deleted}`]);
}
