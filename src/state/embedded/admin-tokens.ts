/**
 * Embedded store: admin API tokens in the sub-database `state.adminTokens` (id → record; the
 * record holds only the token's hash). Exports AdminTokenRecords. add refuses an existing id;
 * revoke keeps the first revokedAt (idempotent), both inside one write transaction.
 */
import type { Database } from 'lmdb';
import { ErrorCodes, FerryError, type AdminTokenRecord } from '../../domain/index.ts';
import type { LocalDatabase } from '../../platform/index.ts';

export class AdminTokenRecords {
  readonly #root: LocalDatabase;
  readonly #tokens: Database<AdminTokenRecord, string>;

  constructor(root: LocalDatabase) {
    this.#root = root;
    this.#tokens = root.openDB<AdminTokenRecord, string>({ name: 'state.adminTokens' });
  }

  async add(record: AdminTokenRecord): Promise<AdminTokenRecord> {
    const stored = await this.#tokens.ifNoExists(record.id, () => void this.#tokens.put(record.id, record));
    if (!stored) throw new FerryError(ErrorCodes.STATE_CONFLICT, `admin token ${record.id} already exists`);
    return record;
  }

  get(id: string): AdminTokenRecord | undefined {
    return this.#tokens.get(id);
  }

  list(): AdminTokenRecord[] {
    return [...this.#tokens.getRange()].map(({ value }) => value).sort((a, b) => a.createdAt - b.createdAt);
  }

  async revoke(id: string, at: number): Promise<AdminTokenRecord | undefined> {
    return this.#root.transaction(() => {
      const record = this.#tokens.get(id);
      if (!record) return undefined;
      if (record.revokedAt !== undefined) return record;
      const revoked = { ...record, revokedAt: at };
      void this.#tokens.put(id, revoked);
      return revoked;
    });
  }
}
