/**
 * Pure fan-out and summary folding: one delivery per recipient domain (case-folded, first-seen
 * order), the key range of a message's deliveries, and summary groups with their sort order.
 */
import t from 'tap';
import { deliveryIndex, deliveryKeyRange, planDeliveries } from './fanout.ts';
import { summarizeDeliveries } from './summary.ts';
import type { AcceptedMessage } from '../domain/index.ts';

const base: AcceptedMessage = {
  id: 'MSG1',
  tenantId: 'tn_a',
  envelope: { mailFrom: 'a@s.test', rcptTo: ['one@B.test', 'two@a.test', 'three@b.TEST'] },
  fromDomain: 's.test',
  receivedAt: 100,
  clientIp: '127.0.0.1',
  size: 1,
  body: Buffer.from('x'),
};

t.test('one delivery per domain in first-seen order, due at receivedAt', async (t) => {
  const deliveries = planDeliveries(base, 900);
  t.same(
    deliveries.map((d) => [d.id, d.domain, d.recipients.map((r) => r.address), d.dueAt, d.expiresAt]),
    [
      ['MSG1:0', 'b.test', ['one@B.test', 'three@b.TEST'], 100, 900],
      ['MSG1:1', 'a.test', ['two@a.test'], 100, 900],
    ],
  );
  t.ok(deliveries.every((d) => d.recipients.every((r) => r.state === 'pending')));
  t.throws(() => planDeliveries({ ...base, envelope: { mailFrom: 'a@s.test', rcptTo: [] } }, 900));
});

t.test('delivery key range holds ids of the message only', async (t) => {
  const { start, end } = deliveryKeyRange('MSG1');
  const inRange = (id: string) => id >= start && id < end;
  t.ok(inRange('MSG1:0') && inRange('MSG1:12'));
  t.notOk(inRange('MSG10:0') || inRange('MSG1') || inRange('MSG2:0'));
  t.equal(deliveryIndex('MSG1:12'), 12);
});

t.test('summary totals and groups, largest group first', async (t) => {
  const [b, a] = planDeliveries(base, 900);
  const other = planDeliveries({ ...base, id: 'MSG2', tenantId: 'tn_b', receivedAt: 50 }, 900);
  const summary = summarizeDeliveries([{ ...b!, state: 'active' }, a!, ...other], 2);
  t.same(summary.totals, { messages: 2, scheduled: 3, active: 1, oldestReceivedAt: 50 });
  t.same(summary.byDomain.map((g) => [g.key, g.deliveries, g.messages, g.active, g.oldestReceivedAt]), [
    ['a.test', 2, 2, 0, 50],
    ['b.test', 2, 2, 1, 50],
  ]);
  t.same(summary.byTenant.map((g) => [g.key, g.deliveries, g.messages]), [['tn_a', 2, 1], ['tn_b', 2, 1]], 'a message counts once per group');
  t.same(summarizeDeliveries([], 0).totals, { messages: 0, scheduled: 0, active: 0, oldestReceivedAt: undefined });
});
