/**
 * The StateStore contract, sending-IP inventory: saveIp as a compare-and-set on `revision`
 * (create only when absent, each save increments, a stale or concurrent save conflicts and
 * changes neither record nor history), history newest first with a limit and capped at
 * IP_HISTORY_CAP, list by address,
 * and IP pools (put replaces, get, list by name, delete). Exports runIpContract(t, makeStore),
 * called by runStateStoreContract for every backend.
 */
import type { Test } from 'tap';
import { ErrorCodes, isFerryError, type IpHistoryEntry, type IpRecord, type IpState, type PoolRecord } from '../domain/index.ts';
import { withStore, type MakeStore } from './contract-support.ts';
import { IP_HISTORY_CAP } from './ip-inventory.ts';

function ip(address: string, state: IpState, at: number): IpRecord {
  return { address, helo: `mta-${address.replaceAll('.', '-')}.ferry.test`, nodes: ['node-a'], state, listings: [], revision: 0, updatedAt: at };
}

function entry(address: string, event: string, at: number, to?: IpState): IpHistoryEntry {
  return { at, address, event, actor: 'admin:tok1', ...(to === undefined ? {} : { to }) };
}

async function conflicts(t: Test, promise: Promise<unknown>, message: string): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  t.ok(isFerryError(error, ErrorCodes.STATE_CONFLICT), `${message}: MTA_ERR_STATE_CONFLICT (got ${String(error)})`);
}

function saveTests(t: Test, makeStore: MakeStore): void {
  t.test('ips: create only when absent, compare-and-set increments the revision', async (t) => {
    await withStore(makeStore, async (store) => {
      const address = '192.0.2.10';
      t.equal(await store.getIp(address), undefined);
      const created = await store.saveIp(ip(address, 'available', 1), undefined, entry(address, 'registered', 1, 'available'));
      t.equal(created.revision, 1, 'created at revision 1');
      t.same(await store.getIp(address), created);
      await conflicts(t, store.saveIp(ip(address, 'available', 2), undefined, entry(address, 'registered', 2)), 'second create');
      const leased = { ...created, state: 'leased' as const, lease: { id: 'ls_1', tenantId: 'tn_a', startsAt: 3, endsAt: 10, termMs: 7, autoRenew: true, renewals: 0 }, updatedAt: 3 };
      const saved = await store.saveIp(leased, 1, entry(address, 'leased', 3, 'leased'));
      t.equal(saved.revision, 2, 'revision incremented');
      t.same(await store.getIp(address), { ...leased, revision: 2 }, 'nested lease round-trips');
      const third = await store.saveIp({ ...saved, state: 'warming', warmup: { startedAt: 4, schedule: 'default' } }, 2, entry(address, 'warming', 4, 'warming'));
      t.equal(third.revision, 3);
    });
  });

  t.test('ips: a stale revision conflicts and changes nothing', async (t) => {
    await withStore(makeStore, async (store) => {
      const address = '192.0.2.11';
      const first = await store.saveIp(ip(address, 'available', 1), undefined, entry(address, 'registered', 1));
      const second = await store.saveIp({ ...first, state: 'leased' }, 1, entry(address, 'leased', 2));
      const historyBefore = await store.ipHistory(address, 10);
      await conflicts(t, store.saveIp({ ...first, state: 'quarantined' }, 1, entry(address, 'quarantined', 3)), 'stale revision 1');
      await conflicts(t, store.saveIp({ ...first, state: 'quarantined' }, 7, entry(address, 'quarantined', 3)), 'revision from the future');
      await conflicts(t, store.saveIp(ip('192.0.2.99', 'available', 3), 1, entry('192.0.2.99', 'registered', 3)), 'expected revision of an absent IP');
      t.same(await store.getIp(address), second, 'record unchanged');
      t.same(await store.ipHistory(address, 10), historyBefore, 'history unchanged');
      t.equal(await store.getIp('192.0.2.99'), undefined, 'absent IP still absent');
      t.same(await store.ipHistory('192.0.2.99', 10), [], 'no history for the absent IP');
    });
  });

  t.test('ips: concurrent saves with one expected revision, exactly one wins', async (t) => {
    await withStore(makeStore, async (store) => {
      const address = '192.0.2.12';
      const base = await store.saveIp(ip(address, 'available', 1), undefined, entry(address, 'registered', 1));
      const racers = Array.from({ length: 6 }, (_, i) =>
        store.saveIp({ ...base, stateReason: `racer ${i}` }, 1, entry(address, `racer-${i}`, 10 + i)));
      const results = await Promise.allSettled(racers);
      const won = results.filter((r) => r.status === 'fulfilled');
      t.equal(won.length, 1, 'one save won');
      t.ok(results.every((r) => r.status === 'fulfilled' || isFerryError(r.reason, ErrorCodes.STATE_CONFLICT)), 'the others conflicted');
      const stored = await store.getIp(address);
      t.equal(stored?.revision, 2);
      const winner = won[0]?.status === 'fulfilled' ? won[0].value : undefined;
      t.equal(stored?.stateReason, winner?.stateReason, 'the stored record is the winner');
      const history = await store.ipHistory(address, 10);
      t.same(history.map((h) => h.event), [`racer-${(winner?.stateReason ?? '').slice(6)}`, 'registered'], 'one history entry per successful save');
      const creates = await Promise.allSettled(Array.from({ length: 4 }, () => store.saveIp(ip('192.0.2.13', 'available', 1), undefined, entry('192.0.2.13', 'registered', 1))));
      t.equal(creates.filter((r) => r.status === 'fulfilled').length, 1, 'concurrent creates: one wins');
    });
  });

  t.test('ips: bad arguments are refused as invalid input', async (t) => {
    await withStore(makeStore, async (store) => {
      const mismatch = await store.saveIp(ip('192.0.2.14', 'available', 1), undefined, entry('192.0.2.15', 'registered', 1)).then(() => undefined, (e: unknown) => e);
      t.ok(isFerryError(mismatch, ErrorCodes.INVALID_INPUT), 'history of another address');
      const badRevision = await store.saveIp(ip('192.0.2.14', 'available', 1), 0.5, entry('192.0.2.14', 'registered', 1)).then(() => undefined, (e: unknown) => e);
      t.ok(isFerryError(badRevision, ErrorCodes.INVALID_INPUT), 'fractional revision');
      t.equal(await store.getIp('192.0.2.14'), undefined, 'nothing stored');
    });
  });
}

