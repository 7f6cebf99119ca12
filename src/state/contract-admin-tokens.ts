/**
 * The StateStore contract, admin API tokens: add (hash only, duplicate id refused), get, list
 * oldest first, revoke (idempotent, first revokedAt kept; unknown id → undefined).
 * Exports runAdminTokenContract(t, makeStore), called by runStateStoreContract for every backend.
 */
import type { Test } from 'tap';
import { isFerryError, ErrorCodes, newAdminToken, adminTokenMatches } from '../domain/index.ts';
import type { StateStore } from './store.ts';

export function runAdminTokenContract(t: Test, makeStore: () => Promise<StateStore>): void {
  t.test('admin tokens: add, get, list, revoke', async (t) => {
    const store = await makeStore();
    try {
      const first = newAdminToken('ops', ['read', 'queues'], 1_000);
      const second = newAdminToken('abuse-desk', ['abuse'], 2_000);
      await store.addAdminToken(second.record);
      await store.addAdminToken(first.record);
      const got = await store.getAdminToken(first.record.id);
      t.same(got, first.record, 'round trip');
      t.notOk(JSON.stringify(got).includes(first.token), 'the token itself is not stored');
      t.ok(got && adminTokenMatches(first.token, got), 'the stored hash matches the token');
      t.notOk(got && adminTokenMatches(second.token, got), 'another token does not match');
      const duplicate = await store.addAdminToken(first.record).then(() => undefined, (e: unknown) => e);
      t.ok(isFerryError(duplicate, ErrorCodes.STATE_CONFLICT), 'duplicate id refused');
      t.same((await store.listAdminTokens()).map((r) => r.name), ['ops', 'abuse-desk'], 'oldest first');
      const revoked = await store.revokeAdminToken(first.record.id);
      t.type(revoked?.revokedAt, 'number');
      const again = await store.revokeAdminToken(first.record.id);
      t.equal(again?.revokedAt, revoked?.revokedAt, 'first revokedAt kept');
      t.equal((await store.getAdminToken(first.record.id))?.revokedAt, revoked?.revokedAt);
      t.equal(await store.revokeAdminToken('nosuchtoken1'), undefined);
      t.equal(await store.getAdminToken('nosuchtoken1'), undefined);
    } finally {
      await store.close();
    }
  });
}
