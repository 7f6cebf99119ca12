/**
 * The StateStore contract, part two: the credit meter and the limit primitives. Exports
 * runCreditContract(t, makeStore), called by runStateStoreContract so every backend runs it.
 * Covers ledger idempotency and paging, reserve → commit / release with expiry, the race of
 * 200 reserve+commit on 100 credits (exactly 100 pass, balance = ledger sum = 0), auto-refill
 * claims (one winner of many), GCRA with an injected clock, leases and daily quotas.
 */
import type { Test } from 'tap';
import type { StateStore } from './store.ts';
import { withStore, type MakeStore } from './contract-support.ts';


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sum of the whole ledger (newest first, paged) must equal the balance. */
export async function ledgerSum(store: StateStore, tenantId: string): Promise<number> {
  let sum = 0;
  let before: number | undefined;
  for (;;) {
    const page = await store.readLedger(tenantId, before === undefined ? { limit: 100 } : { limit: 100, before });
    for (const entry of page) sum += entry.amount;
    if (page.length < 100) return sum;
    before = page.at(-1)?.seq;
  }
}

function ledgerTests(t: Test, makeStore: MakeStore): void {
  t.test('credits: top-ups idempotent by ref, adjustments, ledger newest first with paging', async (t) => {
    await withStore(makeStore, async (store) => {
      t.same(await store.getCredits('tn_a'), { balance: 0, reserved: 0 }, 'unknown tenant: zero');
      const first = await store.addCredits('tn_a', 100, 'top-up', 'pay-1');
      t.match(first, { applied: true, entry: { seq: 1, kind: 'top-up', amount: 100, ref: 'pay-1', balance: 100, tenantId: 'tn_a' } });
      const again = await store.addCredits('tn_a', 100, 'top-up', 'pay-1');
      t.same(again, { applied: false, entry: first.entry }, 'same ref: earlier entry, nothing added');
      await store.addCredits('tn_a', 50, 'refill', 'pay-1');
      await store.addCredits('tn_a', -30, 'adjustment', 'fix-1');
      t.same(await store.getCredits('tn_a'), { balance: 120, reserved: 0 });
      t.same((await store.readLedger('tn_a', { limit: 10 })).map((e) => [e.seq, e.amount, e.balance]), [[3, -30, 120], [2, 50, 150], [1, 100, 100]]);
      t.same((await store.readLedger('tn_a', { limit: 1, before: 3 })).map((e) => e.seq), [2], 'paging with before');
      t.same(await store.readLedger('tn_b', { limit: 10 }), [], 'other tenant untouched');
      t.equal(await ledgerSum(store, 'tn_a'), 120);
      await t.rejects(store.addCredits('tn_a', 0, 'top-up', 'z'), { code: 'MTA_ERR_INVALID_INPUT' });
      await t.rejects(store.addCredits('tn_a', -5, 'top-up', 'z'), { code: 'MTA_ERR_INVALID_INPUT' });
      await t.rejects(store.addCredits('tn_a', 1.5, 'adjustment', 'z'), { code: 'MTA_ERR_INVALID_INPUT' });
    });
  });
}

