/**
 * API key operations: issueApiKey (a new `fy_…` key, returned once; only its sha256 is stored)
 * and revokeApiKey (NOT_FOUND for an unknown key id). Both record an AdminAction outcome; the
 * key itself never appears in a record or a log.
 */
import { ErrorCodes, FerryError, hashApiKey, newApiKey } from '../../domain/index.ts';
import type { ApiKeyRecord, Tenant } from '../../domain/index.ts';
import type { StateStore } from '../../state/index.ts';
import { recordAdminAction, resolveTenant, type OperationContext } from './tenants.ts';

export interface IssuedApiKey {
  /** The key in clear: show it once, it cannot be recovered. */
  readonly key: string;
  readonly record: ApiKeyRecord;
}

export async function issueApiKey(state: StateStore, tenant: string | Tenant, context: OperationContext = {}): Promise<IssuedApiKey> {
  const owner = await resolveTenant(state, tenant);
  const key = newApiKey();
  const record = await state.addApiKey(owner.id, hashApiKey(key));
  await recordAdminAction(state, context, { tenantId: owner.id, action: 'key.add', target: record.id });
  return { key, record };
}

export async function revokeApiKey(state: StateStore, keyId: string, context: OperationContext = {}): Promise<ApiKeyRecord> {
  const record = await state.revokeApiKey(keyId);
  if (!record) throw new FerryError(ErrorCodes.NOT_FOUND, `no API key with id "${keyId}"`);
  await recordAdminAction(state, context, { tenantId: record.tenantId, action: 'key.revoke', target: record.id });
  return record;
}

export async function listApiKeys(state: StateStore, tenant: string | Tenant): Promise<ApiKeyRecord[]> {
  return state.listApiKeys((await resolveTenant(state, tenant)).id);
}
