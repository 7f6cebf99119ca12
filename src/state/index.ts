/**
 * The state stage's public face: openStateStore(config, db) and the StateStore types.
 * The only backend today is `embedded` (LMDB, sub-databases `state.*` in the node's local
 * database). The master key is loaded here (generated 0600 on first use; `options.log` hears
 * about it, since the file must be backed up) and hands a SecretBox to the store.
 */
import type { Config } from '../config/index.ts';
import type { LocalDatabase } from '../platform/index.ts';
import { EmbeddedStateStore } from './embedded/store.ts';
import { loadMasterKey, SecretBox } from './secrets.ts';
import type { StateStore } from './store.ts';

export type { StateStore, NewTenant, TenantPatch, OutcomeQuery } from './store.ts';
export { loadMasterKey, parseMasterKey, masterKeyFilePath, SecretBox, type MasterKey } from './secrets.ts';
export { EmbeddedStateStore } from './embedded/store.ts';

export interface OpenStateOptions {
  /** Told (warn) when a new master key file was generated; a pino Logger fits. */
  readonly log?: { warn(details: object, message: string): void };
}

export async function openStateStore(config: Config, db: LocalDatabase, options: OpenStateOptions = {}): Promise<StateStore> {
  const master = loadMasterKey(config);
  if (master.created) {
    options.log?.warn({ file: master.file }, 'generated a new master key file; back it up: without it, stored DKIM keys cannot be decrypted');
  }
  return new EmbeddedStateStore(db, new SecretBox(master.key));
}