function reservationTests(t: Test, makeStore: MakeStore): void {
  t.test('credits: reserve, commit once, release, expiry', async (t) => {
    await withStore(makeStore, async (store) => {
      await store.addCredits('tn_r', 10, 'top-up', 'p');
      t.same(await store.reserveCredits('tn_r', 'm1', 6, 60_000), { ok: true, available: 4 });
      t.same(await store.reserveCredits('tn_r', 'm1', 6, 60_000), { ok: true, available: 4 }, 'idempotent per reservation');
      t.same(await store.reserveCredits('tn_r', 'm2', 5, 60_000), { ok: false, available: 4 }, 'insufficient');
      t.same(await store.getCredits('tn_r'), { balance: 10, reserved: 6 });
      const charged = await store.commitReservation('tn_r', 'm1');
      t.match(charged, { applied: true, entry: { kind: 'charge', amount: -6, ref: 'm1', balance: 4 } });
      t.same(await store.commitReservation('tn_r', 'm1'), { applied: false, entry: charged.entry }, 'second commit charges nothing');
      t.same(await store.reserveCredits('tn_r', 'm1', 6, 60_000), { ok: true, available: 4 }, 'a committed id is not reserved again');
      t.same(await store.getCredits('tn_r'), { balance: 4, reserved: 0 });
      t.equal((await store.reserveCredits('tn_r', 'm3', 3, 60_000)).ok, true);
      t.equal(await store.releaseReservation('tn_r', 'm3'), true);
      t.equal(await store.releaseReservation('tn_r', 'm3'), false, 'release twice');
      t.same(await store.commitReservation('tn_r', 'm3'), { applied: false, entry: undefined }, 'released: nothing to commit');
      t.equal((await store.reserveCredits('tn_r', 'm4', 4, 40)).ok, true);
      t.same(await store.reserveCredits('tn_r', 'm5', 1, 60_000), { ok: false, available: 0 });
      await sleep(80);
      t.same(await store.getCredits('tn_r'), { balance: 4, reserved: 0 }, 'expired reservation stops counting');
      t.same(await store.reserveCredits('tn_r', 'm5', 1, 60_000), { ok: true, available: 3 });
      t.match(await store.commitReservation('tn_r', 'm4', { amount: 4 }), { applied: true, entry: { amount: -4, balance: 0 } }, 'recovery charge of an expired reservation');
      t.equal(await ledgerSum(store, 'tn_r'), (await store.getCredits('tn_r')).balance);
      await t.rejects(store.reserveCredits('tn_r', 'm6', 0, 1000), { code: 'MTA_ERR_INVALID_INPUT' });
    });
  });

  t.test('credits: 200 concurrent reserve+commit on 100 credits', async (t) => {
    await withStore(makeStore, async (store) => {
      await store.addCredits('tn_race', 100, 'top-up', 'p');
      const one = async (i: number) => {
        const reserved = await store.reserveCredits('tn_race', `msg-${i}`, 1, 60_000);
        if (!reserved.ok) return false;
        return (await store.commitReservation('tn_race', `msg-${i}`)).applied;
      };
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => one(i)));
      t.equal(results.filter(Boolean).length, 100, 'exactly 100 succeed');
      t.same(await store.getCredits('tn_race'), { balance: 0, reserved: 0 });
      t.equal(await ledgerSum(store, 'tn_race'), 0, 'ledger sum = balance = 0');
      t.equal((await store.readLedger('tn_race', { limit: 500 })).length, 101);
    });
  });
}

function refillTests(t: Test, makeStore: MakeStore): void {
  t.test('refill: settings, one claim wins, finish purchased / refused / failed', async (t) => {
    await withStore(makeStore, async (store) => {
      t.equal(await store.getRefillSettings('tn_f'), undefined);
      t.equal(await store.claimRefill('tn_f', 'r0', 60_000), false, 'no settings: no refill');
      await store.setRefillSettings('tn_f', { enabled: true, threshold: 100, amount: 2000 });
      t.same(await store.getRefillSettings('tn_f'), { enabled: true, threshold: 100, amount: 2000 });
      await store.addCredits('tn_f', 150, 'top-up', 'p');
      t.equal(await store.claimRefill('tn_f', 'r1', 60_000), false, 'above threshold');
      t.equal((await store.reserveCredits('tn_f', 'm', 60, 60_000)).ok, true);
      const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claimRefill('tn_f', `r-${i}`, 60_000)));
      t.equal(claims.filter(Boolean).length, 1, 'exactly one claim of 20 (available 90 < 100)');
      const winner = `r-${claims.indexOf(true)}`;
      t.equal(await store.claimRefill('tn_f', winner, 60_000), true, 'the holder may ask again');
      const entry = await store.finishRefill('tn_f', winner, { result: 'purchased', amount: 2000 });
      t.match(entry, { kind: 'refill', amount: 2000, ref: winner, balance: 2150 });
      t.same(await store.finishRefill('tn_f', winner, { result: 'purchased', amount: 2000 }), entry, 'idempotent');
      t.equal(await store.claimRefill('tn_f', 'r2', 60_000), false, 'above threshold again');
      await store.addCredits('tn_f', -2100, 'adjustment', 'a');
      t.equal(await store.claimRefill('tn_f', 'r3', 60_000), true);
      t.equal(await store.finishRefill('tn_f', 'r3', { result: 'failed', reason: 'timeout' }), undefined);
      t.equal(await store.claimRefill('tn_f', 'r4', 60_000), true, 'failed: the next crossing claims again');
      await store.finishRefill('tn_f', 'r4', { result: 'refused', reason: 'card declined' });
      t.match(await store.getRefillSettings('tn_f'), { enabled: true, paused: true, pausedReason: 'card declined' });
      t.equal(await store.claimRefill('tn_f', 'r5', 60_000), false, 'paused');
      t.equal((await store.getCredits('tn_f')).balance, 50);
      t.equal(await ledgerSum(store, 'tn_f'), 50);
      await t.rejects(store.setRefillSettings('tn_f', { enabled: true, threshold: -1, amount: 10 }), { code: 'MTA_ERR_INVALID_INPUT' });
    });
  });

  t.test('refill: an expired claim lets another through', async (t) => {
    await withStore(makeStore, async (store) => {
      await store.setRefillSettings('tn_g', { enabled: true, threshold: 10, amount: 100 });
      t.equal(await store.claimRefill('tn_g', 'a', 40), true);
      t.equal(await store.claimRefill('tn_g', 'b', 40), false);
      await sleep(80);
      t.equal(await store.claimRefill('tn_g', 'b', 60_000), true);
      t.match(await store.finishRefill('tn_g', 'a', { result: 'purchased', amount: 100 }), { amount: 100 }, 'a late purchase still credits');
      t.equal(await store.claimRefill('tn_g', 'c', 60_000), false, 'b still in flight');
    });
  });
}

