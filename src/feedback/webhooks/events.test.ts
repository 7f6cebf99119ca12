/**
 * Unit tests of outcome record → webhook event mapping and of signatures (window, tampering).
 */
import t from 'tap';
import { webhookEventsOf } from './events.ts';
import { signWebhook, verifyWebhook } from './signature.ts';

t.test('events', async (t) => {
  t.match(webhookEventsOf({ type: 'Delivery', at: 5, seq: 7, tenantId: 'tn_a', messageId: 'M', deliveryId: 'M:0', recipients: ['a@x.test'], attempt: 1 }),
    { id: 'evt_7', type: 'delivered', seq: 7, messageId: 'M', createdAt: 5, data: { recipients: ['a@x.test'] } });
  t.match(webhookEventsOf({ type: 'Suppressed', at: 5, seq: 8, tenantId: 'tn_a', recipient: 'a@x.test', reason: 'complaint', scope: 'tn_a' }), { type: 'suppressed', data: { scope: 'tenant' } });
  t.equal(webhookEventsOf({ type: 'AdminAction', at: 5, seq: 9, tenantId: 'tn_a', actor: 'x', action: 'y', target: 'z' }), undefined);
  t.equal(webhookEventsOf({ type: 'Unsubscribe', at: 5, seq: 9, recipient: 'a@x.test' }), undefined, 'no tenant');
});

t.test('signatures', async (t) => {
  const header = signWebhook('k', '{"a":1}', 1_000_000);
  t.ok(verifyWebhook('k', '{"a":1}', header, 1_000_000 + 60_000, 300_000));
  t.notOk(verifyWebhook('k', '{"a":2}', header, 1_000_000, 300_000), 'body changed');
  t.notOk(verifyWebhook('j', '{"a":1}', header, 1_000_000, 300_000), 'other key');
  t.notOk(verifyWebhook('k', '{"a":1}', header, 1_000_000 + 600_000, 300_000), 'outside the replay window');
  t.notOk(verifyWebhook('k', '{"a":1}', 'garbage', 1_000_000, 300_000));
});
