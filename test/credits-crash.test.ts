/**
 * Crash consistency of the credit meter (embedded store, credits.metered): SIGKILL the relay
 * in the middle of an authenticated load, restart it (unconfirmed spool charges are committed
 * before it serves), stop it, and check that ledger sum = balance, every acknowledged message
 * is spooled, and the charges are exactly the spooled messages (one recipient each), once each.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalDatabase } from '../src/platform/index.ts';
import { openSpool } from '../src/spool/index.ts';
import { runCli, startRelayProcess } from './support/relay-process.ts';
import { runSession, type TransactionResult } from './two-nodes-cluster.ts';

t.test('SIGKILL under load: ledger = balance, charged = spooled ⊇ acknowledged, nothing charged twice', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-credits-crash-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = { FERRY_CREDITS_METERED: 'true', FERRY_DELIVERY_ENABLED: 'false' };
  await runCli(dataDir, ['tenant', 'add', 'crashco'], env);
  await runCli(dataDir, ['domain', 'add', 'crashco', 'crashco.test'], env);
  await runCli(dataDir, ['credits', 'add', 'crashco', '100000'], env);
  const apiKey = (JSON.parse(await runCli(dataDir, ['--json', 'key', 'add', 'crashco'], env)) as { key: string }).key;

  const relay = await startRelayProcess(dataDir, env);
  const results: TransactionResult[] = [];
  let killed = false;
  const until = () => {
    if (!killed && results.filter((r) => r.code === 250).length >= 600) {
      killed = true;
      relay.child.kill('SIGKILL');
    }
    return killed;
  };
  const plans = Array.from({ length: 20 }, () => ({ port: relay.ports.submission, apiKey, domain: 'crashco.test', transactions: 1000, until }));
  await Promise.all(plans.map((plan) => runSession(plan, results)));
  await relay.exited;
  t.ok(killed, 'the relay was killed mid-load');

  const restarted = await startRelayProcess(dataDir, env);
  t.equal(await restarted.kill('SIGTERM'), 0, 'restarted relay serves and stops cleanly');

  const db = openLocalDatabase(dataDir);
  const spool = openSpool(db);
  const spooled = new Set<string>();
  for (const key of db.openDB<unknown, string>('spool.messages', { encoding: 'msgpack' }).getKeys()) spooled.add(key);
  t.same(await spool.unconfirmedCharges(100_000), [], 'no unconfirmed charge left after the restart');
  await spool.close();
  await db.close();

  const view = JSON.parse(await runCli(dataDir, ['--json', 'credits', 'show', 'crashco', '--lines', '100000'], env)) as {
    balance: number; ledger: { kind: string; amount: number; ref: string }[];
  };
  const acked = results.filter((r) => r.code === 250).map((r) => /queued as (\S+)/.exec(r.line)?.[1] ?? '');
  const charges = view.ledger.filter((e) => e.kind === 'charge');
  t.equal(view.ledger.reduce((sum, e) => sum + e.amount, 0), view.balance, 'ledger sum = balance');
  t.same(acked.filter((id) => !spooled.has(id)), [], 'every acknowledged message is spooled');
  t.equal(new Set(charges.map((e) => e.ref)).size, charges.length, 'no message charged twice');
  t.same(new Set(charges.map((e) => e.ref)), spooled, 'charged messages = spooled messages');
  t.equal(view.balance, 100_000 - spooled.size, 'one credit per spooled recipient');
  t.comment(`acknowledged ${acked.length}, spooled ${spooled.size} (acked or in flight at the kill), charged ${charges.length}`);
});
