/**
 * Embedded store: sending domains and their DKIM keys. Exports DomainRecords.
 * Private keys are sealed with the master key (AES-256-GCM, AAD = "dkim:<domain>:<selector>")
 * before they reach LMDB and opened on read; the raw database never holds a PEM.
 * A domain belongs to exactly one tenant; re-adding an existing domain is a conflict.
 * replaceKeys (DKIM rotation) compares the signing selectors and writes in one transaction.
 * The master key's fingerprint is written with the first sealed key, so a changed key is
 * detected when the store opens (MTA_ERR_SECRET_KEY), not at the first DKIM signature.
 */
import { ErrorCodes, FerryError } from '../../domain/index.ts';
import type { SendingDomain } from '../../domain/index.ts';
import type { DomainKeySet } from '../store.ts';
import type { SecretBox } from '../secrets.ts';
import { INDEX_END, type StateDatabases } from './databases.ts';
import { openDomain, sealDomain, type StoredDomain } from '../sealed-domains.ts';

const FINGERPRINT_KEY = 'masterKeyFingerprint';


export class DomainRecords {
  readonly #dbs: StateDatabases;
  readonly #secrets: SecretBox;

  constructor(dbs: StateDatabases, secrets: SecretBox) {
    this.#dbs = dbs;
    this.#secrets = secrets;
  }

  /** Throws MTA_ERR_SECRET_KEY when keys were sealed with another master key. */
  checkMasterKey(): void {
    const stored = this.#dbs.meta.get(FINGERPRINT_KEY);
    if (stored !== undefined && stored !== this.#secrets.fingerprint()) {
      throw new FerryError(
        ErrorCodes.SECRET_KEY,
        'the master key differs from the one that encrypted the stored DKIM keys (check secrets.masterKey / the master key file)',
      );
    }
  }

  #seal(input: SendingDomain): StoredDomain {
    return sealDomain(input, this.#secrets);
  }

  #open(stored: StoredDomain): SendingDomain {
    return openDomain(stored, this.#secrets);
  }

  add(input: SendingDomain): Promise<SendingDomain> {
    const domain = input.domain.toLowerCase();
    const stored = this.#seal({ ...input, domain });
    const fingerprint = this.#secrets.fingerprint();
    const { root, tenants, domains, domainsByTenant, meta } = this.#dbs;
    return root.transaction(() => {
      if (!tenants.get(input.tenantId)) throw new FerryError(ErrorCodes.NOT_FOUND, `no tenant with id ${input.tenantId}`);
      const existing = domains.get(domain);
      if (existing) {
        const owner = existing.tenantId === input.tenantId ? 'this tenant' : 'another tenant';
        throw new FerryError(ErrorCodes.STATE_CONFLICT, `domain ${domain} is already registered to ${owner}`);
      }
      const storedFingerprint = meta.get(FINGERPRINT_KEY);
      if (storedFingerprint !== undefined && storedFingerprint !== fingerprint) {
        throw new FerryError(ErrorCodes.SECRET_KEY, 'the master key differs from the one that encrypted the stored DKIM keys');
      }
      if (storedFingerprint === undefined) meta.put(FINGERPRINT_KEY, fingerprint);
      domains.put(domain, stored);
      domainsByTenant.put([input.tenantId, domain], true);
      return this.#open(stored);
    });
  }

  replaceKeys(domainName: string, expectedSelectors: readonly string[], next: DomainKeySet): Promise<SendingDomain> {
    const domain = domainName.toLowerCase();
    const { root, domains } = this.#dbs;
    return root.transaction(() => {
      const current = domains.get(domain);
      if (!current) throw new FerryError(ErrorCodes.NOT_FOUND, `no sending domain ${domain}`);
      if (current.dkimKeys.map((k) => k.selector).join(',') !== expectedSelectors.join(',')) {
        throw new FerryError(ErrorCodes.STATE_CONFLICT, `the DKIM keys of ${domain} changed meanwhile (another rotation?); retry`);
      }
      const stored = this.#seal({ ...current, dkimKeys: next.dkimKeys, rotatedDkimKeys: next.rotatedDkimKeys });
      void domains.put(domain, stored);
      return this.#open(stored);
    });
  }

  get(domain: string): SendingDomain | undefined {
    const stored = this.#dbs.domains.get(domain.toLowerCase());
    return stored ? this.#open(stored) : undefined;
  }

  owner(domain: string): string | undefined {
    return this.#dbs.domains.get(domain.toLowerCase())?.tenantId;
  }

  list(tenantId: string): SendingDomain[] {
    const { domains, domainsByTenant } = this.#dbs;
    const out: SendingDomain[] = [];
    for (const [, domain] of domainsByTenant.getKeys({ start: [tenantId, ''], end: [tenantId, INDEX_END] })) {
      const stored = domains.get(domain);
      if (stored) out.push(this.#open(stored));
    }
    return out;
  }
}
