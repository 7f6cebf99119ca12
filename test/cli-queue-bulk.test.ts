/**
 * Bulk queue verbs against a real relay process (delivery off, so mail stays scheduled): hold on
 * the node's LMDB env with a dry-run count first, release and purge through the admin API (--api),
 * exactly the matched deliveries removed, one AdminAction record each; `ferry outcomes` paged,
 * a bad token refused with its stable code, and `ferry admin token list`.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRelayProcess, runCli } from './support/relay-process.ts';
import { provisionOperatorTenant as provision, sendAs as send } from './support/operator-relay.ts';

t.test('bulk verbs on the node and through the API; admin tokens and outcomes from the CLI', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-cliq-bulk-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const { apiKey, token } = await provision(dataDir);
  const relay = await startRelayProcess(dataDir, { FERRY_DELIVERY_ENABLED: 'false' });
  t.teardown(() => relay.kill('SIGKILL'));
  const ports = relay.ports as typeof relay.ports & { admin: number };
  await send(ports.submission, apiKey, ['a@keep.test', 'b@keep.test', 'c@drop.test', 'd@drop.test', 'e@drop.test']);
  const api = ['--api', `http://127.0.0.1:${ports.admin}`, '--token', token, '--json'];

  const dry = JSON.parse(await runCli(dataDir, ['--json', 'queue', 'hold', '--tenant', 'queueco', '--dry-run']));
  t.same([dry.dryRun, dry.matched], [true, 5]);
  t.equal(JSON.parse(await runCli(dataDir, ['--json', 'queue', 'hold', '--tenant', 'queueco'])).matched, 5, 'held on the node');
  t.equal(JSON.parse(await runCli(dataDir, [...api, 'queue'])).totals.held, 5, 'the API sees the holds');
  t.equal(JSON.parse(await runCli(dataDir, [...api, 'queue', 'release', '--domain', 'keep.test'])).matched, 2, 'released through the API');
  const purgeDry = JSON.parse(await runCli(dataDir, [...api, 'queue', 'purge', '--domain', 'drop.test', '--dry-run']));
  t.equal(purgeDry.matched, 3);
  const purged = JSON.parse(await runCli(dataDir, [...api, 'queue', 'purge', '--domain', 'drop.test', '--reason', 'customer asked']));
  t.equal(purged.matched, 3);
  const local = JSON.parse(await runCli(dataDir, ['--json', 'queue']));
  t.same(local.byDomain.map((g: { key: string; scheduled: number }) => [g.key, g.scheduled]), [['keep.test', 2]], 'exactly the purged ones are gone');

  const records = JSON.parse(await runCli(dataDir, ['--json', 'outcomes', '--type', 'AdminAction', '--limit', '50']));
  const purges = records.records.filter((r: { action: string }) => r.action === 'queue.purged');
  t.equal(purges.length, 3, 'one AdminAction record per purged delivery');
  t.equal(records.records.filter((r: { action: string }) => r.action === 'queue.purge').length, 1, 'and one for the bulk call');
  t.ok(purges.every((r: { actor: string; reason: string }) => r.actor === 'admin-api:ops' && r.reason === 'customer asked'));
  const paged = JSON.parse(await runCli(dataDir, [...api, 'outcomes', '--limit', '2']));
  t.equal(paged.records.length, 2);
  t.type(paged.nextAfterSeq, 'number');

  const denied = await runCli(dataDir, ['--api', `http://127.0.0.1:${ports.admin}`, '--token', 'fadm_aaaaaaaaaaaa.' + 'b'.repeat(40), 'queue']).then(() => 'ok', (e: { stderr: string }) => e.stderr);
  t.match(denied, /MTA_ERR_UNAUTHORIZED/);
  const tokens = JSON.parse(await runCli(dataDir, ['--json', 'admin', 'token', 'list']));
  t.same(tokens.map((x: { name: string; scopes: string[] }) => [x.name, x.scopes]), [['ops', ['read', 'queues']]]);
});
