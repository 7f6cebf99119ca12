/**
 * Redis store: sending domains and their DKIM keys, in the {catalog} slot. Exports RedisDomains.
 * A domain is a hash {tenantId, record}: record is the JSON of the domain with every private
 * key sealed by the master key (AES-256-GCM, AAD "dkim:<domain>:<selector>", as embedded), so
 * Redis never holds a PEM. The add script checks tenant, ownership and the master key's
 * fingerprint and writes at once; checkMasterKey() at open refuses a different master key.
 * replaceKeys (DKIM rotation) seals the new keys here, then one script compares and writes.
 */
import { ErrorCodes, FerryError } from '../../domain/index.ts';
import type { SendingDomain } from '../../domain/index.ts';
import type { DomainKeySet } from '../store.ts';
import type { SecretBox } from '../secrets.ts';
import { openDomain, sealDomain, type StoredDomain } from '../sealed-domains.ts';
import type { RedisConnection } from './connection.ts';
import type { RedisKeys } from './keys.ts';

const FINGERPRINT_FIELD = 'masterKeyFingerprint';


export class RedisDomains {
  readonly #redis: RedisConnection;
  readonly #keys: RedisKeys;
  readonly #secrets: SecretBox;

  constructor(redis: RedisConnection, keys: RedisKeys, secrets: SecretBox) {
    this.#redis = redis;
    this.#keys = keys;
    this.#secrets = secrets;
  }

  /** Throws MTA_ERR_SECRET_KEY when stored keys were sealed with another master key. */
  async checkMasterKey(): Promise<void> {
    const stored = await this.#redis.call((c) => c.hget(this.#keys.meta(), FINGERPRINT_FIELD));
    if (stored !== null && stored !== this.#secrets.fingerprint()) {
      throw new FerryError(
        ErrorCodes.SECRET_KEY,
        'the master key differs from the one that encrypted the stored DKIM keys (every node sharing Redis needs the same secrets.masterKey)',
      );
    }
  }

  #seal(input: SendingDomain): StoredDomain {
    return sealDomain(input, this.#secrets);
  }

  #open(stored: StoredDomain): SendingDomain {
    return openDomain(stored, this.#secrets);
  }

  async add(input: SendingDomain): Promise<SendingDomain> {
    const domain = input.domain.toLowerCase();
    const stored = this.#seal({ ...input, domain });
    const k = this.#keys;
    const keys = [k.tenant(input.tenantId), k.domain(domain), k.domainsOf(input.tenantId), k.meta()];
    const reply = (await this.#redis.run('domain_add', keys, [domain, input.tenantId, JSON.stringify(stored), this.#secrets.fingerprint()])) as string[];
    const [status, owner] = reply;
    if (status === 'missing') throw new FerryError(ErrorCodes.NOT_FOUND, `no tenant with id ${input.tenantId}`);
    if (status === 'conflict') {
      const who = owner === input.tenantId ? 'this tenant' : 'another tenant';
      throw new FerryError(ErrorCodes.STATE_CONFLICT, `domain ${domain} is already registered to ${who}`);
    }
    if (status === 'secret') throw new FerryError(ErrorCodes.SECRET_KEY, 'the master key differs from the one that encrypted the stored DKIM keys');
    return this.#open(stored);
  }

  /** One script: compare the signing selectors, then write the new sealed record (see domain_keys_replace.lua). */
  async replaceKeys(domainName: string, expectedSelectors: readonly string[], next: DomainKeySet): Promise<SendingDomain> {
    const domain = domainName.toLowerCase();
    const current = await this.#redis.call((c) => c.hget(this.#keys.domain(domain), 'record'));
    if (current === null) throw new FerryError(ErrorCodes.NOT_FOUND, `no sending domain ${domain}`);
    const { tenantId, createdAt } = JSON.parse(current) as StoredDomain;
    const stored = this.#seal({ domain, tenantId, createdAt, ...next });
    const [status] = (await this.#redis.run('domain_keys_replace', [this.#keys.domain(domain)], [expectedSelectors.join(','), JSON.stringify(stored)])) as string[];
    if (status === 'missing') throw new FerryError(ErrorCodes.NOT_FOUND, `no sending domain ${domain}`);
    if (status === 'conflict') throw new FerryError(ErrorCodes.STATE_CONFLICT, `the DKIM keys of ${domain} changed meanwhile (another rotation?); retry`);
    return this.#open(stored);
  }

  async get(domain: string): Promise<SendingDomain | undefined> {
    const record = await this.#redis.call((c) => c.hget(this.#keys.domain(domain.toLowerCase()), 'record'));
    return record === null ? undefined : this.#open(JSON.parse(record) as StoredDomain);
  }

  async owner(domain: string): Promise<string | undefined> {
    const record = await this.#redis.call((c) => c.hget(this.#keys.domain(domain.toLowerCase()), 'record'));
    return record === null ? undefined : (JSON.parse(record) as StoredDomain).tenantId;
  }

  async list(tenantId: string): Promise<SendingDomain[]> {
    const domains = (await this.#redis.call((c) => c.smembers(this.#keys.domainsOf(tenantId)))).sort();
    if (domains.length === 0) return [];
    const records = await this.#redis.call((c) => c.pipeline(domains.map((d) => ['hget', this.#keys.domain(d), 'record'])).exec());
    const out: SendingDomain[] = [];
    for (const [error, record] of records ?? []) {
      if (error) throw error;
      if (typeof record === 'string') out.push(this.#open(JSON.parse(record) as StoredDomain));
    }
    return out;
  }
}
