/**
 * Redis goes away mid-load (SHUTDOWN SAVE: the server stops, its data survives on disk) under
 * two metered Ferry nodes: sessions get 451 4.3.0 (never a 5xx, never a hang), every message
 * acknowledged with 250 is in a node's spool, no message is charged twice and every spooled
 * message is charged once; when Redis comes back each node serves again by itself.
 */
import t from 'tap';
import { Redis } from 'ioredis';
import { openLocalDatabase } from '../src/platform/index.ts';
import { openSpool } from '../src/spool/index.ts';
import { startRedisServer } from './support/redis-server.ts';
import { countBy, ledgerOf, provisionTenant, runSessions, startCluster, type SessionPlan, type TransactionResult } from './two-nodes-cluster.ts';

t.test('Redis stopped mid-load: 451 4.3.0, nothing acknowledged lost, no double charge, recovery alone', async (t) => {
  const redis = await startRedisServer();
  t.teardown(() => redis.stop());
  const cluster = await startCluster(t, 2, { FERRY_STATE_REDIS_COMMAND_TIMEOUT: '300ms', FERRY_CREDITS_CONFIRM_EVERY: '500ms' }, redis);
  const apiKey = await provisionTenant(cluster, 'outageco', 100_000);
  const plan = (i: number, until: () => boolean): SessionPlan => ({ port: cluster.nodes[i % 2]!.ports.submission, apiKey, domain: 'outageco.test', transactions: 100_000, until });

  let stopAt = Number.POSITIVE_INFINITY;
  const results: TransactionResult[] = [];
  const load = runSessions(Array.from({ length: 10 }, (_, i) => plan(i, () => Date.now() > stopAt))).then((r) => results.push(...r));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const admin = new Redis(redis.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  admin.on('error', () => {}); // the server going away is the point
  await admin.connect();
  await admin.call('SHUTDOWN', 'SAVE').catch(() => undefined);
  admin.disconnect();
  const downAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 2000));
  await redis.restart();
  t.comment(`Redis down for ${Date.now() - downAt} ms`);
  stopAt = Date.now() + 3000;
  await load;

  const codes = new Map<string, number>();
  for (const r of results) codes.set(r.line.slice(0, 9), (codes.get(r.line.slice(0, 9)) ?? 0) + 1);
  t.comment(`replies: ${JSON.stringify(Object.fromEntries(codes))}`);
  t.ok(countBy(results, (r) => r.line.startsWith('451 4.3.0')) > 0, 'sessions got 451 4.3.0 while Redis was away');
  t.equal(countBy(results, (r) => r.code >= 500 || r.code === 0), 0, 'no 5xx and no broken session');
  const lastDown = Math.max(...results.filter((r) => r.code === 451).map((r) => r.at));
  t.ok(results.some((r) => r.code === 250 && r.at > lastDown), 'accepting again after Redis came back (no restart of the nodes)');

  // Stop the nodes gracefully, then compare what was acknowledged, spooled and charged.
  for (const node of cluster.nodes) t.equal(await node.kill('SIGTERM'), 0, 'node stops cleanly');
  const acked = results.filter((r) => r.code === 250).map((r) => /queued as (\S+)/.exec(r.line)?.[1] ?? '');
  const spooled = new Set<string>();
  let unconfirmed = 0;
  for (const dir of cluster.dataDirs) {
    const db = openLocalDatabase(dir);
    const spool = openSpool(db);
    const ids = db.openDB<unknown, string>('spool.messages', { encoding: 'msgpack' });
    for (const key of ids.getKeys()) spooled.add(key);
    unconfirmed += (await spool.unconfirmedCharges(100_000)).length;
    await spool.close();
    await db.close();
  }
  t.same(acked.filter((id) => !spooled.has(id)), [], 'every acknowledged message is spooled');
  t.equal(unconfirmed, 0, 'every spooled charge was confirmed once Redis came back');
  const view = await ledgerOf(cluster, 'outageco');
  const charges = view.ledger.filter((e) => e.kind === 'charge');
  t.equal(new Set(charges.map((e) => e.ref)).size, charges.length, 'no message charged twice');
  t.same(new Set(charges.map((e) => e.ref)), spooled, 'charged messages = spooled messages');
  t.equal(view.ledger.reduce((sum, e) => sum + e.amount, 0), view.balance, 'ledger sum = balance');
  t.comment(`acked ${acked.length}, spooled ${spooled.size}, charged ${charges.length}`);
});
