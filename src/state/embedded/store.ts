/**
 * EmbeddedStateStore: the StateStore on the node's LMDB environment (sub-databases `state.*`).
 * Builds the parts (TenantRecords, DomainRecords, OutcomeStream, CreditRecords, LimitRecords,
 * AdminTokenRecords, FeedbackRecords, IpRecords) for ComposedStateStore; every multi-step change is one LMDB
 * write transaction (async, batched and fsync'd by lmdb-js). Reads go straight to LMDB with no
 * cache, so writes from another process on the same env (the CLI while the relay runs) are seen.
 * The store does not own the environment: close() leaves it open for its opener to close.
 */
import type { LocalDatabase } from '../../platform/index.ts';
import { ComposedStateStore } from '../composed-store.ts';
import type { SecretBox } from '../secrets.ts';
import { openStateDatabases } from './databases.ts';
import { TenantRecords } from './tenants.ts';
import { DomainRecords } from './domains.ts';
import { OutcomeStream } from './outcomes.ts';
import { CreditRecords } from './credits.ts';
import { LimitRecords } from './limits.ts';
import { AdminTokenRecords } from './admin-tokens.ts';
import { FeedbackRecords } from './feedback.ts';
import { IpRecords } from './ips.ts';

export class EmbeddedStateStore extends ComposedStateStore {
  readonly backend = 'embedded' as const;

  /** Throws MTA_ERR_SECRET_KEY when stored DKIM keys were sealed with another master key. */
  constructor(db: LocalDatabase, secrets: SecretBox) {
    const dbs = openStateDatabases(db);
    const domains = new DomainRecords(dbs, secrets);
    domains.checkMasterKey();
    super({
      tenants: new TenantRecords(dbs),
      domains,
      outcomes: new OutcomeStream(dbs),
      credits: new CreditRecords(dbs),
      limits: new LimitRecords(dbs),
      adminTokens: new AdminTokenRecords(db),
      feedback: new FeedbackRecords(db, secrets),
      ips: new IpRecords(db),
    });
  }
}