function limitTests(t: Test, makeStore: MakeStore): void {
  t.test('rate: GCRA with an injected clock', async (t) => {
    await withStore(makeStore, async (store) => {
      const spec = { ratePerSecond: 10, burst: 5 };
      const now = 1_700_000_000_000;
      const burst = await Promise.all(Array.from({ length: 8 }, () => store.rateLimit('tenant:x', spec, now)));
      t.equal(burst.filter((d) => d.allowed).length, 5, 'burst of 5 passes at once');
      t.same(burst.find((d) => !d.allowed), { allowed: false, retryAfterMs: 100 });
      t.same(await store.rateLimit('tenant:x', spec, now + 99), { allowed: false, retryAfterMs: 1 });
      t.same(await store.rateLimit('tenant:x', spec, now + 100), { allowed: true, retryAfterMs: 0 });
      t.equal((await store.rateLimit('tenant:x', { ratePerSecond: 20, burst: 5 }, now + 100)).allowed, true, 'another spec: another bucket');
      let passed = 0;
      for (let ms = 200; ms < 1200; ms += 10) if ((await store.rateLimit('tenant:x', spec, now + ms)).allowed) passed += 1;
      t.equal(passed, 10, '10 per second once the burst is spent');
      await t.rejects(store.rateLimit('k', { ratePerSecond: 0, burst: 1 }, now), { code: 'MTA_ERR_INVALID_INPUT' });
    });
  });

  t.test('leases: at most max live holders, refresh, release, expiry', async (t) => {
    await withStore(makeStore, async (store) => {
      t.equal(await store.acquireLease('conn:t1', 'a', 2, 60_000), true);
      t.equal(await store.acquireLease('conn:t1', 'b', 2, 60_000), true);
      t.equal(await store.acquireLease('conn:t1', 'c', 2, 60_000), false);
      t.equal(await store.acquireLease('conn:t1', 'a', 2, 60_000), true, 'holder re-acquires');
      await store.releaseLease('conn:t1', 'a');
      await store.releaseLease('conn:t1', 'nobody');
      t.equal(await store.acquireLease('conn:t1', 'c', 2, 40), true);
      t.equal(await store.acquireLease('conn:t1', 'd', 2, 60_000), false);
      await sleep(80);
      t.equal(await store.acquireLease('conn:t1', 'd', 2, 60_000), true, 'expired holder dropped out');
      const racers = await Promise.all(Array.from({ length: 10 }, (_, i) => store.acquireLease('conn:t2', `h${i}`, 3, 60_000)));
      t.equal(racers.filter(Boolean).length, 3, 'concurrent acquires: exactly max');
    });
  });

  t.test('daily quota: counts to max, refuses past it, new day restarts', async (t) => {
    await withStore(makeStore, async (store) => {
      t.same(await store.incrementDaily('quota:t1', '2025-01-01', 4, 10), { allowed: true, count: 4 });
      t.same(await store.incrementDaily('quota:t1', '2025-01-01', 4, 10), { allowed: true, count: 8 });
      t.same(await store.incrementDaily('quota:t1', '2025-01-01', 4, 10), { allowed: false, count: 8 });
      t.same(await store.incrementDaily('quota:t1', '2025-01-01', 2, 10), { allowed: true, count: 10 });
      t.same(await store.incrementDaily('quota:t1', '2025-01-02', 1, 10), { allowed: true, count: 1 });
      const racers = await Promise.all(Array.from({ length: 20 }, () => store.incrementDaily('quota:t2', '2025-01-01', 1, 7)));
      t.equal(racers.filter((r) => r.allowed).length, 7);
    });
  });
}

export function runCreditContract(t: Test, makeStore: MakeStore): void {
  ledgerTests(t, makeStore);
  reservationTests(t, makeStore);
  refillTests(t, makeStore);
  limitTests(t, makeStore);
}
