/**
 * Unit tests of the record → suppression rules: hard Bounce (flag or legacy class), soft Bounce
 * and Expiration as soft failures, Complaint, Unsubscribe; records without a tenant do nothing.
 */
import t from 'tap';
import { suppressionActions, utcDayNumber } from './rules.ts';

const attempt = { at: 0, seq: 9, tenantId: 'tn_a', messageId: 'M', deliveryId: 'M:0', recipients: ['a@x.test', 'b@x.test'], attempt: 1 };

t.test('suppression actions per record type', async (t) => {
  t.match(suppressionActions({ ...attempt, type: 'Bounce', hard: true, bounceClass: 'user-unknown' }), [
    { kind: 'suppress', reason: 'hard-bounce', address: 'a@x.test', source: 'outcome:9' }, { kind: 'suppress', address: 'b@x.test' }]);
  t.match(suppressionActions({ ...attempt, type: 'Bounce', bounceClass: 'user-unknown' }), [{ kind: 'suppress' }, { kind: 'suppress' }], 'legacy record: class decides');
  t.match(suppressionActions({ ...attempt, type: 'Bounce', hard: false, bounceClass: 'mailbox-full' }), [{ kind: 'soft-failure' }, { kind: 'soft-failure' }]);
  t.match(suppressionActions({ ...attempt, type: 'Expiration' }), [{ kind: 'soft-failure' }, { kind: 'soft-failure' }]);
  t.match(suppressionActions({ type: 'Complaint', at: 0, seq: 3, tenantId: 'tn_a', recipient: 'c@x.test', source: 'arf:abuse' }), [{ reason: 'complaint', address: 'c@x.test' }]);
  t.match(suppressionActions({ type: 'Unsubscribe', at: 0, seq: 4, tenantId: 'tn_a', recipient: 'd@x.test' }), [{ reason: 'unsubscribe' }]);
  t.same(suppressionActions({ ...attempt, type: 'Delivery' }), []);
  t.same(suppressionActions({ type: 'Unsubscribe', at: 0, recipient: 'd@x.test' }), [], 'no tenant, no action');
  t.equal(utcDayNumber(Date.UTC(2025, 0, 2, 23, 59)), utcDayNumber(Date.UTC(2025, 0, 2, 0, 0)));
});
