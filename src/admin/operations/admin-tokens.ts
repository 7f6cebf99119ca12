/**
 * Admin API token operations shared by `ferry admin token …` and the API itself: issue (the
 * token is returned once; only its hash is stored), list (never hashes), revoke. Each change
 * writes one AdminAction record. Exports issueAdminToken, listAdminTokens, revokeAdminToken,
 * publicAdminToken.
 */
import { ErrorCodes, FerryError, newAdminToken, parseScopes, type AdminTokenRecord } from '../../domain/index.ts';
import type { StateStore } from '../../state/index.ts';
import { recordAdminAction, type OperationContext } from './tenants.ts';

export function publicAdminToken(record: AdminTokenRecord) {
  return {
    id: record.id,
    name: record.name,
    scopes: [...record.scopes],
    createdAt: new Date(record.createdAt).toISOString(),
    revokedAt: record.revokedAt === undefined ? null : new Date(record.revokedAt).toISOString(),
  };
}

export async function issueAdminToken(state: StateStore, name: string, scopes: string, context: OperationContext = {}) {
  const trimmed = name.trim();
  if (!/^[\w.@-]{1,64}$/.test(trimmed)) throw new FerryError(ErrorCodes.INVALID_INPUT, 'name: 1-64 characters of letters, digits, . _ @ -');
  const { token, record } = newAdminToken(trimmed, parseScopes(scopes));
  await state.addAdminToken(record);
  await recordAdminAction(state, context, { tenantId: '*', action: 'admin-token.add', target: record.id, reason: `${trimmed}: ${record.scopes.join(',')}` });
  return { token, record: publicAdminToken(record) };
}

export async function listAdminTokens(state: StateStore) {
  return (await state.listAdminTokens()).map(publicAdminToken);
}

export async function revokeAdminToken(state: StateStore, id: string, context: OperationContext = {}) {
  const revoked = await state.revokeAdminToken(id);
  if (!revoked) throw new FerryError(ErrorCodes.NOT_FOUND, `no admin token ${id}`);
  await recordAdminAction(state, context, { tenantId: '*', action: 'admin-token.revoke', target: id });
  return publicAdminToken(revoked);
}
