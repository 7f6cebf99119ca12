/**
 * `ferry key …` commands: add (prints the new key once; only its hash is stored), list (ids and
 * dates, never keys or hashes), revoke. Thin shells over src/admin/operations.
 */
import { issueApiKey, listApiKeys, revokeApiKey } from '../admin/operations/index.ts';
import { expectArgs } from './args.ts';
import { withState, type CommandContext } from './context.ts';
import { publicKeyRecord, table } from './output.ts';

const ACTOR = { actor: 'cli' };

export async function keyAdd(context: CommandContext): Promise<void> {
  const [ref = ''] = expectArgs(context.rest, ['T'], 'key add');
  const { key, record } = await withState(context, (state) => issueApiKey(state, ref, ACTOR));
  context.out.result({ ...publicKeyRecord(record), key }, () => [
    `key id:  ${record.id}`,
    `api key: ${key}`,
    'The key is shown only now; Ferry stores only its hash. Use it as the SMTP AUTH password.',
  ]);
}

export async function keyList(context: CommandContext): Promise<void> {
  const [ref = ''] = expectArgs(context.rest, ['T'], 'key list');
  const keys = (await withState(context, (state) => listApiKeys(state, ref))).map(publicKeyRecord);
  context.out.result(keys, () =>
    keys.length === 0
      ? ['no keys']
      : table([['ID', 'CREATED', 'REVOKED'], ...keys.map((k) => [k.id, k.createdAt, k.revokedAt ?? '-'])]),
  );
}

export async function keyRevoke(context: CommandContext): Promise<void> {
  const [keyId = ''] = expectArgs(context.rest, ['KEYID'], 'key revoke');
  const record = publicKeyRecord(await withState(context, (state) => revokeApiKey(state, keyId, ACTOR)));
  context.out.result(record, () => [`revoked ${record.id} at ${record.revokedAt}`]);
}
