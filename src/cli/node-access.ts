/**
 * How operator commands reach their data: directly on this node's LMDB env (the state store
 * and the spool a running relay uses — LMDB is multi-process safe), or through a running
 * relay's admin API when `--api URL` is given. Exports withNode, callApi, viaApi.
 * withNode always closes the spool, the store and the env before returning.
 */
import { ErrorCodes, FerryError, type ErrorCode } from '../domain/index.ts';
import { openLocalDatabase } from '../platform/index.ts';
import { openSpool, type Spool } from '../spool/index.ts';
import type { StateStore } from '../state/index.ts';
import { openCliState, type CommandContext } from './context.ts';

export interface NodeAccess {
  readonly state: StateStore;
  readonly spool: Spool;
}

export async function withNode<T>(context: CommandContext, body: (node: NodeAccess) => Promise<T>): Promise<T> {
  const db = openLocalDatabase(context.config.dataDir);
  try {
    const state = await openCliState(context, db);
    const spool = openSpool(db);
    try {
      return await body({ state, spool });
    } finally {
      await spool.close();
      await state.close();
    }
  } finally {
    await db.close();
  }
}

export function viaApi(context: CommandContext): boolean {
  return context.args.operator.api !== undefined;
}

const API_TIMEOUT_MS = 30_000;

function knownCode(code: unknown): ErrorCode {
  return (Object.values(ErrorCodes) as string[]).includes(String(code)) ? (code as ErrorCode) : ErrorCodes.INTERNAL;
}

/** One admin API call; an error answer becomes the FerryError it carries (same code). */
export async function callApi<T>(context: CommandContext, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const { api, token } = context.args.operator;
  if (api === undefined) throw new FerryError(ErrorCodes.USAGE, 'no --api URL given');
  if (token === undefined) throw new FerryError(ErrorCodes.USAGE, '--api needs --token T (or FERRYCTL_TOKEN)');
  let response: Response;
  try {
    response = await fetch(new URL(path, api), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(API_TIMEOUT_MS),
    });
  } catch (cause) {
    throw new FerryError(ErrorCodes.STATE_UNAVAILABLE, `admin API ${api} unreachable: ${(cause as Error).message}`, { cause });
  }
  const payload = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
  if (!response.ok) {
    const error = payload?.error;
    throw new FerryError(knownCode(error?.code), `admin API ${response.status}: ${error?.message ?? response.statusText}`);
  }
  return payload as T;
}


