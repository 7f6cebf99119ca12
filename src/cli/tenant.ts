/**
 * `ferry tenant …` commands: add, list, show, suspend, close, resume, relay-networks (update: tenant-update.ts). Each is a thin
 * shell over src/admin/operations (the same code the admin API runs) plus printing; with
 * --api URL the same verbs go through the admin API's /v1/tenants routes (same output).
 */
import { addTenant, listApiKeys, listDomains, resolveTenant, setRelayNetworks, setTenantStatus } from '../admin/operations/index.ts';
import type { Tenant } from '../domain/index.ts';
import { expectArgs, usageError } from './args.ts';
import { withState, type CommandContext } from './context.ts';
import { fetchDomains } from './domain.ts';
import { fetchKeys } from './key.ts';
import { callApi, viaApi } from './node-access.ts';
import { publicDomain, publicKeyRecord, table, tenantLine } from './output.ts';
import { tenantSettingsLines } from './tenant-update.ts';

const ACTOR = { actor: 'cli' };

const tenantPath = (ref: string) => `/v1/tenants/${encodeURIComponent(ref)}`;

const STATUS_OF = { suspend: 'suspended', close: 'closed', resume: 'active' } as const;

async function changeStatus(context: CommandContext, ref: string, verb: keyof typeof STATUS_OF, reason: string | undefined): Promise<Tenant> {
  if (viaApi(context)) return callApi<Tenant>(context, 'POST', `${tenantPath(ref)}/${verb}`, reason === undefined ? undefined : { reason });
  return withState(context, (state) => setTenantStatus(state, ref, STATUS_OF[verb], reason, ACTOR));
}

async function showView(context: CommandContext, ref: string) {
  if (!viaApi(context)) {
    return withState(context, async (state) => {
      const tenant = await resolveTenant(state, ref);
      const keys = await listApiKeys(state, tenant);
      const domains = await listDomains(state, tenant);
      return { tenant, apiKeys: keys.map(publicKeyRecord), domains: domains.map(publicDomain) };
    });
  }
  const tenant = await callApi<Tenant>(context, 'GET', tenantPath(ref));
  return { tenant, apiKeys: await fetchKeys(context, tenant.id), domains: await fetchDomains(context, tenant.id) };
}

function printTenant(context: CommandContext, tenant: Tenant): void {
  context.out.result(tenant, () => [tenantLine(tenant)]);
}

export async function tenantAdd(context: CommandContext): Promise<void> {
  const [name = ''] = expectArgs(context.rest, ['NAME'], 'tenant add');
  const tenant = viaApi(context)
    ? await callApi<Tenant>(context, 'POST', '/v1/tenants', { name })
    : await withState(context, (state) => addTenant(state, name, ACTOR));
  context.out.result(tenant, () => [tenant.id]);
}

export async function tenantList(context: CommandContext): Promise<void> {
  expectArgs(context.rest, [], 'tenant list');
  const tenants = viaApi(context) ? await callApi<Tenant[]>(context, 'GET', '/v1/tenants') : await withState(context, (state) => state.listTenants());
  context.out.result(tenants, () =>
    tenants.length === 0
      ? ['no tenants']
      : table([['ID', 'NAME', 'STATUS', 'POOL'], ...tenants.map((x) => [x.id, x.name, x.status, x.pool])]),
  );
}

export async function tenantShow(context: CommandContext): Promise<void> {
  const [ref = ''] = expectArgs(context.rest, ['T'], 'tenant show');
  const view = await showView(context, ref);
  context.out.result(view, () => [
    tenantLine(view.tenant),
    `created ${new Date(view.tenant.createdAt).toISOString()}`,
    ...tenantSettingsLines(view.tenant),
    `api keys: ${view.apiKeys.map((k) => (k.revokedAt ? `${k.id} (revoked)` : k.id)).join(', ') || 'none'}`,
    `domains: ${view.domains.map((d) => d.domain).join(', ') || 'none'}`,
  ]);
}

async function withReason(context: CommandContext, verb: 'suspend' | 'close'): Promise<void> {
  const [ref = ''] = expectArgs(context.rest, ['T'], `tenant ${verb}`);
  if (context.args.reason === undefined || context.args.reason.trim() === '') throw usageError(`tenant ${verb} needs --reason R`);
  printTenant(context, await changeStatus(context, ref, verb, context.args.reason));
}

export async function tenantSuspend(context: CommandContext): Promise<void> {
  await withReason(context, 'suspend');
}

/** Closes the account for good (its mail is refused with 550 5.7.1); data retention is not touched. */
export async function tenantClose(context: CommandContext): Promise<void> {
  await withReason(context, 'close');
}

export async function tenantResume(context: CommandContext): Promise<void> {
  const [ref = ''] = expectArgs(context.rest, ['T'], 'tenant resume');
  printTenant(context, await changeStatus(context, ref, 'resume', undefined));
}

export async function tenantRelayNetworks(context: CommandContext): Promise<void> {
  const [ref, ...networks] = context.rest;
  if (ref === undefined) throw usageError('tenant relay-networks expects T CIDR... (or T --clear)');
  if (networks.length === 0 && !context.args.clear) throw usageError('tenant relay-networks expects at least one CIDR, or --clear');
  if (networks.length > 0 && context.args.clear) throw usageError('tenant relay-networks: give CIDRs or --clear, not both');
  const tenant = viaApi(context)
    ? await callApi<Tenant>(context, 'PATCH', tenantPath(ref), { relayNetworks: networks })
    : await withState(context, (state) => setRelayNetworks(state, ref, networks, ACTOR));
  printTenant(context, tenant);
}
