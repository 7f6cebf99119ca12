/**
 * The StateStore contract, feedback loop: suppression (tenant + global scope, lower-cased,
 * expiry, an active entry kept unless the new one lasts longer, removal only with a note), the
 * soft-bounce day tally, consumer cursors (never back), complaint cases (open once, CAS
 * transitions), webhook endpoints (secret round-trips) and the outbox (seq order, idempotent).
 * Exports runFeedbackContract(t, makeStore), called by runStateStoreContract for every backend.
 */
import type { Test } from 'tap';
import { isFerryError, ErrorCodes } from '../domain/index.ts';
import { withStore, type MakeStore } from './contract-support.ts';
import { GLOBAL_SCOPE, type ComplaintCase, type WebhookEvent } from './feedback-types.ts';


function suppressionTests(t: Test, makeStore: MakeStore): void {
  t.test('suppression: scopes, expiry, keep-or-replace, removal with a note', async (t) => {
    await withStore(makeStore, async (store) => {
      const base = { reason: 'hard-bounce' as const, source: 'outcome:1', createdAt: 10 };
      const soft = await store.addSuppression({ ...base, scope: 'tn_a', address: 'Bob@X.test', expiresAt: 1_000 }, 100);
      t.match(soft, { applied: true, entry: { address: 'bob@x.test', expiresAt: 1_000 } });
      t.match(await store.findSuppression('tn_a', '<BOB@x.test>', 500), { reason: 'hard-bounce' }, 'case-insensitive');
      t.equal(await store.findSuppression('tn_a', 'bob@x.test', 1_000), undefined, 'expired');
      t.equal(await store.findSuppression('tn_b', 'bob@x.test', 500), undefined, 'other tenant');
      const shorter = await store.addSuppression({ ...base, scope: 'tn_a', address: 'bob@x.test', reason: 'manual', expiresAt: 900 }, 100);
      t.match(shorter, { applied: false, entry: { reason: 'hard-bounce', expiresAt: 1_000 } }, 'a shorter one is not applied');
      const forever = await store.addSuppression({ ...base, scope: 'tn_a', address: 'bob@x.test', reason: 'unsubscribe' }, 100);
      t.equal(forever.applied, true, 'permanent replaces expiring');
      const again = await store.addSuppression({ ...base, scope: 'tn_a', address: 'bob@x.test', reason: 'hard-bounce' }, 100);
      t.match(again, { applied: false, entry: { reason: 'unsubscribe' } }, 'an active permanent entry stays');
      await store.addSuppression({ ...base, scope: GLOBAL_SCOPE, address: 'spam@trap.test', reason: 'manual' }, 100);
      t.match(await store.findSuppression('tn_b', 'spam@trap.test', 100), { scope: GLOBAL_SCOPE }, 'global applies to every tenant');
      t.same((await store.listSuppressions('tn_a')).map((e) => e.address), ['bob@x.test']);
      const refused = await store.removeSuppression('tn_a', 'bob@x.test', ' ').then(() => undefined, (e: unknown) => e);
      t.ok(isFerryError(refused, ErrorCodes.INVALID_INPUT), 'a note is required');
      t.match(await store.removeSuppression('tn_a', 'BOB@x.test', 'customer re-subscribed by phone'), { reason: 'unsubscribe' });
      t.equal(await store.findSuppression('tn_a', 'bob@x.test', 100), undefined, 'removed');
      t.equal(await store.removeSuppression('tn_a', 'bob@x.test', 'again'), undefined);
    });
  });

  t.test('soft-bounce tally counts distinct days inside the window', async (t) => {
    await withStore(makeStore, async (store) => {
      t.equal(await store.noteSoftBounce('tn_a', 'c@x.test', 100, 7), 1);
      t.equal(await store.noteSoftBounce('tn_a', 'C@x.test', 100, 7), 1, 'same day counts once');
      t.equal(await store.noteSoftBounce('tn_a', 'c@x.test', 102, 7), 2);
      t.equal(await store.noteSoftBounce('tn_a', 'c@x.test', 108, 7), 2, 'day 100 left the window');
      t.equal(await store.noteSoftBounce('tn_b', 'c@x.test', 108, 7), 1, 'per scope');
    });
  });
}

