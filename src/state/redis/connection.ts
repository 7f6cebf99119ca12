/**
 * The Redis connection of the state store. Exports RedisConnection (open, run a script, call a
 * command, close), the script names and RedisStateSettings.
 * Fail fast, recover alone: no offline queue and no resend after a reconnect (a command either
 * reaches Redis now or fails with MTA_ERR_STATE_UNAVAILABLE within commandTimeout, never hangs
 * and never runs twice), while ioredis keeps reconnecting in the background (backoff ≤ 1 s).
 * Scripts (scripts/*.lua, each prefixed with _prelude.lua) are registered with defineCommand;
 * ioredis sends EVALSHA and falls back to EVAL after a restart emptied the script cache.
 */
import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';
import { ErrorCodes, FerryError } from '../../domain/index.ts';

export const SCRIPT_NAMES = [
  'credits_get',
  'credits_add',
  'credits_reserve',
  'credits_commit',
  'credits_release',
  'refill_claim',
  'refill_finish',
  'rate_gcra',
  'lease_acquire',
  'daily_increment',
  'tenant_create',
  'hash_patch',
  'apikey_add',
  'apikey_revoke',
  'admin_token_add',
  'domain_add',
  'domain_keys_replace',
  'outcomes_append',
  'outcomes_read',
  'suppression_add',
  'hash_take',
  'soft_bounce_note',
  'cursor_advance',
  'complaint_transition',
  'outbox_add',
  'zset_remove_scores',
  'ip_save',
] as const;

export type ScriptName = (typeof SCRIPT_NAMES)[number];

export interface RedisStateSettings {
  /** redis://[user:pass@]host:port[/db]; ignored when sentinels are given. */
  readonly url: string;
  readonly sentinels?: readonly { readonly host: string; readonly port: number }[];
  /** Sentinel master name. */
  readonly name?: string;
  readonly keyPrefix: string;
  readonly commandTimeoutMs: number;
  readonly connectionName?: string;
}

export interface ConnectionLog {
  warn(details: object, message: string): void;
}

type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;

const SCRIPT_DIR = new URL('./scripts/', import.meta.url);

function loadScripts(client: Redis): void {
  const prelude = readFileSync(new URL('_prelude.lua', SCRIPT_DIR), 'utf8');
  for (const name of SCRIPT_NAMES) {
    const body = readFileSync(new URL(`${name}.lua`, SCRIPT_DIR), 'utf8');
    client.defineCommand(`ferry_${name}`, { lua: `${prelude}\n${body}` });
  }
}

/** Lua or type errors are bugs (INTERNAL); everything else means Redis cannot serve us now. */
export function toStateError(error: unknown): FerryError {
  if (error instanceof FerryError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const isBug = error instanceof Error && error.name === 'ReplyError' && /^(ERR (user_script|Error running script)|WRONGTYPE)/.test(message);
  if (isBug) return new FerryError(ErrorCodes.INTERNAL, `state store script failed: ${message}`, { cause: error });
  return new FerryError(ErrorCodes.STATE_UNAVAILABLE, `state store (redis) unavailable: ${message}`, { cause: error });
}

function clientOptions(settings: RedisStateSettings): RedisOptions {
  const options: RedisOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: settings.commandTimeoutMs,
    connectTimeout: Math.max(settings.commandTimeoutMs, 1000),
    retryStrategy: (times: number) => Math.min(50 * times, 1000),
    connectionName: settings.connectionName ?? 'ferry-state',
  };
  if (settings.sentinels && settings.sentinels.length > 0) {
    return { ...options, sentinels: settings.sentinels.map((s) => ({ host: s.host, port: s.port })), name: settings.name ?? 'mymaster' };
  }
  return options;
}

export class RedisConnection {
  readonly client: Redis;
  #lastWarnAt = 0;

  private constructor(client: Redis) {
    this.client = client;
  }

  /** Connects (bounded by the connect timeout) or throws MTA_ERR_STATE_UNAVAILABLE. */
  static async open(settings: RedisStateSettings, log?: ConnectionLog): Promise<RedisConnection> {
    const options = clientOptions(settings);
    const client = options.sentinels ? new Redis(options) : new Redis(settings.url, options);
    const connection = new RedisConnection(client);
    client.on('error', (error: Error) => connection.#warn(log, error));
    loadScripts(client);
    try {
      await client.connect();
    } catch (error) {
      client.disconnect();
      throw toStateError(error);
    }
    return connection;
  }

  /** At most one warning per 5 s while Redis is away (ioredis reports every failed reconnect). */
  #warn(log: ConnectionLog | undefined, error: Error): void {
    const now = Date.now();
    if (now - this.#lastWarnAt < 5000) return;
    this.#lastWarnAt = now;
    log?.warn({ err: error.message }, 'state store: redis connection error (reconnecting)');
  }

  /** Runs a registered script; keys first (their count is sent along), then args. */
  async run(name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const command = (this.client as unknown as Record<string, ScriptCommand>)[`ferry_${name}`];
    if (!command) throw new FerryError(ErrorCodes.INTERNAL, `no script ${name}`);
    try {
      return await command.call(this.client, keys.length, ...keys, ...args);
    } catch (error) {
      throw toStateError(error);
    }
  }

  /** Runs plain commands with the same error mapping. */
  async call<T>(body: (client: Redis) => Promise<T>): Promise<T> {
    try {
      return await body(this.client);
    } catch (error) {
      throw toStateError(error);
    }
  }

  async close(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}