function historyAndListTests(t: Test, makeStore: MakeStore): void {
  t.test('ips: history newest first with a limit; list by address', async (t) => {
    await withStore(makeStore, async (store) => {
      const address = '2001:db8::25';
      let record = await store.saveIp(ip(address, 'available', 1), undefined, entry(address, 'e0', 1));
      for (let i = 1; i < 5; i += 1) record = await store.saveIp({ ...record, updatedAt: i + 1 }, record.revision, entry(address, `e${i}`, i + 1));
      t.same((await store.ipHistory(address, 10)).map((h) => h.event), ['e4', 'e3', 'e2', 'e1', 'e0'], 'newest first');
      t.same((await store.ipHistory(address, 2)).map((h) => h.event), ['e4', 'e3'], 'limit keeps the newest');
      t.same(await store.ipHistory(address, 1), [entry(address, 'e4', 5)], 'entries round-trip');
      t.same(await store.ipHistory(address, 0), []);
      t.same(await store.ipHistory('198.51.100.1', 5), [], 'unknown IP: empty');
      await store.saveIp(ip('198.51.100.7', 'retired', 1), undefined, entry('198.51.100.7', 'registered', 1));
      await store.saveIp(ip('192.0.2.30', 'leased', 1), undefined, entry('192.0.2.30', 'registered', 1));
      t.same((await store.listIps()).map((r) => r.address), ['192.0.2.30', '198.51.100.7', '2001:db8::25'], 'every IP, by address');
      t.same((await store.ipHistory('192.0.2.30', 5)).map((h) => h.event), ['registered'], 'history kept per IP');
    });
  });

  t.test(`ips: history keeps the newest ${IP_HISTORY_CAP} entries per IP`, async (t) => {
    await withStore(makeStore, async (store) => {
      const address = '192.0.2.40';
      let record = await store.saveIp(ip(address, 'available', 0), undefined, entry(address, 'e0', 0));
      for (let i = 1; i <= IP_HISTORY_CAP + 1; i += 1) record = await store.saveIp(record, record.revision, entry(address, `e${i}`, i));
      const history = await store.ipHistory(address, IP_HISTORY_CAP + 10);
      t.equal(history.length, IP_HISTORY_CAP, 'capped');
      t.same([history[0]?.event, history.at(-1)?.event], [`e${IP_HISTORY_CAP + 1}`, 'e2'], 'the two oldest dropped');
    });
  });
}

function poolTests(t: Test, makeStore: MakeStore): void {
  t.test('ip pools: put replaces, get, list by name, delete', async (t) => {
    await withStore(makeStore, async (store) => {
      const shared: PoolRecord = { name: 'shared', kind: 'shared', members: [{ address: '192.0.2.1', weight: 1 }, { address: '192.0.2.2', weight: 3 }], updatedAt: 1 };
      const own: PoolRecord = { name: 'acme-own', kind: 'tenant', tenantId: 'tn_acme', members: [{ address: '192.0.2.9', weight: 1 }], updatedAt: 2 };
      t.equal(await store.getPool('shared'), undefined);
      t.same(await store.listPools(), []);
      t.same(await store.putPool(shared), shared);
      await store.putPool(own);
      t.same(await store.getPool('shared'), shared, 'round trip');
      t.same(await store.getPool('acme-own'), own);
      t.same((await store.listPools()).map((p) => p.name), ['acme-own', 'shared'], 'by name');
      const reweighted = { ...shared, members: [{ address: '192.0.2.2', weight: 5 }], updatedAt: 3 };
      await store.putPool(reweighted);
      t.same(await store.getPool('shared'), reweighted, 'put replaces the pool');
      t.equal(await store.deletePool('acme-own'), true);
      t.equal(await store.deletePool('acme-own'), false, 'second delete: nothing to delete');
      t.equal(await store.deletePool('never'), false);
      t.same(await store.listPools(), [reweighted]);
    });
  });
}

export function runIpContract(t: Test, makeStore: MakeStore): void {
  saveTests(t, makeStore);
  historyAndListTests(t, makeStore);
  poolTests(t, makeStore);
}
