/**
 * SMTP AUTH credentials → tenant (ARCHITECTURE.md §1.1). The password is an API key; it is
 * hashed (sha256) and looked up; a revoked or unknown key fails. The username names the tenant
 * (its id or its name) and must match the key's tenant, or is the literal `apikey` (the key
 * alone decides). Exports authenticate(). Never logs or returns the key; a store error throws
 * (the caller turns it into 451 4.3.0, never into an accept).
 */
import { ACCEPT, hashApiKey, refuse, type Verdict } from '../domain/index.ts';
import type { StateStore } from '../state/index.ts';

export interface AuthResult {
  readonly verdict: Verdict;
  /** Set when the verdict accepts. */
  readonly tenantId?: string;
  readonly keyId?: string;
}

const FAILED: AuthResult = Object.freeze({ verdict: refuse('auth.failed') });

/** The literal username that lets the API key alone identify the tenant. */
export const API_KEY_USERNAME = 'apikey';

export async function authenticate(state: StateStore, username: string, password: string): Promise<AuthResult> {
  if (!password) return FAILED;
  const key = await state.findApiKeyByHash(hashApiKey(password));
  if (!key || key.revokedAt !== undefined) return FAILED;
  const name = username.trim();
  if (name.toLowerCase() !== API_KEY_USERNAME) {
    if (!name) return FAILED;
    const tenant = await state.getTenant(name);
    if (!tenant || tenant.id !== key.tenantId) return FAILED;
  }
  return { verdict: ACCEPT, tenantId: key.tenantId, keyId: key.id };
}
