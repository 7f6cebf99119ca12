/**
 * The credit meter and limits with two "nodes" sharing one state: two store instances (two
 * Redis connections on one real redis-server; two stores on one LMDB env for embedded) race
 * on one tenant. Exactly 100 of 240 messages pass on 100 credits with balance = ledger sum = 0,
 * 20 refill claims across both buy once, and a GCRA burst is shared. Prints reserve+commit
 * throughput of each backend (sequential and 50 in flight) as test comments.
 */
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalDatabase } from '../src/platform/index.ts';
import { EmbeddedStateStore, RedisStateStore, SecretBox, type StateStore } from '../src/state/index.ts';
import { ledgerSum } from '../src/state/contract-credits.ts';
import { startRedisServer } from './support/redis-server.ts';

const KEY = new SecretBox(Buffer.alloc(32, 5));
const dir = mkdtempSync(join(tmpdir(), 'ferry-credits-'));
const server = await startRedisServer();
const db = openLocalDatabase(dir);
t.teardown(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  await server.stop();
});

type MakePair = (t: Test) => Promise<[StateStore, StateStore]>;
let prefixes = 0;

const backends: Record<string, MakePair> = {
  embedded: async () => [new EmbeddedStateStore(db, KEY), new EmbeddedStateStore(db, KEY)],
  redis: async (t) => {
    const settings = { url: server.url, keyPrefix: `race${prefixes++}:`, commandTimeoutMs: 2000 };
    const pair: [StateStore, StateStore] = [await RedisStateStore.open(settings, KEY), await RedisStateStore.open(settings, KEY)];
    t.teardown(async () => {
      for (const store of pair) await store.close();
    });
    return pair;
  },
};

async function reserveAndCommit(store: StateStore, tenantId: string, messageId: string): Promise<boolean> {
  const reserved = await store.reserveCredits(tenantId, messageId, 1, 60_000);
  if (!reserved.ok) return false;
  return (await store.commitReservation(tenantId, messageId)).applied;
}

for (const [backend, makePair] of Object.entries(backends)) {
  t.test(`${backend}: two nodes, 240 messages, 100 credits`, async (t) => {
    const [a, b] = await makePair(t);
    const tenant = `tn_race_${backend}`;
    await a.addCredits(tenant, 100, 'top-up', 'pay');
    const results = await Promise.all(Array.from({ length: 240 }, (_, i) => reserveAndCommit(i % 2 ? a : b, tenant, `m${i}`)));
    t.equal(results.filter(Boolean).length, 100, 'exactly 100 accepted');
    t.same(await b.getCredits(tenant), { balance: 0, reserved: 0 });
    t.equal(await ledgerSum(a, tenant), 0, 'ledger sum = balance = 0');
    t.equal((await a.commitReservation(tenant, 'm0')).applied, false, 'a retried commit charges nothing');
    t.equal(await ledgerSum(b, tenant), 0);
  });

  t.test(`${backend}: 20 refill claims across two nodes buy once`, async (t) => {
    const [a, b] = await makePair(t);
    const tenant = `tn_refill_${backend}`;
    await a.setRefillSettings(tenant, { enabled: true, threshold: 100, amount: 2000 });
    await a.addCredits(tenant, 99, 'top-up', 'pay');
    const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).claimRefill(tenant, `refill-${i}`, 30_000)));
    t.equal(claims.filter(Boolean).length, 1, 'one winner');
    const winner = `refill-${claims.indexOf(true)}`;
    await Promise.all([a, b].map((store) => store.finishRefill(tenant, winner, { result: 'purchased', amount: 2000 })));
    t.same(await a.getCredits(tenant), { balance: 2099, reserved: 0 }, 'credited once though both nodes reported it');
  });

  t.test(`${backend}: a GCRA burst is shared by both nodes`, async (t) => {
    const [a, b] = await makePair(t);
    const now = 1_800_000_000_000;
    const spec = { ratePerSecond: 50, burst: 10 };
    const decisions = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).rateLimit(`tenant:${backend}`, spec, now)));
    t.equal(decisions.filter((d) => d.allowed).length, 10);
    const leases = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).acquireLease(`conn:${backend}`, `s${i}`, 4, 60_000)));
    t.equal(leases.filter(Boolean).length, 4, 'concurrency limit shared');
  });

  t.test(`${backend}: reserve+commit throughput`, async (t) => {
    const [a] = await makePair(t);
    const tenant = `tn_speed_${backend}`;
    await a.addCredits(tenant, 1_000_000, 'top-up', 'pay');
    let started = performance.now();
    for (let i = 0; i < 300; i += 1) await reserveAndCommit(a, tenant, `s${i}`);
    const sequential = 300 / ((performance.now() - started) / 1000);
    started = performance.now();
    const ids = Array.from({ length: 2000 }, (_, i) => `p${i}`);
    const workers = Array.from({ length: 50 }, async (_, w) => {
      for (let i = w; i < ids.length; i += 50) await reserveAndCommit(a, tenant, ids[i] as string);
    });
    await Promise.all(workers);
    const parallel = 2000 / ((performance.now() - started) / 1000);
    t.comment(`${backend}: reserve+commit ${sequential.toFixed(0)} msg/s one at a time, ${parallel.toFixed(0)} msg/s with 50 in flight`);
    t.equal((await a.getCredits(tenant)).balance, 1_000_000 - 2300);
  });
}
