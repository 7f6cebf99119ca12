/**
 * The state stage's public face: openStateStore(config, db, options) and the StateStore types.
 * `config.state.backend` picks the store: `embedded` (LMDB, sub-databases `state.*` in the node's
 * local database, `db` required) or `redis` (ioredis; `db` unused, the spool stays local).
 * The master key is loaded here (generated 0600 on first use; `options.log` hears about it, since
 * the file must be backed up) and hands a SecretBox to the store. Nodes sharing Redis must share
 * the master key (secrets.masterKey): a different one is refused at open (MTA_ERR_SECRET_KEY).
 */
import type { Config } from '../config/index.ts';
import { ErrorCodes, FerryError, parseDuration } from '../domain/index.ts';
import type { LocalDatabase } from '../platform/index.ts';
import { EmbeddedStateStore } from './embedded/store.ts';
import { RedisStateStore, type RedisStateSettings } from './redis/store.ts';
import { loadMasterKey, SecretBox } from './secrets.ts';
import type { StateStore } from './store.ts';

export type * from './store.ts';
export { loadMasterKey, parseMasterKey, masterKeyFilePath, SecretBox, type MasterKey } from './secrets.ts';
export { EmbeddedStateStore } from './embedded/store.ts';
export { RedisStateStore, type RedisStateSettings } from './redis/store.ts';
export { gcraStep } from './gcra.ts';
export { GLOBAL_SCOPE, normalizeAddress } from './feedback-types.ts';

export interface OpenStateOptions {
  /** Told (warn) about a new master key file and about Redis connection errors; a pino Logger fits. */
  readonly log?: { warn(details: object, message: string): void };
}

/** The Redis settings of a validated config (commandTimeout parsed to ms). */
export function redisSettings(config: Config): RedisStateSettings {
  const redis = config.state.redis;
  return {
    url: redis.url,
    keyPrefix: redis.keyPrefix,
    commandTimeoutMs: parseDuration(redis.commandTimeout),
    connectionName: `ferry-${config.nodeId}`,
    ...(redis.sentinels === undefined ? {} : { sentinels: redis.sentinels }),
    ...(redis.name === undefined ? {} : { name: redis.name }),
  };
}

export async function openStateStore(config: Config, db: LocalDatabase | undefined, options: OpenStateOptions = {}): Promise<StateStore> {
  const master = loadMasterKey(config);
  if (master.created) {
    options.log?.warn({ file: master.file }, 'generated a new master key file; back it up: without it, stored DKIM keys cannot be decrypted');
  }
  const secrets = new SecretBox(master.key);
  if (config.state.backend === 'redis') return RedisStateStore.open(redisSettings(config), secrets, options.log);
  if (!db) throw new FerryError(ErrorCodes.INTERNAL, 'the embedded state store needs the local database');
  return new EmbeddedStateStore(db, secrets);
}
