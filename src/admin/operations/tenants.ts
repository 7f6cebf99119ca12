/**
 * Tenant operations shared by the `ferry` CLI and the admin API: addTenant, resolveTenant,
 * setTenantStatus, setRelayNetworks. Inputs are validated here (clear MTA_ERR_INVALID_INPUT);
 * every change is followed by one AdminAction outcome record naming the actor, so the outcome
 * stream tells who suspended whom and why.
 */
import { ErrorCodes, FerryError, IP_FALLBACKS } from '../../domain/index.ts';
import type { IpFallback, Tenant, TenantStatus } from '../../domain/index.ts';
import type { StateStore } from '../../state/index.ts';
import { validateCidr, validateContactEmail, validateTenantName } from './validate.ts';

/** Who performed an operation (`cli`, `admin-api:<user>`); recorded in AdminAction outcomes. */
export interface OperationContext {
  readonly actor?: string;
}

export async function recordAdminAction(
  state: StateStore,
  context: OperationContext,
  action: { tenantId: string; action: string; target: string; reason?: string },
): Promise<void> {
  await state.appendOutcomes([{ type: 'AdminAction', at: Date.now(), actor: context.actor ?? 'admin', ...action }]);
}

/** A tenant by id or name, or MTA_ERR_NOT_FOUND. */
export async function resolveTenant(state: StateStore, tenant: string | Tenant): Promise<Tenant> {
  if (typeof tenant !== 'string') return tenant;
  const found = await state.getTenant(tenant);
  if (!found) throw new FerryError(ErrorCodes.NOT_FOUND, `no tenant with id or name "${tenant}"`);
  return found;
}

/** Optional settings of a new tenant (defaults: no contact email, ipFallback `pool`). */
export interface TenantSettings {
  readonly contactEmail?: string;
  readonly ipFallback?: IpFallback;
}

export async function addTenant(state: StateStore, name: string, context: OperationContext = {}, settings: TenantSettings = {}): Promise<Tenant> {
  if (settings.ipFallback !== undefined && !IP_FALLBACKS.includes(settings.ipFallback)) {
    throw new FerryError(ErrorCodes.INVALID_INPUT, `ipFallback "${String(settings.ipFallback)}": expected ${IP_FALLBACKS.join(' or ')}`);
  }
  const tenant = await state.createTenant({
    name: validateTenantName(name),
    ...(settings.contactEmail === undefined ? {} : { contactEmail: validateContactEmail(settings.contactEmail) }),
    ...(settings.ipFallback === undefined ? {} : { ipFallback: settings.ipFallback }),
  });
  await recordAdminAction(state, context, { tenantId: tenant.id, action: 'tenant.add', target: tenant.id });
  return tenant;
}

export async function setTenantStatus(
  state: StateStore,
  tenant: string | Tenant,
  status: TenantStatus,
  reason?: string,
  context: OperationContext = {},
): Promise<Tenant> {
  if (status !== 'active' && (reason === undefined || reason.trim() === '')) {
    throw new FerryError(ErrorCodes.INVALID_INPUT, `a reason is required to set a tenant ${status}`);
  }
  const current = await resolveTenant(state, tenant);
  const updated = await state.setTenantStatus(current.id, status, status === 'active' ? undefined : reason?.trim());
  const action = status === 'active' ? 'tenant.resume' : `tenant.${status === 'suspended' ? 'suspend' : 'close'}`;
  await recordAdminAction(state, context, {
    tenantId: current.id,
    action,
    target: current.id,
    ...(updated.statusReason === undefined ? {} : { reason: updated.statusReason }),
  });
  return updated;
}

/** Networks whose clients are this tenant without AUTH; an empty list turns the mode off. */
export async function setRelayNetworks(
  state: StateStore,
  tenant: string | Tenant,
  networks: readonly string[],
  context: OperationContext = {},
): Promise<Tenant> {
  const normalised = [...new Set(networks.map(validateCidr))];
  const current = await resolveTenant(state, tenant);
  const updated = await state.updateTenant(current.id, { relayNetworks: normalised });
  await recordAdminAction(state, context, {
    tenantId: current.id,
    action: 'tenant.relay-networks',
    target: current.id,
    reason: normalised.length > 0 ? normalised.join(',') : 'cleared',
  });
  return updated;
}
