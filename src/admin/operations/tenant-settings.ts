/**
 * updateTenantSettings: the one way the CLI (`ferry tenant update`) and the admin API (PATCH
 * /v1/tenants/:tenant) change a tenant's pool, contact email, IP fallback, own limits and own
 * content policy. `limits` / `contentPolicy` are validated against the config schemas they mirror
 * (tenantLimits.overrides entry, filter.tenants entry; unknown keys refused); `null` clears one.
 * Validation runs before any write; the change is followed by one AdminAction record.
 */
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { FilterTenantSchema, TenantLimitOverridesSchema } from '../../config/index.ts';
import { ErrorCodes, FerryError, IP_FALLBACKS } from '../../domain/index.ts';
import type { IpFallback, Tenant, TenantContentPolicy, TenantLimitOverrides } from '../../domain/index.ts';
import type { StateStore, TenantPatch } from '../../state/index.ts';
import { recordAdminAction, resolveTenant, type OperationContext } from './tenants.ts';
import { validateContactEmail } from './validate.ts';

export interface TenantSettingsPatch {
  readonly pool?: string;
  readonly contactEmail?: string;
  readonly ipFallback?: IpFallback;
  /** Replaces the tenant's own limits; `null` clears them (config limits apply again). */
  readonly limits?: TenantLimitOverrides | null;
  /** Replaces the tenant's own content policy; `null` clears it (config policy applies again). */
  readonly contentPolicy?: TenantContentPolicy | null;
}

function invalid(message: string): FerryError {
  return new FerryError(ErrorCodes.INVALID_INPUT, message);
}

/** The value when it matches the schema; else MTA_ERR_INVALID_INPUT naming the first wrong path. */
function checked<T>(schema: TSchema, value: unknown, field: string): T {
  if (Value.Check(schema, value)) return value as T;
  const first = Value.Errors(schema, value).First();
  throw invalid(`${field}${first?.path ?? ''}: ${first?.message ?? 'invalid value'}`);
}

/** The patch as the store takes it, every field validated and normalised. */
export function validateSettingsPatch(patch: TenantSettingsPatch): TenantPatch {
  const known = new Set(['pool', 'contactEmail', 'ipFallback', 'limits', 'contentPolicy']);
  const unknown = Object.keys(patch).filter((key) => !known.has(key));
  if (unknown.length > 0) throw invalid(`unknown tenant setting(s): ${unknown.join(', ')}`);
  const { pool, contactEmail, ipFallback, limits, contentPolicy } = patch;
  if (pool !== undefined && (typeof pool !== 'string' || pool.trim() === '' || pool.length > 64)) throw invalid('pool: expected a pool name of 1-64 characters');
  if (ipFallback !== undefined && !IP_FALLBACKS.includes(ipFallback)) throw invalid(`ipFallback "${String(ipFallback)}": expected ${IP_FALLBACKS.join(' or ')}`);
  const valid: TenantPatch = {
    ...(pool === undefined ? {} : { pool: pool.trim() }),
    ...(contactEmail === undefined ? {} : { contactEmail: validateContactEmail(contactEmail) }),
    ...(ipFallback === undefined ? {} : { ipFallback }),
    ...(limits === undefined ? {} : { limits: limits === null ? null : checked<TenantLimitOverrides>(TenantLimitOverridesSchema, limits, 'limits') }),
    ...(contentPolicy === undefined ? {} : { contentPolicy: contentPolicy === null ? null : checked<TenantContentPolicy>(FilterTenantSchema, contentPolicy, 'contentPolicy') }),
  };
  if (Object.keys(valid).length === 0) throw invalid('nothing to update: give at least one setting');
  return valid;
}

export async function updateTenantSettings(
  state: StateStore,
  tenant: string | Tenant,
  patch: TenantSettingsPatch,
  context: OperationContext = {},
): Promise<Tenant> {
  const valid = validateSettingsPatch(patch);
  const current = await resolveTenant(state, tenant);
  const updated = await state.updateTenant(current.id, valid);
  await recordAdminAction(state, context, { tenantId: current.id, action: 'tenant.update', target: current.id, reason: JSON.stringify(valid) });
  return updated;
}
