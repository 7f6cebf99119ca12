/**
 * `ferry key …` commands: add (prints the new key once; only its hash is stored), list (ids and
 * dates, never keys or hashes), revoke. Thin shells over src/admin/operations, or over the admin
 * API with --api URL (same output). Also exports keyFromApi (the API's key view → the CLI's).
 */
import { issueApiKey, listApiKeys, revokeApiKey } from '../admin/operations/index.ts';
import type { ApiKeyRecord } from '../domain/index.ts';
import { expectArgs } from './args.ts';
import { withState, type CommandContext } from './context.ts';
import { callApi, viaApi } from './node-access.ts';
import { publicKeyRecord, table } from './output.ts';

const ACTOR = { actor: 'cli' };

/** The admin API's key view (epoch-ms dates, revokedAt null when live). */
export interface ApiKeyView {
  readonly id: string;
  readonly tenantId: string;
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

export function keyFromApi(view: ApiKeyView): ReturnType<typeof publicKeyRecord> {
  const record = { id: view.id, tenantId: view.tenantId, createdAt: view.createdAt, ...(view.revokedAt !== null && { revokedAt: view.revokedAt }) };
  return publicKeyRecord(record as ApiKeyRecord);
}

const tenantPath = (ref: string) => `/v1/tenants/${encodeURIComponent(ref)}`;

async function issue(context: CommandContext, ref: string): Promise<{ key: string; record: ReturnType<typeof publicKeyRecord> }> {
  if (!viaApi(context)) {
    const issued = await withState(context, (state) => issueApiKey(state, ref, ACTOR));
    return { key: issued.key, record: publicKeyRecord(issued.record) };
  }
  const answer = await callApi<ApiKeyView & { key: string }>(context, 'POST', `${tenantPath(ref)}/keys`);
  return { key: answer.key, record: keyFromApi(answer) };
}

export async function fetchKeys(context: CommandContext, ref: string): Promise<ReturnType<typeof publicKeyRecord>[]> {
  if (!viaApi(context)) return (await withState(context, (state) => listApiKeys(state, ref))).map(publicKeyRecord);
  return (await callApi<ApiKeyView[]>(context, 'GET', `${tenantPath(ref)}/keys`)).map(keyFromApi);
}

export async function keyAdd(context: CommandContext): Promise<void> {
  const [ref = ''] = expectArgs(context.rest, ['T'], 'key add');
  const { key, record } = await issue(context, ref);
  context.out.result({ ...record, key }, () => [
    `key id:  ${record.id}`,
    `api key: ${key}`,
    'The key is shown only now; Ferry stores only its hash. Use it as the SMTP AUTH password.',
  ]);
}

export async function keyList(context: CommandContext): Promise<void> {
  const [ref = ''] = expectArgs(context.rest, ['T'], 'key list');
  const keys = await fetchKeys(context, ref);
  context.out.result(keys, () =>
    keys.length === 0
      ? ['no keys']
      : table([['ID', 'CREATED', 'REVOKED'], ...keys.map((k) => [k.id, k.createdAt, k.revokedAt ?? '-'])]),
  );
}

export async function keyRevoke(context: CommandContext): Promise<void> {
  const [keyId = ''] = expectArgs(context.rest, ['KEYID'], 'key revoke');
  const record = viaApi(context)
    ? keyFromApi(await callApi<ApiKeyView>(context, 'DELETE', `/v1/keys/${encodeURIComponent(keyId)}`))
    : publicKeyRecord(await withState(context, (state) => revokeApiKey(state, keyId, ACTOR)));
  context.out.result(record, () => [`revoked ${record.id} at ${record.revokedAt}`]);
}
