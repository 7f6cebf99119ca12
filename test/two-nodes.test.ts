/**
 * Two Ferry nodes as one relay (Done-when of the Redis/credits issue): two `ferry serve`
 * processes with their own ports and data dirs share one real redis-server. One tenant with
 * 1,000 credits offers 1,500 one-recipient messages across both nodes at once: exactly 1,000
 * are accepted, the other 500 get 452 4.7.1, and ledger sum = balance = 0. A per-tenant rate
 * limit holds across both nodes: accepted messages over the run within 10 % of burst + rate × time.
 */
import t from 'tap';
import { countBy, ledgerOf, provisionTenant, runSessions, startCluster, type SessionPlan } from './two-nodes-cluster.ts';

t.test('1,000 credits, 1,500 recipients over two nodes: exactly 1,000 accepted, 500 × 452, ledger = balance = 0', async (t) => {
  const cluster = await startCluster(t, 2);
  const apiKey = await provisionTenant(cluster, 'meterco', 1000);
  // 30 sessions (15 per node) × 50 transactions = 1,500 recipients.
  const plans: SessionPlan[] = Array.from({ length: 30 }, (_, i) => ({
    port: cluster.nodes[i % 2]!.ports.submission, apiKey, domain: 'meterco.test', transactions: 50,
  }));
  const results = await runSessions(plans);
  const accepted = countBy(results, (r) => r.code === 250);
  const insufficient = countBy(results, (r) => r.line.startsWith('452 4.7.1 insufficient credits'));
  t.equal(results.length, 1500, 'every transaction answered');
  t.equal(accepted, 1000, 'exactly 1,000 recipients accepted');
  t.equal(insufficient, 500, 'the other 500 refused with 452 4.7.1');
  const view = await ledgerOf(cluster, 'meterco');
  t.equal(view.balance, 0, 'balance 0');
  t.equal(view.reserved, 0, 'nothing left reserved');
  t.equal(view.ledger.reduce((sum, e) => sum + e.amount, 0), 0, 'ledger sum = balance');
  const charges = view.ledger.filter((e) => e.kind === 'charge');
  t.equal(charges.length, 1000, 'one charge per accepted message');
  t.equal(new Set(charges.map((e) => e.ref)).size, 1000, 'no message charged twice');
  const acceptedIds = results.filter((r) => r.code === 250).map((r) => /queued as (\S+)/.exec(r.line)?.[1]);
  t.same(new Set(acceptedIds), new Set(charges.map((e) => e.ref)), 'charged messages = acknowledged messages');
});

t.test('per-tenant rate limit across both nodes: accepted within 10 % of burst + rate × time', async (t) => {
  const rate = 40;
  const burst = 5;
  const cluster = await startCluster(t, 2, { FERRY_TENANT_LIMITS_MESSAGES_PER_SECOND: String(rate), FERRY_TENANT_LIMITS_BURST: String(burst) });
  const apiKey = await provisionTenant(cluster, 'rateco', 100_000);
  const windowMs = 5_000;
  const started = Date.now();
  const until = () => Date.now() - started >= windowMs;
  const plans: SessionPlan[] = Array.from({ length: 16 }, (_, i) => ({
    port: cluster.nodes[i % 2]!.ports.submission, apiKey, domain: 'rateco.test', transactions: 100_000, until,
  }));
  const results = await runSessions(plans);
  const elapsedS = (Math.max(...results.map((r) => r.at)) - started) / 1000;
  const accepted = countBy(results, (r) => r.code === 250);
  const limited = countBy(results, (r) => r.line.startsWith('451 4.7.1'));
  const expected = burst + rate * elapsedS;
  t.comment(`rate ${rate}/s burst ${burst}: ${accepted} accepted, ${limited} × 451 4.7.1 in ${elapsedS.toFixed(2)} s (expected ≈ ${expected.toFixed(0)})`);
  t.ok(limited > accepted, 'the load offered well above the limit');
  t.ok(Math.abs(accepted - expected) <= expected * 0.1, `accepted ${accepted} within 10 % of ${expected.toFixed(0)}`);
  for (const node of cluster.nodes) {
    t.ok(results.some((r) => r.code === 250 && r.port === node.ports.submission), `node on port ${node.ports.submission} accepted some`);
  }
  t.equal(countBy(results, (r) => r.code !== 250 && !r.line.startsWith('451 4.7.1')), 0, 'no other refusals');
});
