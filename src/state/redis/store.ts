/**
 * RedisStateStore: the StateStore on Redis (ioredis), for several nodes sharing one state.
 * Builds the parts (RedisTenants, RedisDomains, RedisOutcomes, RedisCredits, RedisLimits, admin
 * tokens, feedback, the IP inventory) for ComposedStateStore over one RedisConnection and the key layout of
 * keys.ts; every multi-step change is one Lua script.
 * open() connects (or fails with MTA_ERR_STATE_UNAVAILABLE) and refuses a master key other
 * than the one that sealed the stored DKIM keys. While Redis is away every call fails fast with
 * MTA_ERR_STATE_UNAVAILABLE; the connection comes back by itself. close() ends the connection.
 */
import { ComposedStateStore } from '../composed-store.ts';
import type { SecretBox } from '../secrets.ts';
import { RedisConnection, type ConnectionLog, type RedisStateSettings } from './connection.ts';
import { RedisKeys } from './keys.ts';
import { RedisTenants } from './tenants.ts';
import { RedisDomains } from './domains.ts';
import { RedisOutcomes } from './outcomes.ts';
import { RedisCredits } from './credits.ts';
import { RedisLimits } from './limits.ts';
import { RedisAdminTokens } from './admin-tokens.ts';
import { RedisFeedback } from './feedback.ts';
import { RedisIps } from './ips.ts';

export type { RedisStateSettings } from './connection.ts';

export class RedisStateStore extends ComposedStateStore {
  readonly backend = 'redis' as const;
  readonly #connection: RedisConnection;
  readonly #domains: RedisDomains;

  private constructor(connection: RedisConnection, keys: RedisKeys, secrets: SecretBox) {
    const domains = new RedisDomains(connection, keys, secrets);
    super({
      tenants: new RedisTenants(connection, keys),
      domains,
      outcomes: new RedisOutcomes(connection, keys),
      credits: new RedisCredits(connection, keys),
      limits: new RedisLimits(connection, keys),
      adminTokens: new RedisAdminTokens(connection, keys),
      feedback: new RedisFeedback(connection, keys, secrets),
      ips: new RedisIps(connection, keys),
    });
    this.#connection = connection;
    this.#domains = domains;
  }

  static async open(settings: RedisStateSettings, secrets: SecretBox, log?: ConnectionLog): Promise<RedisStateStore> {
    const connection = await RedisConnection.open(settings, log);
    const store = new RedisStateStore(connection, new RedisKeys(settings.keyPrefix), secrets);
    try {
      await store.#domains.checkMasterKey();
    } catch (error) {
      await connection.close();
      throw error;
    }
    return store;
  }

  /** The ioredis client, for tests and diagnostics (round-trip counting, INFO). */
  get client(): RedisConnection['client'] {
    return this.#connection.client;
  }

  protected override async closeBackend(): Promise<void> {
    await this.#connection.close();
  }
}
