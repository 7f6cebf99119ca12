/**
 * Spool bulk operations against a real LMDB environment: hold parks deliveries so claimDue
 * never returns them, release makes them due at once, retry-now moves deferred mail forward,
 * remove deletes exactly the matched deliveries (and messages left without any); dry runs
 * count without changing anything; active deliveries are skipped. 10,000 messages for the
 * hold → release → claim path the admin API relies on.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalDatabase } from '../platform/localdb.ts';
import { newMessageId, type AcceptedMessage } from '../domain/index.ts';
import { matchesFilter, openSpool } from './index.ts';

const DAY = 86_400_000;

function openTempSpool(t: { teardown(fn: () => unknown): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bulk-'));
  const db = openLocalDatabase(dir);
  const spool = openSpool(db);
  t.teardown(async () => {
    await spool.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return spool;
}

function message(rcptTo: string[], receivedAt: number, tenantId = 'tn_alpha'): AcceptedMessage {
  const body = Buffer.from(`From: a@sender.test\r\nSubject: hi\r\n\r\nbody\r\n`);
  return { id: newMessageId(receivedAt), tenantId, envelope: { mailFrom: 'a@sender.test', rcptTo }, fromDomain: 'sender.test', receivedAt, clientIp: '127.0.0.1', size: body.length, body };
}

t.test('matchesFilter: every field narrows, an empty filter matches all', async (t) => {
  const d = { id: 'm:0', messageId: 'm', tenantId: 'tA', domain: 'x.test', recipients: [], state: 'scheduled' as const, attempts: 0, dueAt: 5, expiresAt: 9, receivedAt: 5 };
  t.ok(matchesFilter(d, {}));
  t.ok(matchesFilter(d, { tenantId: 'tA', domain: 'X.TEST', messageId: 'm', receivedBefore: 6 }));
  t.notOk(matchesFilter(d, { tenantId: 'tB' }));
  t.notOk(matchesFilter(d, { domain: 'y.test' }));
  t.notOk(matchesFilter(d, { messageId: 'n' }));
  t.notOk(matchesFilter(d, { receivedBefore: 5 }));
});

t.test('10,000 messages: hold → nothing claimable; release → every one claimable', async (t) => {
  const spool = openTempSpool(t);
  const count = 10_000;
  await Promise.all(Array.from({ length: count }, (_, i) => spool.accept(message([`r${i}@dest.test`], 1_000 + i), 1_000 + DAY)));
  const dry = await spool.bulk('hold', { domain: 'dest.test' }, { now: 20_000, dryRun: true });
  t.equal(dry.deliveries.length, count, 'dry run counts all');
  t.equal((await spool.stats()).scheduled, count, 'dry run changed nothing');

  const held = await spool.bulk('hold', { domain: 'dest.test' }, { now: 20_000 });
  t.equal(held.deliveries.length, count);
  t.same(await spool.claimDue(30_000, count), [], 'held deliveries are never claimed');
  const stats = await spool.stats();
  t.equal(stats.held, count);
  t.equal(stats.scheduled, 0);
  t.equal(stats.active, 0);
  t.equal((await spool.summary()).byDomain[0]?.held, count);

  const released = await spool.bulk('release', {}, { now: 40_000 });
  t.equal(released.deliveries.length, count);
  const claimed = await spool.claimDue(40_000, count + 10);
  t.equal(claimed.length, count, 'all released deliveries are due at once');
  t.equal(new Set(claimed.map((d) => d.id)).size, count);
});

t.test('retry-now moves deferred deliveries forward; active ones are skipped', async (t) => {
  const spool = openTempSpool(t);
  const a = message(['a@one.test'], 1_000);
  const b = message(['b@one.test'], 1_001);
  await spool.accept(a, 1_000 + DAY);
  await spool.accept(b, 1_000 + DAY);
  const [first] = await spool.claimDue(2_000, 1);
  await spool.complete(first!.id, { recipients: first!.recipients, nextAttemptAt: 900_000 });
  t.same(await spool.claimDue(3_000, 10).then((c) => c.map((d) => d.messageId)), [b.id], 'b is active now');
  t.same(await spool.claimDue(3_000, 10), [], 'a is deferred');

  const result = await spool.bulk('retry-now', { domain: 'one.test' }, { now: 4_000 });
  t.equal(result.skippedActive, 1, 'the in-flight delivery is left alone');
  t.same(result.deliveries.map((d) => d.messageId), [a.id]);
  const due = await spool.claimDue(4_000, 10);
  t.same(due.map((d) => [d.messageId, d.attempts]), [[a.id, 1]]);
});

t.test('remove deletes exactly the matched deliveries and orphaned messages', async (t) => {
  const spool = openTempSpool(t);
  const mixed = message(['x@gone.test', 'y@kept.test'], 1_000);
  const gone = message(['z@gone.test'], 1_001);
  const other = message(['w@gone.test'], 1_002, 'tn_beta');
  for (const m of [mixed, gone, other]) await spool.accept(m, 1_000 + DAY);
  await spool.bulk('hold', { messageId: gone.id }, { now: 1_500 });

  const dry = await spool.bulk('remove', { tenantId: 'tn_alpha', domain: 'gone.test' }, { now: 2_000, dryRun: true });
  t.same(dry.deliveries.map((d) => d.messageId).sort(), [mixed.id, gone.id].sort());
  t.equal((await spool.stats()).messages, 3, 'dry run removed nothing');

  const removed = await spool.bulk('remove', { tenantId: 'tn_alpha', domain: 'gone.test' }, { now: 2_000 });
  t.equal(removed.deliveries.length, 2, 'the held one too');
  t.equal(await spool.getMessage(gone.id), undefined, 'message with no delivery left is removed');
  t.ok(await spool.getMessage(mixed.id), 'message with a kept delivery stays');
  t.same((await spool.listDeliveries(mixed.id)).map((d) => d.domain), ['kept.test']);
  t.same((await spool.listDeliveries(other.id)).map((d) => d.tenantId), ['tn_beta'], 'other tenant untouched');
  const stats = await spool.stats();
  t.same([stats.messages, stats.scheduled, stats.held ?? 0], [2, 2, 0]);
});
