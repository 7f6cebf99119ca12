/**
 * `ferry queue`, `ferry message` and `ferry queue <verb>` against a real relay process:
 * a stuck delivery (a receiver that accepts TCP and never greets) shows up by egress path in the
 * relay's queue snapshot with a growing oldest age, by tenant and by domain from the spool, and
 * the same through the admin API (--api). Bulk verbs run directly on the LMDB env and through
 * API, with dry-run counts first. Also the CLI's admin token bootstrap and `ferry outcomes`.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRelayProcess, runCli } from './support/relay-process.ts';
import { provisionOperatorTenant as provision, sendAs as send } from './support/operator-relay.ts';

/** A receiver that accepts connections and never says a word (greeting timeout is minutes). */
async function startSilentReceiver(): Promise<{ port: number; close(): void }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => sockets.add(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, close: () => { for (const s of sockets) s.destroy(); server.close(); } };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

t.test('stuck deliveries: ferry queue by egress path, tenant and domain; ferry message; the same via --api', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-cliq-'));
  const receiver = await startSilentReceiver();
  t.teardown(() => { receiver.close(); rmSync(dataDir, { recursive: true, force: true }); });
  const { apiKey, token } = await provision(dataDir);
  const relay = await startRelayProcess(dataDir, {
    FERRY_DELIVERY_ROUTES: JSON.stringify({ '*': `127.0.0.1:${receiver.port}` }),
    FERRY_DELIVERY_LIMITS_MAX_CONNECTIONS: '1',
    FERRY_ADMIN_QUEUE_SNAPSHOT_INTERVAL: '200ms',
  });
  t.teardown(() => relay.kill('SIGKILL'));
  const ports = relay.ports as typeof relay.ports & { admin: number; metrics: number };
  t.ok(ports.admin > 0 && ports.metrics > 0, `admin on ${ports.admin}, metrics on ${ports.metrics}`);
  const ids = await send(ports.submission, apiKey, ['a@dest.test', 'b@dest.test', 'c@dest.test', 'd@dest.test', 'e@other.test', 'f@other.test']);
  // Under load the relay may take a moment to claim and route everything: poll (bounded).
  let local = JSON.parse(await runCli(dataDir, ['--json', 'queue']));
  for (let i = 0; i < 20 && !(local.egressPaths.paths[0]?.depth === 5 && local.totals.oldestAgeMs >= 1000); i++) {
    await sleep(500);
    local = JSON.parse(await runCli(dataDir, ['--json', 'queue']));
  }
  t.same(local.byTenant.map((g: { deliveries: number }) => g.deliveries), [6], 'by tenant: all six deliveries');
  t.same(local.byDomain.map((g: { key: string; deliveries: number }) => [g.key, g.deliveries]), [['dest.test', 4], ['other.test', 2]]);
  t.ok(local.totals.oldestAgeMs >= 1000, `oldest message is ${local.totals.oldestAgeMs} ms old`);
  t.ok(local.egressPaths.snapshotAgeMs < 10_000, `snapshot is ${local.egressPaths.snapshotAgeMs} ms old`);
  const [path] = local.egressPaths.paths;
  t.equal(path?.ip, '127.0.0.1');
  t.ok(path?.activeConnections <= 1, 'at most one connection (limit 1), stuck before the greeting');
  t.equal(path?.depth, 5, 'one delivery in flight, the rest wait on the ready queue');
  t.ok(path.oldestAgeMs >= 1000, `egress path oldest age ${path.oldestAgeMs} ms`);
  const human = await runCli(dataDir, ['queue']);
  t.match(human, /by egress path \(snapshot of node-1, \d+s old\)/);
  t.match(human, /127\.0\.0\.1\s+route:127\.0\.0\.1:\d+\s+5\s+[01]\s+\d+s/);

  const trace = JSON.parse(await runCli(dataDir, ['--json', 'message', ids[0]!]));
  t.same(trace.deliveries.map((d: { domain: string; state: string }) => [d.domain, d.state]), [['dest.test', 'active']]);
  t.same(trace.records.map((r: { type: string }) => r.type), ['Reception']);
  t.equal(trace.message.mailFrom, 'app@queue.test');
  t.notOk('body' in trace.message, 'never the body');

  const api = ['--api', `http://127.0.0.1:${ports.admin}`, '--token', token, '--json'];
  const remote = JSON.parse(await runCli(dataDir, [...api, 'queue']));
  t.same(remote.byDomain.map((g: { key: string }) => g.key), ['dest.test', 'other.test']);
  t.equal(remote.egressPaths.paths[0].depth, 5, 'the API shows the live ready queue');
  const remoteTrace = JSON.parse(await runCli(dataDir, [...api, 'message', ids[4]!]));
  t.equal(remoteTrace.deliveries[0].domain, 'other.test');
  const skipped = JSON.parse(await runCli(dataDir, [...api, 'queue', 'hold', '--domain', 'dest.test', '--dry-run']));
  t.same([skipped.matched, skipped.skippedActive], [0, 4], 'in-flight deliveries cannot be held; they are counted');
});
