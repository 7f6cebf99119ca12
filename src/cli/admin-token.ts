/**
 * `ferry admin token add --name N --scopes read,queues`, `… list`, `… revoke ID`: bearer tokens
 * for the admin API. Always direct on the state store (this is how the first token is made).
 * The token is printed once; only its sha256 is stored.
 */
import { issueAdminToken, listAdminTokens, revokeAdminToken } from '../admin/operations/index.ts';
import { expectArgs, usageError } from './args.ts';
import { withState, type CommandContext } from './context.ts';
import { table } from './output.ts';

const ACTOR = { actor: 'cli' };

async function add(context: CommandContext): Promise<void> {
  const { name, scopes } = context.args.operator;
  if (name === undefined || scopes === undefined) throw usageError('admin token add needs --name N --scopes S');
  const issued = await withState(context, (state) => issueAdminToken(state, name, scopes, ACTOR));
  context.out.result(issued, () => [
    `token id: ${issued.record.id} (${issued.record.scopes.join(',')})`,
    `token:    ${issued.token}`,
    'Shown only now; Ferry stores only its hash. Send it as `Authorization: Bearer <token>`.',
  ]);
}

async function list(context: CommandContext): Promise<void> {
  const tokens = await withState(context, (state) => listAdminTokens(state));
  context.out.result(tokens, () =>
    tokens.length === 0 ? ['no admin tokens'] : table([['ID', 'NAME', 'SCOPES', 'CREATED', 'REVOKED'], ...tokens.map((t) => [t.id, t.name, t.scopes.join(','), t.createdAt, t.revokedAt ?? '-'])]),
  );
}

async function revoke(context: CommandContext): Promise<void> {
  const [, id = ''] = expectArgs(context.rest, ['revoke', 'ID'], 'admin token revoke');
  const token = await withState(context, (state) => revokeAdminToken(state, id, ACTOR));
  context.out.result(token, () => [`revoked ${token.id} at ${token.revokedAt}`]);
}

export async function adminTokenCommand(context: CommandContext): Promise<void> {
  const [verb] = context.rest;
  if (verb === 'add') return add(context);
  if (verb === 'list') return list(context);
  if (verb === 'revoke') return revoke(context);
  throw usageError('admin token expects add, list or revoke');
}
