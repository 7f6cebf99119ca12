/**
 * The node's local database: one LMDB environment in `<dataDir>/ferry.lmdb`, shared by the
 * spool and the embedded state store (named sub-databases `spool.*` and `state.*`), so that a
 * spool commit and its outcome records can share one group-committed transaction.
 * LMDB is multi-process safe: `ferry` CLI commands open the same environment while the relay runs.
 * Async writes issued in the same event-loop turn are batched into one transaction and fsync'd
 * once (group commit); a write's promise resolves only after that commit is durable: with
 * `overlappingSync: false` the commit does fdatasync(data) + an O_DSYNC meta-page write before
 * lmdb-js resolves (checked with strace; see docs/decisions/0001-spool-storage.md).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';

export type LocalDatabase = RootDatabase;

export function openLocalDatabase(dataDir: string): LocalDatabase {
  mkdirSync(dataDir, { recursive: true });
  return open({
    path: join(dataDir, 'ferry.lmdb'),
    // Durable commits: a resolved write survives kill -9 and power loss.
    noSync: false,
    // lmdb-js defaults to overlappingSync on Linux, where a write's promise resolves at commit
    // (visible) but BEFORE the fsync. The spool acks SMTP on that promise, so sync inside commit.
    overlappingSync: false,
    // Sub-databases: spool.messages, spool.deliveries, state.tenants, ...
    maxDbs: 64,
    // Sparse file; grows on demand up to this map size.
    mapSize: 64 * 1024 ** 3,
  });
}
