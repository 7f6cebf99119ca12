/**
 * Auto-refill against a real billing endpoint (node:http on 127.0.0.1) with two Ferry nodes on
 * one real Redis: 20 concurrent sessions crossing the threshold on both nodes buy exactly once
 * (signed request, credits added with one `refill` entry); a failing endpoint never adds
 * credits; a refusing one pauses auto-refill with an AdminAction outcome; a slow one never
 * blocks SMTP sessions. Enabling auto-refill without billing.url is a clear error.
 */
import t from 'tap';
import { createServer, type IncomingMessage } from 'node:http';
import { once } from 'node:events';
import { signPurchase } from '../src/feedback/billing/index.ts';
import { runCli } from './support/relay-process.ts';
import { countBy, ledgerOf, provisionTenant, runSessions, startCluster, type Cluster, type SessionPlan } from './two-nodes-cluster.ts';

const SECRET = 'billing-test-secret';

interface Purchase {
  readonly tenantId: string;
  readonly amount: number;
  readonly idempotencyKey: string;
  readonly signatureOk: boolean;
}

/** Behaviour per tenant id: what the endpoint answers and after how long. */
type Behaviour = { status: number; delayMs?: number };

async function startBilling(behaviourOf: (tenantId: string) => Behaviour) {
  const purchases: Purchase[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const parsed = JSON.parse(body) as Omit<Purchase, 'signatureOk'>;
      const timestamp = String(request.headers['x-ferry-timestamp']);
      const signatureOk = request.headers['x-ferry-signature'] === signPurchase(SECRET, timestamp, body);
      purchases.push({ ...parsed, signatureOk });
      const behaviour = behaviourOf(parsed.tenantId);
      setTimeout(() => response.writeHead(behaviour.status, { 'content-type': 'text/plain' }).end(behaviour.status === 402 ? 'card declined' : 'ok'), behaviour.delayMs ?? 0);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/purchase`, purchases, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

async function tenantId(cluster: Cluster, name: string): Promise<string> {
  return (JSON.parse(await cluster.cli(['--json', 'tenant', 'show', name])) as { tenant: { id: string } }).tenant.id;
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

const behaviours = new Map<string, Behaviour>();
const billing = await startBilling((id) => behaviours.get(id) ?? { status: 200 });
t.teardown(() => billing.close());
const cluster = await startCluster(t, 2, { FERRY_BILLING_URL: billing.url, FERRY_BILLING_SECRET: SECRET, FERRY_BILLING_TIMEOUT: '15s', FERRY_BILLING_RETRIES: '1' });

function plans(apiKey: string, domain: string, sessions: number, each: number): SessionPlan[] {
  return Array.from({ length: sessions }, (_, i) => ({ port: cluster.nodes[i % 2]!.ports.submission, apiKey, domain, transactions: each }));
}

async function setUp(name: string, credits: number, behaviour: Behaviour): Promise<{ apiKey: string; id: string }> {
  const apiKey = await provisionTenant(cluster, name, credits);
  const id = await tenantId(cluster, name);
  behaviours.set(id, behaviour);
  await cluster.cli(['tenant', 'refill', name, '--threshold', '100', '--amount', '2000', '--enable']);
  return { apiKey, id };
}

t.test('20 concurrent sessions on two nodes cross the threshold: exactly one purchase', async (t) => {
  const { apiKey, id } = await setUp('raceco', 150, { status: 200, delayMs: 300 });
  const results = await runSessions(plans(apiKey, 'raceco.test', 20, 5));
  t.equal(countBy(results, (r) => r.code === 250), 100, 'all 100 messages accepted (150 credits)');
  t.ok(await waitFor(async () => (await ledgerOf(cluster, 'raceco')).ledger.some((e) => e.kind === 'refill'), 10_000), 'refill credited');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const mine = billing.purchases.filter((p) => p.tenantId === id);
  t.equal(mine.length, 1, 'exactly one purchase request');
  t.match(mine[0], { amount: 2000, signatureOk: true });
  const view = await ledgerOf(cluster, 'raceco');
  t.equal(view.ledger.filter((e) => e.kind === 'refill').length, 1, 'one refill ledger entry');
  t.equal(view.ledger.find((e) => e.kind === 'refill')?.ref, mine[0]?.idempotencyKey, 'ledger ref = idempotency key');
  t.equal(view.balance, 150 + 2000 - 100);
  t.equal(view.ledger.reduce((sum, e) => sum + e.amount, 0), view.balance, 'ledger sum = balance');
});

t.test('a failing billing endpoint never adds credits', async (t) => {
  const { apiKey, id } = await setUp('failco', 110, { status: 503 });
  const results = await runSessions(plans(apiKey, 'failco.test', 4, 5));
  t.equal(countBy(results, (r) => r.code === 250), 20);
  t.ok(await waitFor(() => billing.purchases.filter((p) => p.tenantId === id).length >= 2, 10_000), 'the purchase was tried and retried');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const view = await ledgerOf(cluster, 'failco');
  t.equal(view.ledger.filter((e) => e.kind === 'refill').length, 0, 'no refill entry');
  t.equal(view.balance, 90, 'only the charges moved the balance');
});

t.test('a refusing billing endpoint pauses auto-refill and says why', async (t) => {
  const { apiKey, id } = await setUp('declineco', 105, { status: 402 });
  await runSessions(plans(apiKey, 'declineco.test', 2, 5));
  t.ok(await waitFor(async () => {
    const view = JSON.parse(await cluster.cli(['--json', 'credits', 'show', 'declineco'])) as { refill: { paused?: boolean; pausedReason?: string } };
    return view.refill.paused === true;
  }, 10_000), 'auto-refill paused');
  const view = JSON.parse(await cluster.cli(['--json', 'credits', 'show', 'declineco'])) as { balance: number; refill: { pausedReason: string }; ledger: { kind: string }[] };
  t.match(view.refill.pausedReason, /402.*card declined/);
  t.equal(view.ledger.filter((e) => e.kind === 'refill').length, 0);
  t.equal(billing.purchases.filter((p) => p.tenantId === id).length, 1, 'a refusal is not retried');
  const outcomes = JSON.parse(await cluster.cli(['--json', 'outcomes', '--tenant', id, '--type', 'AdminAction'])) as { records?: { action: string; reason?: string }[] } | { action: string }[];
  const records = Array.isArray(outcomes) ? outcomes : (outcomes.records ?? []);
  t.ok(records.some((r) => r.action === 'credits.refill-paused'), 'an AdminAction outcome records the pause');
});

t.test('a slow billing endpoint never blocks SMTP sessions', async (t) => {
  const { apiKey } = await setUp('slowco', 120, { status: 200, delayMs: 6_000 });
  const started = Date.now();
  const results = await runSessions(plans(apiKey, 'slowco.test', 10, 10));
  const elapsed = Date.now() - started;
  t.equal(countBy(results, (r) => r.code === 250), 100, 'every message accepted while the purchase hangs');
  const slowest = Math.max(...results.map((r) => r.latencyMs));
  t.ok(slowest < 2_000, `slowest transaction ${slowest} ms (billing answers after 6 s)`);
  t.ok(elapsed < 6_000, `the load finished in ${elapsed} ms, before billing answered`);
  t.ok(await waitFor(async () => (await ledgerOf(cluster, 'slowco')).ledger.some((e) => e.kind === 'refill'), 15_000), 'the slow purchase is credited later');
});

t.test('enabling auto-refill without billing.url is a clear error', async (t) => {
  await provisionTenant(cluster, 'nobill', 0);
  const env = { ...cluster.env, FERRY_BILLING_URL: '' };
  await t.rejects(runCli(cluster.dataDirs[0]!, ['tenant', 'refill', 'nobill', '--threshold', '100', '--amount', '2000', '--enable'], env), /billing\.url is not configured/);
});
