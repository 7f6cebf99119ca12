/**
 * `ferry tenant …` commands: add, list, show, suspend, resume, relay-networks. Each is a thin
 * shell over src/admin/operations (the same code the admin API runs) plus printing.
 */
import { addTenant, listApiKeys, listDomains, resolveTenant, setRelayNetworks, setTenantStatus } from '../admin/operations/index.ts';
import type { Tenant } from '../domain/index.ts';
import { expectArgs, usageError } from './args.ts';
import { withState, type CommandContext } from './context.ts';
import { publicDomain, publicKeyRecord, table, tenantLine } from './output.ts';

const ACTOR = { actor: 'cli' };

function printTenant(context: CommandContext, tenant: Tenant): void {
  context.out.result(tenant, () => [tenantLine(tenant)]);
}

export async function tenantAdd(context: CommandContext): Promise<void> {
  const [name = ''] = expectArgs(context.rest, ['NAME'], 'tenant add');
  const tenant = await withState(context, (state) => addTenant(state, name, ACTOR));
  context.out.result(tenant, () => [tenant.id]);
}

export async function tenantList(context: CommandContext): Promise<void> {
  expectArgs(context.rest, [], 'tenant list');
  const tenants = await withState(context, (state) => state.listTenants());
  context.out.result(tenants, () =>
    tenants.length === 0
      ? ['no tenants']
      : table([['ID', 'NAME', 'STATUS', 'POOL'], ...tenants.map((x) => [x.id, x.name, x.status, x.pool])]),
  );
}

export async function tenantShow(context: CommandContext): Promise<void> {
  const [ref = ''] = expectArgs(context.rest, ['T'], 'tenant show');
  const view = await withState(context, async (state) => {
    const tenant = await resolveTenant(state, ref);
    const keys = await listApiKeys(state, tenant);
    const domains = await listDomains(state, tenant);
    return { tenant, apiKeys: keys.map(publicKeyRecord), domains: domains.map(publicDomain) };
  });
  context.out.result(view, () => [
    tenantLine(view.tenant),
    `created ${new Date(view.tenant.createdAt).toISOString()}`,
    `api keys: ${view.apiKeys.map((k) => (k.revokedAt ? `${k.id} (revoked)` : k.id)).join(', ') || 'none'}`,
    `domains: ${view.domains.map((d) => d.domain).join(', ') || 'none'}`,
  ]);
}

export async function tenantSuspend(context: CommandContext): Promise<void> {
  const [ref = ''] = expectArgs(context.rest, ['T'], 'tenant suspend');
  if (context.args.reason === undefined || context.args.reason.trim() === '') throw usageError('tenant suspend needs --reason R');
  const reason = context.args.reason;
  printTenant(context, await withState(context, (state) => setTenantStatus(state, ref, 'suspended', reason, ACTOR)));
}

export async function tenantResume(context: CommandContext): Promise<void> {
  const [ref = ''] = expectArgs(context.rest, ['T'], 'tenant resume');
  printTenant(context, await withState(context, (state) => setTenantStatus(state, ref, 'active', undefined, ACTOR)));
}

export async function tenantRelayNetworks(context: CommandContext): Promise<void> {
  const [ref, ...networks] = context.rest;
  if (ref === undefined) throw usageError('tenant relay-networks expects T CIDR... (or T --clear)');
  if (networks.length === 0 && !context.args.clear) throw usageError('tenant relay-networks expects at least one CIDR, or --clear');
  if (networks.length > 0 && context.args.clear) throw usageError('tenant relay-networks: give CIDRs or --clear, not both');
  printTenant(context, await withState(context, (state) => setRelayNetworks(state, ref, networks, ACTOR)));
}