function caseAndCursorTests(t: Test, makeStore: MakeStore): void {
  t.test('cursors never move back', async (t) => {
    await withStore(makeStore, async (store) => {
      t.equal(await store.getCursor('suppression'), 0);
      await store.advanceCursor('suppression', 7);
      await store.advanceCursor('suppression', 3);
      t.equal(await store.getCursor('suppression'), 7);
    });
  });

  t.test('complaint cases: open once, compare-and-set transitions, queries', async (t) => {
    await withStore(makeStore, async (store) => {
      const open: ComplaintCase = { id: 'cc_1', tenantId: 'tn_a', recipient: 'r@x.test', openedAt: 1_700_000_000_000, dueAt: 1_700_172_800_000, status: 'open' };
      t.equal((await store.openComplaintCase(open)).applied, true);
      t.match(await store.openComplaintCase({ ...open, recipient: 'other@x.test' }), { applied: false, complaintCase: { recipient: 'r@x.test' } });
      await store.openComplaintCase({ ...open, id: 'cc_2', tenantId: 'tn_b', openedAt: 1_700_000_000_001 });
      const consent = { consentedAt: 1_600_000_000_000, source: 'signup form', relationship: 'newsletter', submittedAt: 1_700_000_100_000 };
      const submitted = await store.transitionComplaintCase('cc_1', ['open'], { status: 'consent-submitted', consent });
      t.match(submitted, { id: 'cc_1', status: 'consent-submitted', consent });
      t.equal(await store.transitionComplaintCase('cc_1', ['open'], { status: 'expired' }), undefined, 'not from another status');
      t.equal(await store.transitionComplaintCase('cc_9', ['open'], { status: 'expired' }), undefined, 'unknown id');
      t.same((await store.listComplaintCases({ status: 'open' })).map((c) => c.id), ['cc_2']);
      t.same((await store.listComplaintCases({ tenantId: 'tn_a' })).map((c) => c.id), ['cc_1']);
      t.same((await store.listComplaintCases({})).map((c) => c.id), ['cc_1', 'cc_2'], 'oldest first');
      t.same(await store.getComplaintCase('cc_1'), submitted);
    });
  });
}

function webhookTests(t: Test, makeStore: MakeStore): void {
  t.test('webhook endpoints and the outbox', async (t) => {
    await withStore(makeStore, async (store) => {
      const endpoint = { tenantId: 'tn_a', url: 'http://127.0.0.1:9/hook', secret: 'whsec_abc', batchSize: 10, createdAt: 5 };
      await store.setWebhookEndpoint('tn_a', endpoint);
      t.same(await store.getWebhookEndpoint('tn_a'), endpoint, 'round trip with the secret in clear');
      t.same((await store.listWebhookEndpoints()).map((e) => e.tenantId), ['tn_a']);
      const event = (seq: number, tenantId = 'tn_a'): WebhookEvent =>
        ({ id: `evt_${seq}`, tenantId, seq, type: 'delivered', createdAt: seq, messageId: 'M1', data: { recipient: 'a@x.test' } });
      await store.enqueueWebhookEvents([event(3), event(1), event(2, 'tn_b')]);
      await store.enqueueWebhookEvents([event(1), event(5)]);
      t.same((await store.peekWebhookEvents('tn_a', 10)).map((e) => e.id), ['evt_1', 'evt_3', 'evt_5'], 'seq order, no duplicate');
      t.same(await store.peekWebhookEvents('tn_a', 1), [event(1)]);
      await store.removeWebhookEvents('tn_a', [1, 3]);
      t.same((await store.peekWebhookEvents('tn_a', 10)).map((e) => e.id), ['evt_5']);
      t.same((await store.peekWebhookEvents('tn_b', 10)).map((e) => e.id), ['evt_2']);
      await store.setWebhookEndpoint('tn_a', undefined);
      t.equal(await store.getWebhookEndpoint('tn_a'), undefined);
    });
  });
}

export function runFeedbackContract(t: Test, makeStore: MakeStore): void {
  suppressionTests(t, makeStore);
  caseAndCursorTests(t, makeStore);
  webhookTests(t, makeStore);
}
