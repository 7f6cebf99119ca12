/**
 * Metrics units: bounded labels (first N keep their name, the rest are `other`), message id
 * timestamps decoded exactly as newMessageId encodes them, outcome records → counters and the
 * accept→delivered histogram, ingress replies → accept latency only for `250 … queued as`.
 */
import t from 'tap';
import { newMessageId } from '../domain/index.ts';
import { createMetrics, LabelCap, messageIdTime } from './metrics.ts';

t.test('LabelCap bounds cardinality', async (t) => {
  const cap = new LabelCap(2);
  t.same(['a', 'b', 'c', 'a', undefined, 'd'].map((v) => cap.label(v)), ['a', 'b', 'other', 'a', 'none', 'other']);
});

t.test('messageIdTime decodes the id timestamp', async (t) => {
  for (const at of [0, 1, 1_700_000_000_123, 2 ** 47 + 5]) t.equal(messageIdTime(newMessageId(at)), at);
  t.equal(messageIdTime('short'), undefined);
  t.equal(messageIdTime('!!!!!!!!!!!!'), undefined);
});

t.test('records and replies feed counters and histograms', async (t) => {
  const metrics = createMetrics({ topTenants: 1, topSites: 5 });
  const id = newMessageId(1_000_000);
  metrics.records([
    { type: 'Reception', at: 1_000_000, tenantId: 'tA', messageId: id, recipients: ['x@y'], mailFrom: 'a@b', size: 1, clientIp: '127.0.0.1', reply: '250' },
    { type: 'Delivery', at: 1_004_000, tenantId: 'tA', messageId: id, deliveryId: `${id}:0`, recipients: ['x@y', 'z@y'], egressIp: '127.0.0.2', site: 'google', attempt: 0, reply: { code: 250, text: 'ok' } },
    { type: 'Bounce', at: 1_005_000, tenantId: 'tB', messageId: id, deliveryId: `${id}:1`, recipients: ['q@r'], egressIp: '127.0.0.2', site: 'google', attempt: 0, bounceClass: 'bad-mailbox' },
  ]);
  metrics.ingress.sessionOpened();
  metrics.ingress.replied(250, '2.1.0 Accepted', 5);
  metrics.ingress.replied(250, '2.0.0 queued as X', 120);
  const text = await metrics.registry.metrics();
  t.match(text, /ferry_outcomes_total\{type="Delivery",tenant="tA",egress_ip="127\.0\.0\.2",site="google",class="250"\} 1/);
  t.match(text, /ferry_outcomes_total\{type="Bounce",tenant="other",egress_ip="127\.0\.0\.2",site="google",class="bad-mailbox"\} 1/, 'second tenant capped to other');
  t.match(text, /ferry_outcome_recipients_total\{type="Delivery",tenant="tA",egress_ip="127\.0\.0\.2",site="google"\} 2/);
  t.match(text, /ferry_accept_to_delivered_seconds_sum\{site="google"\} 4\n/, 'accept→delivered = 4 s from the id timestamp');
  t.match(text, /ferry_ingress_accept_seconds_count 1\n/, 'only the queued-as 250 counts');
  t.match(text, /ferry_ingress_accept_seconds_sum 0\.12\n/);
  t.match(text, /ferry_ingress_replies_total\{code="250"\} 2/);
  t.match(text, /ferry_ingress_sessions_open 1/);
});
